/**
 * Run as its own process by test/api/outbox-relay.test.ts: sends one queued email through the real
 * outbox and SMTP path and SIGKILLs itself right after the final "." and the COMMIT were written
 * (`after-commit`, the default), or after the "." and before the COMMIT (`before-commit`), as a
 * worker killed at the worst moment would die.
 */
import pino from 'pino';
import { sendQueued } from '../../lib/mail/outbox';
import { createSmtpMailer, type Mailer } from '../../lib/mail/mailer';
import { createPool } from '../../db/pool';

const [dedupeKey, moment = 'after-commit'] = process.argv.slice(2);
const db = createPool(process.env.DATABASE_URL!, 1);
const real = createSmtpMailer({
  host: process.env.SMTP_HOST!,
  port: Number(process.env.SMTP_PORT),
  secure: false,
  from: 'Test <test@microinternships.local>',
});
const dying: Mailer = {
  send: (message, hooks = {}) =>
    real.send(message, {
      atFinish: () => {
        const release = hooks.atFinish?.();
        return () => {
          if (moment === 'after-commit') release?.();
          process.kill(process.pid, 'SIGKILL');
        };
      },
    }),
};
void sendQueued({ db, mailer: dying, logger: pino({ level: 'silent' }) }, dedupeKey!);
