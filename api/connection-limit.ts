import type { Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';

/** Sent, whole, on a connection refused for its address: a client sees an HTTP answer, not a reset. */
const REFUSAL = [
  'HTTP/1.1 429 Too Many Requests',
  'Content-Type: application/problem+json',
  'Retry-After: 1',
  'Connection: close',
  'Content-Length: ',
].join('\r\n');
const REFUSAL_BODY = JSON.stringify({
  type: 'about:blank',
  title: 'Too Many Requests',
  status: 429,
  detail: 'Too many connections from your address; close some and retry.',
});
const REFUSAL_BYTES = `${REFUSAL}${Buffer.byteLength(REFUSAL_BODY)}\r\n\r\n${REFUSAL_BODY}`;

/**
 * How long a refused caller waits for its 429: a connection past its address's limit here, a
 * request past a rate limit in api/rate-limits.ts. Held, not answered at once, because the event
 * loop accepts one new connection per turn (libuv) and serves every readable connection in that
 * turn: a flooding client answered at once sends again at once, its ping-pong on 128 connections
 * makes every turn long, and a newcomer waits behind the whole accept queue, one per turn (on a
 * slower machine the offered student's accept in test/reliability/flood.test.ts went unanswered
 * for 30 s). Held a second, each of the flood's connections costs one answer a second, the turns
 * stay short and everyone else is accepted at once. No longer than the Retry-After these 429s carry
 * (1 s for a connection, 60 s for a rate limit); the limits counted in Postgres (api/limits.ts)
 * answer at once.
 */
export const REFUSAL_HOLD_MS = 1_000;

/** Refused connections held at once, at most: past it, one more is answered at once. */
const MAX_HELD = 10_000;

/**
 * Lets an HTTP server keep at most `max` connections open at once from one client address; one more
 * is held `holdMs`, unread, then answered 429 and closed, before any request on it is parsed.
 * HTTP/1.1 serves one request at a time per connection, so this also bounds the requests of one
 * address in the event loop.
 *
 * Why connections, not requests: Node serves every readable connection before it accepts new ones,
 * so a client holding a thousand busy keep-alive connections keeps everyone else's connect waiting
 * in the kernel's accept queue for as long as it likes (measured: a new connection was not accepted
 * for minutes). With a few hundred open, the listening socket is served every turn.
 *
 * `max` 0 turns it off: do so behind a load balancer or proxy, whose address every connection would
 * share, and use its per-client connection limits instead.
 */
export class ConnectionLimit {
  private readonly open = new Map<string, number>();
  /** Connections refused so far (for /metrics). */
  refused = 0;
  /** Refused connections waiting for their answer now. */
  private held = 0;

  constructor(
    private readonly max: number,
    private readonly holdMs = REFUSAL_HOLD_MS,
  ) {}

  /** Connections open now, over every address (for /metrics). */
  get connections(): number {
    let total = 0;
    for (const n of this.open.values()) total += n;
    return total;
  }

  /**
   * Puts the limit in front of `http`'s own handling of each new connection, and returns it. `http`
   * stays the listening server, so its timeouts, connection tracking and close() work as ever.
   */
  guard(http: HttpServer): HttpServer {
    if (this.max <= 0) return http;
    const handlers = http.listeners('connection') as ((socket: Socket) => void)[];
    http.removeAllListeners('connection');
    http.on('connection', (socket: Socket) => {
      if (!this.admit(socket)) return this.refuse(socket);
      for (const handler of handlers) handler.call(http, socket);
    });
    return http;
  }

  private admit(socket: Socket): boolean {
    const address = socket.remoteAddress ?? '';
    const n = this.open.get(address) ?? 0;
    if (n >= this.max) return false;
    this.open.set(address, n + 1);
    socket.once('close', () => {
      const left = (this.open.get(address) ?? 1) - 1;
      if (left > 0) this.open.set(address, left);
      else this.open.delete(address);
    });
    return true;
  }

  private refuse(socket: Socket): void {
    this.refused++;
    socket.on('error', () => undefined);
    const answer = () => {
      if (socket.destroyed) return; // the client gave up while held
      socket.resume(); // read and drop what the client sends, so that closing does not reset the answer
      socket.end(REFUSAL_BYTES);
      setTimeout(() => socket.destroy(), 5_000).unref();
    };
    if (this.holdMs <= 0 || this.held >= MAX_HELD) return answer();
    this.held++;
    setTimeout(() => {
      this.held--;
      answer();
    }, this.holdMs).unref();
  }
}
