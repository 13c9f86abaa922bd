import { maildevUrl } from './env';

export interface CaughtEmail {
  id: string;
  subject: string;
  text: string;
  html: string;
  to: { address: string; name?: string }[];
  headers: Record<string, string>;
}

/** Every email the SMTP catcher holds for one address. */
export async function emailsTo(address: string): Promise<CaughtEmail[]> {
  const response = await fetch(`${maildevUrl()}/api/email`);
  if (!response.ok) throw new Error(`maildev answered ${response.status}`);
  const all = (await response.json()) as CaughtEmail[];
  return all.filter((email) => email.to.some((to) => to.address.toLowerCase() === address.toLowerCase()));
}

/** Waits until an email to `address` whose subject matches arrives, and returns it. */
export async function waitForEmail(
  address: string,
  subject: RegExp,
  timeoutMs = 15_000,
): Promise<CaughtEmail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await emailsTo(address)).find((email) => subject.test(email.subject));
    if (found) return found;
    if (Date.now() > deadline)
      throw new Error(`no email to ${address} matching ${subject} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
