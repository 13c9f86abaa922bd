/** The shape of every email: subject, plain text and HTML, with every value escaped in the HTML. */

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

export const escapeHtml = (value: string): string =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

export function layout(paragraphs: string[], link?: { href: string; label: string }): string {
  const body = paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
  const button = link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>` : '';
  return `<!doctype html><html><body style="font-family:sans-serif;max-width:36rem">${body}${button}</body></html>`;
}

/** A plain message with one optional link. */
export function notice(p: {
  subject: string;
  greeting: string;
  lines: string[];
  link?: { href: string; label: string };
}): EmailContent {
  const lines = [p.greeting, ...p.lines];
  return {
    subject: p.subject,
    text: `${lines.join('\n\n')}\n${p.link ? `\n${p.link.label}: ${p.link.href}\n` : ''}`,
    html: layout(lines, p.link),
  };
}
