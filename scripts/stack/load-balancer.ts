/**
 * A small HTTP load balancer for the proving programs, as its own process in front of several API
 * replicas: round robin over the replicas that answer their health check, like nginx's defaults. A
 * request is sent again only when it never reached a replica (connection refused, or a kept-alive
 * connection the replica had just closed), so a POST is never handled twice; one cut off mid-way
 * gets 502, which a careful client retries with its idempotency key. Not for production: use the
 * load balancer of your platform there.
 *
 *   node --import tsx scripts/stack/load-balancer.ts --port 8080 --backends http://127.0.0.1:3001,…
 */
import http from 'node:http';
import { parseArgs } from 'node:util';

interface Backend {
  url: URL;
  healthy: boolean;
}

const PROBLEM = { 'content-type': 'application/problem+json' };

export function startLoadBalancer(options: { port: number; backends: string[]; healthEveryMs?: number }) {
  const backends: Backend[] = options.backends.map((b) => ({ url: new URL(b), healthy: true }));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  let next = 0;
  const pick = (tried: Set<Backend>): Backend | undefined => {
    for (let i = 0; i < backends.length; i++) {
      const b = backends[(next + i) % backends.length]!;
      if (b.healthy && !tried.has(b)) {
        next = (next + i + 1) % backends.length;
        return b;
      }
    }
    return backends.find((b) => !tried.has(b)); // all marked down: try anyway
  };

  const health = setInterval(() => {
    for (const b of backends) {
      const req = http.get(new URL('/healthz', b.url), { agent, timeout: 1_000 }, (res) => {
        b.healthy = res.statusCode === 200;
        res.resume();
      });
      req.on('error', () => (b.healthy = false));
      req.on('timeout', () => req.destroy());
    }
  }, options.healthEveryMs ?? 250);

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => forward(req, res, Buffer.concat(chunks), new Set()));
  });

  function forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, tried: Set<Backend>) {
    const backend = pick(tried);
    if (!backend) {
      res
        .writeHead(502, PROBLEM)
        .end(JSON.stringify({ type: '/problems/BadGateway', title: 'No API replica answered', status: 502 }));
      return;
    }
    tried.add(backend);
    const headers = { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '' };
    const upstream = http.request(
      new URL(req.url ?? '/', backend.url),
      { method: req.method, headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') {
        // It never reached that replica: mark it down and try another.
        backend.healthy = false;
        forward(req, res, body, tried);
        return;
      }
      if (err.code === 'ECONNRESET' && upstream.reusedSocket && !res.headersSent) {
        // A kept-alive connection the replica closed as idle just as this request went out on it
        // (Node's documented race): the replica read nothing of it, so send it again, on a new one.
        tried.delete(backend);
        forward(req, res, body, tried);
        return;
      }
      if (!res.headersSent) {
        res
          .writeHead(502, PROBLEM)
          .end(
            JSON.stringify({ type: '/problems/BadGateway', title: 'The API replica went away', status: 502 }),
          );
      } else res.destroy();
    });
    upstream.end(body);
  }

  return new Promise<{ url: string; close(): void }>((resolve) =>
    server.listen(options.port, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${options.port}`,
        close: () => {
          clearInterval(health);
          server.close();
          agent.destroy();
        },
      }),
    ),
  );
}

if (require.main === module) {
  const { values } = parseArgs({ options: { port: { type: 'string' }, backends: { type: 'string' } } });
  void startLoadBalancer({ port: Number(values.port), backends: (values.backends ?? '').split(',') }).then(
    (lb) => process.stdout.write(`load balancer on ${lb.url}\n`),
  );
}
