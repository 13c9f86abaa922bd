/**
 * The outbox relay: the email sender of the worker and of the API. A notice (or the API's sign-in
 * email) puts its email into the outbox and hands it over (sendSoon), which sends it at once in the
 * background on the relay's own connections; a periodic sweep (the worker's) sends what is still
 * unsent — SMTP was down, or the process died before sending. The row lock in sendQueued lets only
 * one process send a given email, and the stable Message-ID lets a receiving server drop a repeat.
 */
import { sendQueued } from './outbox';
import type { Mailer } from './mailer';
import type { Db } from '../../db/pool';
import type { Logger } from '../logger';

export interface OutboxRelay {
  /** Sends this queued email in the background now; a failure leaves it to the next sweep. */
  sendSoon: (dedupeKey: string) => void;
  /** One pass: sends what waits (oldest first) until SMTP fails again; returns how many went out. */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

export function startOutboxRelay(deps: {
  db: Db;
  mailer: Mailer;
  logger: Logger;
  /** How often to look; 0 starts no timer (tests call sweep()). */
  intervalMs: number;
  /** An email younger than this is left to the notice that queued it. */
  minAgeMs?: number;
  batch?: number;
  /** Emails sent at once by sendSoon. */
  concurrency?: number;
}): OutboxRelay {
  const minAgeMs = deps.minAgeMs ?? 10_000;
  let running: Promise<number> | null = null;
  const sending = new Set<Promise<unknown>>();
  // A few at a time, so a burst (199 "not selected" emails) never takes the connections the
  // workflow's own activities need; what a dead worker leaves waiting, the sweep finds.
  const concurrency = deps.concurrency ?? 2;
  const waiting: string[] = [];
  const pump = () => {
    while (sending.size < concurrency && waiting.length) {
      const dedupeKey = waiting.shift()!;
      const send = sendQueued(deps, dedupeKey)
        .catch((err: unknown) =>
          deps.logger.warn({ dedupeKey, err: (err as Error).message }, 'email left to the outbox relay'),
        )
        .finally(() => {
          sending.delete(send);
          pump();
        });
      sending.add(send);
    }
  };

  const pass = async (): Promise<number> => {
    const { rows } = await deps.db.query<{ dedupe_key: string }>(
      `SELECT dedupe_key FROM email_outbox
        WHERE sent_at IS NULL AND created_at < now() - make_interval(secs => $1)
        ORDER BY created_at LIMIT $2`,
      [minAgeMs / 1000, deps.batch ?? 100],
    );
    let sent = 0;
    for (const { dedupe_key } of rows) {
      const result = await sendQueued(deps, dedupe_key);
      if (result.deferred) break; // SMTP is still down: try again next time
      if (result.sent) sent++;
    }
    if (sent) deps.logger.info({ sent }, 'outbox relay sent queued emails');
    return sent;
  };
  const sweep = () => {
    running ??= pass().finally(() => (running = null));
    return running;
  };
  const timer =
    deps.intervalMs > 0
      ? setInterval(() => {
          sweep().catch((err: unknown) =>
            deps.logger.warn({ err: (err as Error).message }, 'outbox relay pass failed'),
          );
        }, deps.intervalMs)
      : null;
  timer?.unref();
  return {
    sendSoon: (dedupeKey) => {
      waiting.push(dedupeKey);
      pump();
    },
    sweep,
    stop: async () => {
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
      while (sending.size) await Promise.all(sending);
    },
  };
}
