/**
 * A mail server that takes connections and never answers (overloaded, or a firewall dropping its
 * replies) slows no request of the API process: sign-ups answer at once and their emails wait in
 * the outbox, sent in the background on connections of the API's own relay; signed-in people read
 * their pages meanwhile. Before, each sign-up sent its email inside the request, holding one of the
 * ten connections of the pool every request shares until SMTP gave up, and a burst of them stalled
 * every request of the process (seen in the benchmark at 300 lifecycles: 9 s with no answer).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { freePort } from '../../scripts/stack/processes';
import { newStudent } from '../helpers/actors';
import { uniqueSuffix } from '../helpers/env';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { startApiProcess } from '../helpers/worker-process';

let h: ApiHarness;
let silent: Server;
const held: Socket[] = [];
beforeAll(async () => {
  h = await startApiHarness({ worker: false });
  silent = createServer((socket) => held.push(socket)); // accepts, never greets
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise((r) => silent?.close(r));
  await h?.stop();
});

test('sign-ups and reads answer at once while the mail server never answers', async () => {
  // Signed up through an API whose mail works; the session is in Postgres, so any API takes it.
  const reader = await newStudent(h, 'Ada Reader');
  const port = await freePort();
  const smtpPort = (silent.address() as { port: number }).port;
  const api = await startApiProcess(h, port, { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtpPort) });
  const base = `http://127.0.0.1:${port}`;
  const timed = async <T>(work: () => Promise<T>) => {
    const started = Date.now();
    const result = await work();
    return { result, ms: Date.now() - started };
  };
  try {
    const tag = uniqueSuffix();
    const emails = Array.from({ length: 30 }, (_, i) => `slow-${i}-${tag}@students.test`);
    // 30 sign-ups at once (three times the pool's connections), and reads while they run.
    const signUps = emails.map((email) =>
      timed(() =>
        call(base, 'POST', '/v1/students', {
          body: {
            name: 'Slow Mail',
            email,
            school: 'Lakeside',
            major: 'History',
            graduationYear: 2027,
            skills: ['Excel'],
          },
        }),
      ),
    );
    const reads = [];
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 200));
      reads.push(await timed(() => call(base, 'GET', '/v1/me', { token: reader.token })));
    }
    const answered = await Promise.all(signUps);
    expect(answered.map((a) => a.result.status)).toEqual(emails.map(() => 202));
    expect(reads.map((r) => r.result.status)).toEqual([200, 200, 200, 200, 200]);
    // The mail server's greeting timeout is 30 s: waiting on it would take that long.
    expect(Math.max(...answered.map((a) => a.ms))).toBeLessThan(5_000);
    expect(Math.max(...reads.map((r) => r.ms))).toBeLessThan(2_000);
    // The relay did try: it holds connections to the mail server, and every email waits unsent.
    expect(held.length).toBeGreaterThan(0);
    const { rows } = await h.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM email_outbox WHERE sent_at IS NULL AND recipient = ANY($1)`,
      [emails],
    );
    expect(rows[0]!.n).toBe(emails.length);
  } finally {
    for (const s of held) s.destroy();
    await api.stop();
  }
}, 60_000);
