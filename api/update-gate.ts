import { randomUUID } from 'node:crypto';
import type { Db } from '../db/pool';
import { releaseUpdateSlot, takeUpdateSlot } from '../db/update-leases';
import { TryAgainShortly } from './problem';

/** The queue for one workflow ran past the request's deadline before an Update slot was free. */
export class InternshipBusy extends TryAgainShortly {
  static readonly type = '/problems/InternshipBusy';
  constructor() {
    super(
      InternshipBusy.type,
      'This micro-internship is answering many requests at once; nothing was changed, retry in a moment',
    );
  }
}

interface Lane {
  running: number;
  waiting: Array<() => void>;
}

/**
 * Sends at most `limit` Updates at a time to each workflow and queues the rest in arrival order.
 * A queued call that is still waiting at its deadline (or is admitted less than a second before it)
 * gives up with `InternshipBusy` before anything was sent, so its retry is safe.
 *
 * Why: Temporal keeps at most `history.maxInFlightUpdates` Updates in flight per workflow (10 by
 * default) and refuses one more with RESOURCE_EXHAUSTED. On Temporal 1.29 each such refusal was
 * followed by "workflow update was aborted" for the Updates already admitted, which the server and
 * the client then retried, to collide again: a burst of 20 applications to one posting aborted about
 * 40 Updates, and on a busy machine some ran past the API's 10 s deadline (503).
 */
/** A queued call admitted with less time than this before its deadline is not sent. */
const MIN_MS_TO_SEND = 1_000;

export class UpdateGate {
  private readonly lanes = new Map<string, Lane>();

  /**
   * `limit` Updates run at once per workflow and at most `maxWaiting` calls wait behind them: one
   * more is refused at once (`InternshipBusy`), so a flood on one micro-internship holds a bounded
   * number of requests, and the person it concerns is answered instead of queued behind it.
   */
  constructor(
    readonly limit: number,
    readonly maxWaiting = Number.POSITIVE_INFINITY,
  ) {}

  async run<T>(workflowId: string, deadline: number, work: () => Promise<T>): Promise<T> {
    await this.enter(workflowId, deadline);
    try {
      return await work();
    } finally {
      this.leave(workflowId);
    }
  }

  /** Updates sent to `workflowId` and not yet answered, and calls queued behind them. */
  load(workflowId: string): { running: number; waiting: number } {
    const lane = this.lanes.get(workflowId);
    return { running: lane?.running ?? 0, waiting: lane?.waiting.length ?? 0 };
  }

  private enter(workflowId: string, deadline: number): Promise<void> {
    let lane = this.lanes.get(workflowId);
    if (!lane) {
      lane = { running: 0, waiting: [] };
      this.lanes.set(workflowId, lane);
    }
    if (lane.running < this.limit) {
      lane.running += 1;
      return Promise.resolve();
    }
    if (lane.waiting.length >= this.maxWaiting) return Promise.reject(new InternshipBusy());
    const queue = lane;
    return new Promise((resolve, reject) => {
      // The slot of the call that leaves passes straight to this one: `running` stays as it is.
      const admit = () => {
        clearTimeout(timer);
        if (deadline - Date.now() >= MIN_MS_TO_SEND) return resolve();
        // Admitted too close to its deadline for an Update to finish: it gives up unsent, and the
        // slot passes on.
        this.leave(workflowId);
        reject(new InternshipBusy());
      };
      const timer = setTimeout(
        () => {
          queue.waiting.splice(queue.waiting.indexOf(admit), 1);
          reject(new InternshipBusy());
        },
        Math.max(0, deadline - Date.now()),
      );
      queue.waiting.push(admit);
    });
  }

  private leave(workflowId: string): void {
    const lane = this.lanes.get(workflowId)!;
    const next = lane.waiting.shift();
    if (next) return next();
    lane.running -= 1;
    if (lane.running === 0) this.lanes.delete(workflowId);
  }
}

/** A lease outlives the longest an Update may take (the API's 10 s deadline) by a margin. */
const LEASE_SECONDS = 15;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The same queue, and beside it a limit shared by every API process: an Update runs only while it
 * holds one of the workflow's `limit` slots in Postgres (db/update-leases.ts), so a burst of actions
 * on one micro-internship stays under Temporal's per-workflow limit however many replicas receive
 * it. A call that finds no free slot before its deadline gives up unsent (`InternshipBusy`).
 */
export class SharedUpdateGate extends UpdateGate {
  constructor(
    private readonly db: Db,
    limit: number,
    maxWaiting?: number,
  ) {
    super(limit, maxWaiting);
  }

  override run<T>(workflowId: string, deadline: number, work: () => Promise<T>): Promise<T> {
    return super.run(workflowId, deadline, async () => {
      const holder = randomUUID();
      const slot = await this.lease(workflowId, holder, deadline);
      try {
        return await work();
      } finally {
        await releaseUpdateSlot(this.db, { workflowId, slot, holder }).catch(() => undefined);
      }
    });
  }

  private async lease(workflowId: string, holder: string, deadline: number): Promise<number> {
    for (let wait = 5; ; wait = Math.min(50, Math.ceil(wait * 1.5))) {
      const slot = await takeUpdateSlot(this.db, {
        workflowId,
        holder,
        slots: this.limit,
        seconds: LEASE_SECONDS,
      });
      if (slot !== undefined) return slot;
      if (Date.now() + wait > deadline - MIN_MS_TO_SEND) throw new InternshipBusy();
      await sleep(wait);
    }
  }
}
