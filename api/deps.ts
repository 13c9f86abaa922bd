import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { Db } from '../db/pool';
import type { AppConfig } from '../lib/config';
import type { TemporalRequests } from '../lib/temporal';
import type { ConnectionCounts } from './observability';
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
  /** Only to verify webhook signatures: the API makes no Stripe calls (activities do). */
  stripe: Stripe;
  config: Pick<
    AppConfig,
    | 'OPS_TOKEN'
    | 'TEMPORAL_TASK_QUEUE'
    | 'MIN_HOURLY_RATE_CENTS'
    | 'HUMAN_DAY_SECONDS'
    | 'STRIPE_WEBHOOK_SECRET'
    | 'PUBLIC_BASE_URL'
    | 'CREDENTIAL_SECRET'
    | 'SIGNUP_RATE_LIMIT_PER_MINUTE'
    | 'ACTION_LINK_RATE_LIMIT_PER_MINUTE'
    | 'UPDATES_IN_FLIGHT_PER_INTERNSHIP'
    | 'UPDATES_QUEUED_PER_INTERNSHIP'
    | 'WRITE_RATE_LIMIT_PER_ADDRESS_PER_MINUTE'
    | 'WRITE_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE'
    | 'MAX_OPEN_APPLICATIONS_PER_STUDENT'
  >;
  logger: Logger;
}

/** What the routes use: the app's dependencies and the one queue of Updates per workflow. */
export interface RouteDeps extends AppDeps {
  updateGate: UpdateGate;
}
