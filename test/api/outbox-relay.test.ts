/**
 * SMTP down: a notice still succeeds (it is durable in the Postgres outbox), and the worker's
 * outbox relay sends it once SMTP answers again — once, however often the relay passes.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { createNotificationActivities } from '../../activities/notifications';
import { sendQueued } from '../../lib/mail/outbox';
import { enqueueEmail } from '../../db/outbox';
import { createSmtpMailer } from '../../lib/mail/mailer';
import { createPool, type Db } from '../../db/pool';
import { freePort } from '../../scripts/stack/processes';
import { startOutboxRelay } from '../../worker/outbox-relay';
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

test('a sender SIGKILLed in the step that writes the final "." and the COMMIT: delivered once, recorded as sent, not sent again', async () => {
  const to = `dies-${Date.now()}@students.test`;
  const dedupeKey = `test:sigkill:${Date.now()}`;
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
    ['--import', 'tsx', path.join(__dirname, '..', 'helpers', 'send-and-die.ts'), dedupeKey],
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
  for (let i = 0; i < 50; i++) {
    const { rows } = await db.query<{ sent_at: Date | null }>(
      'SELECT sent_at FROM email_outbox WHERE dedupe_key = $1',
      [dedupeKey],
    );
    if (rows[0]?.sent_at) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const { rows } = await db.query<{ sent_at: Date | null }>(
    'SELECT sent_at FROM email_outbox WHERE dedupe_key = $1',
    [dedupeKey],
  );
  expect(rows[0]!.sent_at).not.toBeNull();
  const mailer = createSmtpMailer({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: false,
    from: config.MAIL_FROM,
  });
  expect(await sendQueued({ db, mailer, logger }, dedupeKey)).toEqual({ sent: false });
  await new Promise((r) => setTimeout(r, 300));
  expect(await emailsTo(to)).toHaveLength(1);
});
