/**
 * StripeTestModeProxy — a FAKE layer, named as such: stripe-mock validates every request against
 * Stripe's OpenAPI spec but answers from static fixtures (a PaymentIntent never succeeds, no card
 * declines, idempotency keys ignored). This proxy sits in front of it and adds the documented
 * test-mode behaviour the platform depends on, so the real SDK sees what it would see from Stripe
 * with test keys:
 *   - a confirmed PaymentIntent succeeds, unless its payment method is a declining test card
 *     (pm_card_chargeDeclined, pm_card_chargeDeclinedInsufficientFunds), which gets a 402 card_error;
 *   - a request repeated with the same Idempotency-Key gets the first response back;
 *   - an object created by POST /v1/<collection> gets an id of its own (stripe-mock's fixtures give
 *     every account, PaymentIntent or transfer the same id, so webhooks could not tell them apart);
 *   - every request is recorded (GET /__proxy/requests) so tests can count effective money movements;
 *   - POST /__proxy/latency {"path": "/v1/payment_intents", "ms": 4000} slows one path, so a test can
 *     kill a worker while a payment is in flight (GET /__proxy/in-flight lists the slowed requests);
 *     with "idempotencyKeyPrefix" only the requests whose key starts with it, so tests running side
 *     by side each slow their own internship's calls.
 * Production talks to api.stripe.com directly; nothing here is used there.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const DECLINING = new Set(['pm_card_chargeDeclined', 'pm_card_chargeDeclinedInsufficientFunds']);

export interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  replayed: boolean;
  status: number;
}

export interface StripeTestModeProxy {
  url: string;
  stop(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startStripeTestModeProxy(opts: {
  upstream: string;
  port?: number;
}): Promise<StripeTestModeProxy> {
  const replies = new Map<string, { status: number; headers: Record<string, string>; body: string }>();
  const recorded: RecordedRequest[] = [];
  /** Delays by path and key prefix ('' for every request on the path). */
  const latency = new Map<string, { path: string; prefix: string; ms: number }>();
  const delayFor = (path: string, key: string | null) =>
    Math.max(
      0,
      ...[...latency.values()]
        .filter((rule) => rule.path === path && (key ?? '').startsWith(rule.prefix))
        .map((rule) => rule.ms),
    );
  const inFlight = new Set<{ method: string; path: string; idempotencyKey: string | null }>();

  const server = http.createServer((req, res) => {
    void (async () => {
      const path = req.url ?? '/';
      if (path === '/__proxy/requests') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(recorded));
        return;
      }
      if (path === '/__proxy/in-flight') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([...inFlight]));
        return;
      }
      const body = await readBody(req);
      if (path === '/__proxy/latency') {
        const rule = JSON.parse(body) as { path: string; ms: number; idempotencyKeyPrefix?: string };
        const prefix = rule.idempotencyKeyPrefix ?? '';
        if (rule.ms > 0) latency.set(`${rule.path}\n${prefix}`, { path: rule.path, prefix, ms: rule.ms });
        else latency.delete(`${rule.path}\n${prefix}`);
        res.writeHead(204).end();
        return;
      }
      const key = req.headers['idempotency-key'];
      const idempotencyKey = typeof key === 'string' ? key : null;
      const delay = delayFor(path.split('?')[0]!, idempotencyKey);
      if (delay) {
        const entry = { method: req.method!, path, idempotencyKey };
        inFlight.add(entry);
        await new Promise((resolve) => setTimeout(resolve, delay));
        inFlight.delete(entry);
      }
      const cacheKey = idempotencyKey && `${req.method} ${path.split('?')[0]} ${idempotencyKey}`;
      const cached = cacheKey ? replies.get(cacheKey) : undefined;
      if (cached) {
        recorded.push({ method: req.method!, path, idempotencyKey, replayed: true, status: cached.status });
        res.writeHead(cached.status, { ...cached.headers, 'idempotent-replayed': 'true' }).end(cached.body);
        return;
      }

      const form = new URLSearchParams(body);
      let reply: { status: number; headers: Record<string, string>; body: string };
      const isConfirmedPaymentIntent =
        req.method === 'POST' &&
        path.split('?')[0] === '/v1/payment_intents' &&
        form.get('confirm') === 'true';
      if (isConfirmedPaymentIntent && DECLINING.has(form.get('payment_method') ?? '')) {
        reply = {
          status: 402,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            error: {
              type: 'card_error',
              code: 'card_declined',
              decline_code: 'generic_decline',
              message: 'Your card was declined.',
            },
          }),
        };
      } else {
        const upstream = await fetch(`${opts.upstream}${path}`, {
          method: req.method,
          headers: Object.fromEntries(
            Object.entries(req.headers).filter(
              ([k, v]) => typeof v === 'string' && k !== 'host' && k !== 'content-length',
            ),
          ) as Record<string, string>,
          body: req.method === 'GET' || req.method === 'DELETE' ? undefined : body,
        });
        let text = await upstream.text();
        const created = req.method === 'POST' && /^\/v1\/[a-z_]+$/.test(path.split('?')[0]!);
        if (upstream.ok && (created || isConfirmedPaymentIntent)) {
          const object = JSON.parse(text) as Record<string, unknown>;
          if (created && typeof object.id === 'string' && object.id.includes('_')) {
            object.id = `${object.id.slice(0, object.id.indexOf('_'))}_${randomBytes(12).toString('hex')}`;
          }
          if (isConfirmedPaymentIntent) {
            object.status = 'succeeded';
            object.amount_received = object.amount;
          }
          text = JSON.stringify(object);
        }
        reply = { status: upstream.status, headers: { 'content-type': 'application/json' }, body: text };
      }
      if (cacheKey) replies.set(cacheKey, reply);
      recorded.push({ method: req.method!, path, idempotencyKey, replayed: false, status: reply.status });
      res.writeHead(reply.status, reply.headers).end(reply.body);
    })().catch((err: unknown) => {
      res
        .writeHead(502, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: String(err) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
