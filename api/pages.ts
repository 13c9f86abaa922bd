/** Small server-rendered pages for email links: readable on a phone, no scripts, values escaped. */
import { escapeHtml } from '../lib/mail/content';

export function page(
  title: string,
  paragraphs: string[],
  form?: { action: string; button: string; fields?: Record<string, string> },
  link?: { href: string; text: string },
): string {
  const body = paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n    ');
  const hidden = Object.entries(form?.fields ?? {})
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  const button = form
    ? `<form method="post" action="${escapeHtml(form.action)}">${hidden}<button type="submit">${escapeHtml(form.button)}</button></form>`
    : '';
  const onward = link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <title>${escapeHtml(title)} · Micro-internships</title>
  <style>
    body { font-family: system-ui, sans-serif; max-width: 34rem; margin: 3rem auto; padding: 0 1rem; color: #1c1c1c; }
    h1 { font-size: 1.4rem; }
    button { font-size: 1rem; padding: .7rem 1.4rem; border: 0; border-radius: .4rem; background: #1f5fbf; color: #fff; cursor: pointer; }
  </style>
</head>
<body>
  <main>
    <h1>${escapeHtml(title)}</h1>
    ${body}
    ${button}
    ${onward}
  </main>
</body>
</html>`;
}
