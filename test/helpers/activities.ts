import pino from 'pino';
import { createActivities } from '../../activities';
import { createSmtpMailer } from '../../activities/mailer';
import type { Db } from '../../db/pool';
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
  const activities = createActivities({
    db,
    mailer,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    opsEmail: config.OPS_EMAIL,
    credentialSecret: config.CREDENTIAL_SECRET,
    logger: pino({ level: 'silent' }),
    stripe: createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE }),
    platformSharePct: config.PLATFORM_SHARE_PCT,
    defaultPaymentMethod: config.STRIPE_DEFAULT_PAYMENT_METHOD,
  });
  return { activities, closeMailer: () => mailer.close() };
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
