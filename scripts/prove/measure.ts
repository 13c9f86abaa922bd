/** Latency samples per route, percentiles, and a fixed-concurrency or fixed-rate runner. */

export class Latencies {
  private readonly samples = new Map<string, number[]>();
  private readonly failures = new Map<string, number>();

  readonly record = (route: string, ms: number, status: number): void => {
    if (status === 0 || status >= 500) this.failures.set(route, (this.failures.get(route) ?? 0) + 1);
    let list = this.samples.get(route);
    if (!list) this.samples.set(route, (list = []));
    list.push(ms);
  };

  samplesOf(route: string): number[] {
    return this.samples.get(route) ?? [];
  }

  summary(): RouteSummary[] {
    return [...this.samples.entries()]
      .map(([route, list]) => {
        const sorted = [...list].sort((a, b) => a - b);
        return {
          route,
          count: sorted.length,
          failed: this.failures.get(route) ?? 0,
          p50: percentile(sorted, 50),
          p95: percentile(sorted, 95),
          p99: percentile(sorted, 99),
          max: sorted.at(-1) ?? 0,
        };
      })
      .sort((a, b) => a.route.localeCompare(b.route));
  }
}

export interface RouteSummary {
  route: string;
  count: number;
  failed: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Percentile over every sample of the routes `pick` selects. */
export function pooled(latencies: Latencies, pick: (route: string) => boolean, p: number): number {
  const all: number[] = [];
  for (const r of latencies.summary()) if (pick(r.route)) all.push(...latencies.samplesOf(r.route));
  return percentile(
    all.sort((a, b) => a - b),
    p,
  );
}

export interface RunResult {
  completed: number;
  failed: number;
  errors: string[];
  seconds: number;
  perMinute: number;
}

/** Runs `total` jobs with at most `concurrency` at once. */
export async function closedLoop(
  total: number,
  concurrency: number,
  job: (n: number) => Promise<unknown>,
): Promise<RunResult> {
  let next = 0;
  let completed = 0;
  const errors: string[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) {
        const n = next++;
        try {
          await job(n);
          completed++;
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { completed, failed: errors.length, errors, seconds, perMinute: (completed / seconds) * 60 };
}

/** Starts `total` jobs at `perMinute`, evenly spaced, whatever the others are doing (an open loop). */
export async function openLoop(
  total: number,
  perMinute: number,
  job: (n: number) => Promise<unknown>,
): Promise<RunResult> {
  const errors: string[] = [];
  let completed = 0;
  const gapMs = 60_000 / perMinute;
  const started = performance.now();
  const running: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    const due = started + n * gapMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    running.push(
      job(n).then(
        () => void completed++,
        (err: unknown) => void errors.push((err as Error).message),
      ),
    );
  }
  await Promise.all(running);
  const seconds = (performance.now() - started) / 1000;
  return { completed, failed: errors.length, errors, seconds, perMinute: (completed / seconds) * 60 };
}

/** From queued to sent, per email in the outbox: p50 / p95 / max in ms, and how many are unsent. */
export async function emailDelays(db: {
  query: <R>(sql: string) => Promise<{ rows: R[] }>;
}): Promise<{ sent: number; unsent: number; p50: number; p95: number; max: number }> {
  const { rows } = await db.query<{ sent: string; unsent: string; p50: number; p95: number; max: number }>(
    `SELECT count(sent_at) AS sent, count(*) - count(sent_at) AS unsent,
            coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM sent_at - created_at)), 0) * 1000 AS p50,
            coalesce(percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM sent_at - created_at)), 0) * 1000 AS p95,
            coalesce(max(extract(epoch FROM sent_at - created_at)), 0) * 1000 AS max
       FROM email_outbox`,
  );
  const r = rows[0]!;
  const ms = (v: number) => Math.round(Number(v));
  return { sent: Number(r.sent), unsent: Number(r.unsent), p50: ms(r.p50), p95: ms(r.p95), max: ms(r.max) };
}
