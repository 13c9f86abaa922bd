/** The words of every email; each returns subject, plain text and HTML with values escaped. */

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (value: string): string =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function layout(paragraphs: string[], link?: { href: string; label: string }): string {
  const body = paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
  const button = link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>` : '';
  return `<!doctype html><html><body style="font-family:sans-serif;max-width:36rem">${body}${button}</body></html>`;
}

export function postingExpired(p: {
  contactName: string | null;
  companyName: string;
  title: string;
  postingUrl: string;
}): EmailContent {
  const greeting = `Hello ${p.contactName ?? p.companyName},`;
  const lines = [
    greeting,
    `Your micro-internship "${p.title}" closed for applications without any applicant, so it has expired. Nothing was charged.`,
    'You are welcome to post it again, perhaps with a longer application window, a broader set of skills or a clearer deliverable.',
  ];
  return {
    subject: `Your posting "${p.title}" expired without applicants`,
    text: `${lines.join('\n\n')}\n\nPosting: ${p.postingUrl}\n`,
    html: layout(lines, { href: p.postingUrl, label: 'See the posting' }),
  };
}
