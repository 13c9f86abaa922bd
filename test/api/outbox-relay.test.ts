/**
 * SMTP down: a notice still succeeds (it is durable in the Postgres outbox), and the worker's
 * outbox relay sends it once SMTP answers again — once, however often the relay passes.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { createNotificationActivities } from '../../activities/notifications';
import { IN_DOUBT_SETTLE_MS, sendQueued } from '../../lib/mail/outbox';
import { enqueueEmail } from '../../db/outbox';
import { createSmtpMailer } from '../../lib/mail/mailer';
import { createPool, type Db } from '../../db/pool';
import { freePort } from '../../scripts/stack/processes';
import { startOutboxRelay } from '../../lib/mail/outbox-relay';
import { seedEmployer, seedPosting } from '../helpers/fixtures';
import { testConfig } from '../helpers/env';
import { emailsTo, waitForEmail } from '../helpers/inbox';

const config = testConfig();
let db: Db;
beforeAll(() => {
  db = createPool(config.DATABASE_URL, 2);
});
afterAll(() => db.end());

const logger = pino({ level: 'silent' });
const notifications = (mailer: ReturnType<typeof createSmtpMailer>) =>
  createNotificationActivities({
    db,
    mailer,
    opsEmail: config.OPS_EMAIL,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    logger,
  });

test('a notice given while SMTP is unreachable is queued, then sent once by the relay', async () => {
  const nobodyListens = await freePort();
  const downMailer = createSmtpMailer({
    host: '127.0.0.1',
    port: nobodyListens,
    secure: false,
    from: config.MAIL_FROM,
  });
  const upMailer = createSmtpMailer({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: false,
    from: config.MAIL_FROM,
  });
  const employer = await seedEmployer(db);
  const posting = await seedPosting(db, employer, Date.now());
  await expect(
    notifications(downMailer).notifyParty({
      internshipId: posting.internshipId,
      to: 'employer',
      kind: 'unfunded-employer',
    }),
  ).resolves.toBeUndefined();
  const queued = await db.query<{ sent_at: Date | null }>(
    'SELECT sent_at FROM email_outbox WHERE internship_id = $1',
    [posting.internshipId],
  );
  expect(queued.rows).toEqual([{ sent_at: null }]);
  expect(await emailsTo(employer.contactEmail)).toEqual([]);

  // While SMTP is still down a pass sends nothing and leaves the email queued.
  const downRelay = startOutboxRelay({ db, mailer: downMailer, logger, intervalMs: 0, minAgeMs: 0 });
  expect(await downRelay.sweep()).toBe(0);

  const relay = startOutboxRelay({ db, mailer: upMailer, logger, intervalMs: 0, minAgeMs: 0 });
  await relay.sweep();
  await relay.sweep();
  await waitForEmail(employer.contactEmail, /was cancelled: the fee was not paid/);
  await new Promise((r) => setTimeout(r, 500));
  expect(await emailsTo(employer.contactEmail)).toHaveLength(1);
  const sent = await db.query<{ sent_at: Date | null }>(
    'SELECT sent_at FROM email_outbox WHERE internship_id = $1',
    [posting.internshipId],
  );
  expect(sent.rows[0]!.sent_at).not.toBeNull();
  await relay.stop();
  await downRelay.stop();
});

test('an SMTP server discards a message whose connection drops before the final "."', async () => {
  const to = `unfinished-${Date.now()}@students.test`;
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect(config.SMTP_PORT, config.SMTP_HOST);
    const script = [
      'EHLO test',
      'MAIL FROM:<a@test>',
      `RCPT TO:<${to}>`,
      'DATA',
      'Subject: unfinished\r\n\r\nbody',
    ];
    socket.on('error', reject);
    socket.on('data', () => {
      const line = script.shift();
      if (line === undefined) return;
      socket.write(`${line}\r\n`);
      if (script.length === 0) setTimeout(() => (socket.destroy(), resolve()), 200);
    });
  });
  await new Promise((r) => setTimeout(r, 500));
  expect(await emailsTo(to)).toEqual([]);
});

/** Queues an email and sends it from a process that SIGKILLs itself at `moment` (send-and-die.ts). */
async function sendAndDie(moment: 'after-commit' | 'before-commit') {
  const to = `dies-${moment}-${Date.now()}@students.test`;
  const dedupeKey = `test:sigkill:${moment}:${Date.now()}`;
  await enqueueEmail(db, {
    dedupeKey,
    internshipId: null,
    to,
    subject: 'Sent by a dying sender',
    text: 'x',
    html: '<p>x</p>',
  });
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, '..', 'helpers', 'send-and-die.ts'), dedupeKey, moment],
    {
      env: {
        ...process.env,
        DATABASE_URL: config.DATABASE_URL,
        SMTP_HOST: config.SMTP_HOST,
        SMTP_PORT: String(config.SMTP_PORT),
      },
      stdio: 'inherit',
    },
  );
  const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, sig) => resolve(sig)),
  );
  expect(signal).toBe('SIGKILL');
  await waitForEmail(to, /Sent by a dying sender/);
  return { to, dedupeKey };
}

const outboxRow = async (dedupeKey: string) =>
  (
    await db.query<{ sent_at: Date | null; attempt_id: string | null; doubt_since: Date | null }>(
      'SELECT sent_at, attempt_id, doubt_since FROM email_outbox WHERE dedupe_key = $1',
      [dedupeKey],
    )
  ).rows[0]!;

const smtp = (lookup: boolean) =>
  createSmtpMailer({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: false,
    from: config.MAIL_FROM,
    lookupUrl: lookup ? config.MAIL_LOOKUP_URL : undefined,
  });

test('a sender SIGKILLed in the step that writes the final "." and the COMMIT: delivered once, recorded as sent, not sent again', async () => {
  const { to, dedupeKey } = await sendAndDie('after-commit');
  for (let i = 0; i < 50; i++) {
    if ((await outboxRow(dedupeKey)).sent_at) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect((await outboxRow(dedupeKey)).sent_at).not.toBeNull();
  const mailer = smtp(false);
  expect(await sendQueued({ db, mailer, logger }, dedupeKey)).toEqual({ sent: false });
  await new Promise((r) => setTimeout(r, 300));
  expect(await emailsTo(to)).toHaveLength(1);
});

test('a sender SIGKILLed after the final "." but before its COMMIT: the email is in doubt, found at the mail server and not sent again (without a lookup it would arrive twice)', async () => {
  expect(config.MAIL_LOOKUP_URL).toBeDefined();
  const looked = await sendAndDie('before-commit');
  // Delivered, but the sent mark died with its transaction: the attempt is left on the row.
  expect(await outboxRow(looked.dedupeKey)).toMatchObject({ sent_at: null, attempt_id: expect.any(String) });
  // The next sender notes when it found the email in doubt and leaves it for now: a message whose
  // "." was its sender's last act may still be on its way into the mail server's store.
  expect(await sendQueued({ db, mailer: smtp(true), logger }, looked.dedupeKey)).toEqual({ sent: false });
  expect(await outboxRow(looked.dedupeKey)).toMatchObject({ sent_at: null, doubt_since: expect.any(Date) });
  expect(await sendQueued({ db, mailer: smtp(true), logger }, looked.dedupeKey)).toEqual({ sent: false });
  expect((await outboxRow(looked.dedupeKey)).sent_at).toBeNull();
  // IN_DOUBT_SETTLE_MS later, the mail server is asked.
  await db.query(
    `UPDATE email_outbox SET doubt_since = doubt_since - make_interval(secs => $2) WHERE dedupe_key = $1`,
    [looked.dedupeKey, IN_DOUBT_SETTLE_MS / 1000],
  );
  expect(await sendQueued({ db, mailer: smtp(true), logger }, looked.dedupeKey)).toEqual({ sent: false });
  expect(await outboxRow(looked.dedupeKey)).toMatchObject({
    sent_at: expect.any(Date),
    attempt_id: null,
    doubt_since: null,
  });
  await new Promise((r) => setTimeout(r, 300));
  expect(await emailsTo(looked.to)).toHaveLength(1);

  // A mail server that cannot be asked gets the email again, under the same Message-ID.
  const blind = await sendAndDie('before-commit');
  expect(await sendQueued({ db, mailer: smtp(false), logger }, blind.dedupeKey)).toEqual({ sent: true });
  const copies = await emailsTo(blind.to);
  expect(copies).toHaveLength(2);
  expect(new Set(copies.map((m) => m.headers['message-id'])).size).toBe(1);
});

test('a sweep does not queue behind a sender stalled on the mail server: it sends the rest, and the stalled email still goes out once', async () => {
  const tag = `${Date.now()}`;
  const keys = ['stalled', 'second', 'third'].map((k) => `test:skip-locked:${tag}:${k}`);
  const to = keys.map((_, i) => `skip-locked-${i}-${tag}@students.test`);
  for (const [i, dedupeKey] of keys.entries()) {
    await enqueueEmail(db, {
      dedupeKey,
      internshipId: null,
      to: to[i]!,
      subject: `Email ${i}`,
      text: 'Hi',
      html: '<p>Hi</p>',
    });
  }
  // The first email's sender holds its row while the mail server keeps it waiting.
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const real = smtp(false);
  const stalling = {
    send: async (...args: Parameters<typeof real.send>) => (await gate, real.send(...args)),
  };
  const stalled = sendQueued({ db, mailer: stalling, logger }, keys[0]!);
  await new Promise((r) => setTimeout(r, 300));

  const relay = startOutboxRelay({ db, mailer: real, logger, intervalMs: 0, minAgeMs: 0 });
  const swept = await Promise.race([
    relay.sweep(),
    new Promise((r) => setTimeout(() => r('still waiting'), 5_000)),
  ]);
  expect(swept).not.toBe('still waiting');
  await waitForEmail(to[1]!, /Email 1/);
  await waitForEmail(to[2]!, /Email 2/);
  expect(await emailsTo(to[0]!)).toEqual([]);

  release();
  expect(await stalled).toEqual({ sent: true });
  await relay.sweep();
  await waitForEmail(to[0]!, /Email 0/);
  await new Promise((r) => setTimeout(r, 500));
  expect((await Promise.all(to.map(emailsTo))).map((e) => e.length)).toEqual([1, 1, 1]);
  await relay.stop();
});
