import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { readBacklog, type Backlog } from '../db/backlog';
import type { Db } from '../db/pool';

/** The server-side limit of the scrape's query, and the most a scrape waits for its answer. */
const QUERY_TIMEOUT_MS = 1000;
const WAIT_MS = 1500;

const GAUGES: { name: string; help: string; value: (b: Backlog) => number }[] = [
  {
    name: 'microinternships_outbox_unsent',
    help: 'Emails in the outbox (email_outbox) not sent yet',
    value: (b) => b.outboxUnsent,
  },
  {
    name: 'microinternships_outbox_oldest_unsent_age_seconds',
    help: 'Age of the oldest email not sent yet; 0 when none waits',
    value: (b) => b.outboxOldestUnsentAgeSeconds,
  },
  {
    name: 'microinternships_payouts_waiting',
    help: "Internships whose student's payout is not made yet (Paying, or payout pending)",
    value: (b) => b.payoutsWaiting,
  },
  {
    name: 'microinternships_payouts_oldest_waiting_age_seconds',
    help: 'How long the longest-waiting payout has waited; 0 when none waits',
    value: (b) => b.payoutsOldestWaitingAgeSeconds,
  },
];

/**
 * The outbox backlog and the payouts waiting, read from Postgres when Prometheus scrapes (one query
 * for the four gauges). Every API process reports the same database: aggregate with max(). A reading
 * that fails or takes too long is reported as NaN (unknown) rather than holding the scrape.
 */
export function registerBacklogMetrics(registry: Registry, db: Db, logger: Logger): void {
  if (registry.getSingleMetric(GAUGES[0]!.name)) return; // one app per registry, but never twice
  let reading: Promise<Backlog | undefined> | undefined;
  // The gauges are collected together, at each scrape: they share one reading.
  const read = () =>
    (reading ??= withinMs(readBacklog(db, QUERY_TIMEOUT_MS), WAIT_MS)
      .catch((err: unknown) => {
        logger.warn({ err: (err as Error).message }, 'metrics: could not read the backlog');
        return undefined;
      })
      .finally(() => {
        reading = undefined;
      }));
  for (const { name, help, value } of GAUGES) {
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const backlog = await read();
        this.set(backlog ? value(backlog) : NaN);
      },
    });
  }
}

function withinMs<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
