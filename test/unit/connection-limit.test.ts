/**
 * CONNECTIONS_PER_ADDRESS (api/connection-limit.ts) on a real server and real sockets: an address
 * holding its connections gets 429 for one more, a second later, any other address is served at
 * once, and a closed connection makes room again.
 */
import { Agent, createServer, request, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectionLimit } from '../../api/connection-limit';

let server: HttpServer;
let limit: ConnectionLimit;
let port: number;
/** Requests held open by the handler until released. */
const held: (() => void)[] = [];

beforeAll(async () => {
  const http = createServer((req, res) => {
    if (req.url === '/hold') held.push(() => res.end('released'));
    else res.end('ok');
  });
  limit = new ConnectionLimit(2);
  server = limit.guard(http);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  held.forEach((release) => release());
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** One request on its own connection from `from`; resolves with its status, headers and body. */
function get(from: string, path: string, agent?: Agent) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path, localAddress: from, agent: agent ?? false },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
};

test('an address at its limit gets 429 with Retry-After, others are served, a closed connection makes room', async () => {
  const first = get('127.0.0.2', '/hold');
  const second = get('127.0.0.2', '/hold');
  await until(() => held.length === 2);
  expect(limit.connections).toBe(2);

  // Held a second before its 429 (REFUSAL_HOLD_MS); another address is served meanwhile.
  const asked = performance.now();
  const since = () => performance.now() - asked;
  const [third, other] = await Promise.all([
    get('127.0.0.2', '/').then((answer) => ({ ...answer, ms: since() })),
    get('127.0.0.3', '/').then((answer) => ({ ...answer, ms: since() })),
  ]);
  expect(third.ms).toBeGreaterThanOrEqual(950);
  expect(other).toMatchObject({ status: 200, body: 'ok' });
  expect(other.ms).toBeLessThan(third.ms);
  expect(third.status).toBe(429);
  expect(third.headers['retry-after']).toBe('1');
  expect(third.headers['content-type']).toBe('application/problem+json');
  expect(JSON.parse(third.body)).toMatchObject({ status: 429, title: 'Too Many Requests' });
  expect(limit.refused).toBe(1);

  held.shift()!();
  await expect(first).resolves.toMatchObject({ status: 200, body: 'released' });
  await until(() => limit.connections === 1);
  await expect(get('127.0.0.2', '/')).resolves.toMatchObject({ status: 200, body: 'ok' });
  held.shift()!();
  await expect(second).resolves.toMatchObject({ status: 200 });
});

test('0 turns the limit off', async () => {
  const off = new ConnectionLimit(0);
  const s = off.guard(createServer((_req, res) => res.end('ok')));
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const agent = new Agent({ keepAlive: true });
  const p = (s.address() as AddressInfo).port;
  const answers = await Promise.all(
    Array.from(
      { length: 5 },
      () =>
        new Promise<number>((resolve, reject) =>
          request({ host: '127.0.0.1', port: p, path: '/', agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          })
            .on('error', reject)
            .end(),
        ),
    ),
  );
  expect(answers).toEqual([200, 200, 200, 200, 200]);
  expect(off.refused).toBe(0);
  agent.destroy();
  s.closeAllConnections();
  await new Promise((resolve) => s.close(resolve));
});
