import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { Db } from '../db/pool';
import type { AppConfig } from '../lib/config';
import type { Mailer } from '../lib/mail/mailer';
import type { TemporalRequests } from '../lib/temporal';
import type { SharedLimits } from './limits';
import type { OidcSignIn } from './oidc';
import type { ConnectionCounts, HttpMetrics } from './observability';
import type { UpdateGate } from './update-gate';

// What the app is given (api/main.ts, the tests) and what its routes take: its own module, so that
// api/app.ts imports the routes and no route imports api/app.ts back.

export interface AppDeps {
  db: Db;
  temporal: Client;
  /** Counts what `temporal` sends, for /metrics (given when its connection was made with its interceptors). */
  temporalRequests?: TemporalRequests;
  /** The connections open and refused under CONNECTIONS_PER_ADDRESS (api/connection-limit.ts), for /metrics. */
  connections?: ConnectionCounts;
  /** The metrics the app counts into, served on their own port (api/main.ts); made by the app if not given. */
  metrics?: HttpMetrics;
  /** To verify webhook signatures and open the card-setup page; money moves only in activities. */
  stripe: Stripe;
  config: AppConfig;
  /** Sign-in emails leave through the same outbox as every other email. */
  mailer: Mailer;
  /**
   * Sends a queued sign-in email in the background, on connections of its own (api/main.ts: the
   * outbox relay), so a slow mail server holds neither a request nor the pool requests use. Without
   * it (tests), the request sends its email itself before it answers.
   */
  sendSoon?: (dedupeKey: string) => void;
  logger: Logger;
}

/** What the routes use: the app's dependencies, the one queue of Updates per workflow, the shared limits. */
export interface RouteDeps extends AppDeps {
  updateGate: UpdateGate;
  /** The abuse limits every API process counts together, in Postgres. */
  limits: SharedLimits;
  /** Staff sign-in through the company's identity provider, when OIDC_ISSUER is set. */
  oidc: OidcSignIn | undefined;
}
