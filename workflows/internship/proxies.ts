/**
 * The activities the internship workflow calls, with their options: emails (local in newer runs),
 * money, and read-model writes.
 */
import {
  type ActivityOptions,
  type LocalActivityOptions,
  patched,
  proxyActivities,
  proxyLocalActivities,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { ErrorType } from '../definitions';
import type { Notice } from '../notices';
import { LEAN_HISTORY, run } from './run';

/** Sends a notice beside the next step in newer runs; older runs awaited each notice in turn. */
export async function soon(send: () => Promise<unknown>): Promise<void> {
  if (!patched(LEAN_HISTORY)) return void (await send());
  const sending = send();
  // Its failure surfaces where it is awaited (noticesSent), not as an unhandled rejection that
  // would fail every workflow task.
  sending.catch(() => undefined);
  run().noticesInFlight.push(sending);
}

/** Waits for every email started so far (and any they started). */
export async function noticesSent(): Promise<void> {
  const current = run();
  while (current.noticesInFlight.length) {
    const pending = current.noticesInFlight;
    current.noticesInFlight = [];
    await Promise.all(pending);
  }
}

/** Emails in older runs: regular activities, retried for long, visible in the UI as their own activities. */
const NOTIFY_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: [ErrorType.NotFound],
  },
} satisfies ActivityOptions;

const notifyByActivity = proxyActivities<Activities>(NOTIFY_OPTIONS);

/**
 * Newer runs (LEAN_HISTORY) only put the email into the Postgres outbox from a local activity — one
 * marker in the history instead of an activity and a workflow task — and the worker's outbox relay
 * sends it, so SMTP never blocks a workflow nor grows its history. Retries here are for Postgres.
 */
const notifyByLocalActivity = proxyLocalActivities<Activities>(NOTIFY_OPTIONS satisfies LocalActivityOptions);

/** The email activities for this run: local in newer runs. No notice is sent from an Update handler. */
export const mail = () => (patched(LEAN_HISTORY) ? notifyByLocalActivity : notifyByActivity);

/** Sends one notice, with a summary the Temporal UI shows on the activity ("Email student: paid"). */
export const tell = (notice: Notice) =>
  mail().notifyParty.executeWithOptions(
    { ...NOTIFY_OPTIONS, summary: `Email ${notice.to}: ${notice.kind}` },
    [notice],
  );

/** Money: Stripe calls with idempotency keys from the workflow id and the step, so retries are safe. */
export const payments = proxyActivities<Activities>({
  summary: 'Money: a Stripe call keyed internship:<id>:<step>, recorded in the ledger',
  startToCloseTimeout: '1 minute',
  // Stripe calls heartbeat every second: a worker that dies mid-call is noticed in seconds.
  heartbeatTimeout: '5 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    nonRetryableErrorTypes: [ErrorType.NotFound],
  },
});

/**
 * Writes made inside Update handlers run as regular activities: as local activities they did not
 * replay deterministically when several Updates landed in the first workflow task (the replay suite
 * over test/histories found it).
 */
export const handlerRecords = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
});

/** Read-model writes: small idempotent SQL, run as local activities to keep the history short. */
export const records = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
});
