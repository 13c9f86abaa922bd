/**
 * SMTP down: a notice still succeeds (it is durable in the Postgres outbox), and the worker's
 * outbox relay sends it once SMTP answers again — once, however often the relay passes.
 */
import pino from 'pino';
import { createNotificationActivities } from '../../activities/notifications';
import { createSmtpMailer } from '../../activities/mailer';
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
  try {
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
  } finally {
    downMailer.close();
    upMailer.close();
  }
});

test('a sender that dies after the server holds the message but before the final "." leaves nothing delivered', async () => {
  const mailer = createSmtpMailer({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: false,
    from: config.MAIL_FROM,
  });
  const to = `held-${Date.now()}@students.test`;
  const message = {
    to,
    subject: 'Held back',
    text: 'x',
    html: '<p>x</p>',
    messageId: `<held-${Date.now()}@test>`,
  };
  await expect(
    mailer.send(message, {
      beforeFinish: () => Promise.reject(new Error('the process died here')),
    }),
  ).rejects.toThrow('the process died here');
  await new Promise((r) => setTimeout(r, 500));
  expect(await emailsTo(to)).toEqual([]);
  let finished = false;
  await mailer.send(message, { beforeFinish: () => Promise.resolve(void (finished = true)) });
  expect(finished).toBe(true);
  await waitForEmail(to, /Held back/);
});
