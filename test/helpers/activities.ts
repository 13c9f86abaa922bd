import pino from 'pino';
import { createActivities } from '../../activities';
import { createSmtpMailer } from '../../lib/mail/mailer';
import type { Db } from '../../db/pool';
import { startOutboxRelay } from '../../lib/mail/outbox-relay';
import type { AppConfig } from '../../lib/config';
import { createStripeClient } from '../../lib/stripe';

/** The real activities over the test stack's Postgres and SMTP catcher. */
export function realActivities(config: AppConfig, db: Db) {
  const mailer = createSmtpMailer({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: false,
    from: config.MAIL_FROM,
  });
  const logger = pino({ level: 'silent' });
  // As in the worker: notices queue their email and the relay sends it in the background.
  const relay = startOutboxRelay({ db, mailer, logger, intervalMs: 0 });
  const activities = createActivities({
    db,
    mailer,
    sendSoon: relay.sendSoon,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    opsEmail: config.OPS_EMAIL,
    credentialSecret: config.CREDENTIAL_SECRET,
    credentialSigningKeys: config.CREDENTIAL_SIGNING_KEYS,
    logger,
    stripe: createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE }),
    platformSharePct: config.PLATFORM_SHARE_PCT,
    defaultPaymentMethod: config.STRIPE_DEFAULT_PAYMENT_METHOD,
  });
  return { activities, stopRelay: () => relay.stop() };
}

const quiet = () => undefined;
/** A logger for bundleWorkflowCode that keeps webpack's report out of test output. */
export const silentBundlerLogger = {
  log: quiet,
  error: quiet,
  warn: quiet,
  info: quiet,
  debug: quiet,
  trace: quiet,
};
