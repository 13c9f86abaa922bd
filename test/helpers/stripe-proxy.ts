import type { RecordedRequest } from '../../scripts/stack/stripe-test-mode';
import { call, type ApiHarness } from './harness';

/**
 * Slows one Stripe path at the test-mode proxy (0 restores it), to act while a call is in flight;
 * with `idempotencyKeyPrefix` only those calls (suites run side by side on one proxy).
 */
export const setStripeLatency = (h: ApiHarness, path: string, ms: number, idempotencyKeyPrefix?: string) =>
  fetch(`${h.config.STRIPE_API_BASE}/__proxy/latency`, {
    method: 'POST',
    body: JSON.stringify({ path, ms, idempotencyKeyPrefix }),
  });

/** Waits until a slowed request matching `match` is at "Stripe"; false after 10 s. */
export async function waitUntilInFlight(
  h: ApiHarness,
  match: (request: { idempotencyKey: string | null; path: string }) => boolean,
): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    const pending = (await (await fetch(`${h.config.STRIPE_API_BASE}/__proxy/in-flight`)).json()) as {
      idempotencyKey: string | null;
      path: string;
    }[];
    if (pending.some(match)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/**
 * The offered student accepts while the charge that follows is held `ms` at "Stripe" (this
 * internship's calls only); true once the charge is in flight there, false after 10 s.
 */
export async function acceptWithChargeInFlight(
  h: ApiHarness,
  offer: { id: string; student: { token: string } },
  ms: number,
): Promise<boolean> {
  await setStripeLatency(h, '/v1/payment_intents', ms, `internship:${offer.id}:`);
  await call(h.baseUrl, 'POST', `/v1/internships/${offer.id}/offer-response`, {
    token: offer.student.token,
    body: { accept: true },
  });
  return waitUntilInFlight(h, (r) => r.idempotencyKey === `internship:${offer.id}:charge`);
}

/** Every request the proxy forwarded or replayed. */
export const recordedStripeRequests = async (h: ApiHarness) =>
  (await (await fetch(`${h.config.STRIPE_API_BASE}/__proxy/requests`)).json()) as RecordedRequest[];
