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
  // maildev filters by any field of its messages (to.address here), so only this inbox comes back.
  const response = await fetch(`${maildevUrl()}/api/email?to.address=${encodeURIComponent(address)}`);
  if (!response.ok) throw new Error(`maildev answered ${response.status}`);
  const all = (await response.json()) as CaughtEmail[];
  return all.filter((email) => email.to.some((to) => to.address.toLowerCase() === address.toLowerCase()));
}

/** Waits until an email to `address` whose subject matches arrives, and returns it. */
export async function waitForEmail(
  address: string,
  subject: RegExp,
  timeoutMs = 15_000,
  { newest = false } = {},
): Promise<CaughtEmail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const matching = (await emailsTo(address)).filter((email) => subject.test(email.subject));
    const found = newest ? matching.at(-1) : matching[0];
    if (found) return found;
    if (Date.now() > deadline)
      throw new Error(`no email to ${address} matching ${subject} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
