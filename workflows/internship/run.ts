/**
 * What one run of the internship workflow settles at its start and keeps to its end: the length of
 * its day, the rules its patches chose, and the emails it has started. Created by `beginRun` before
 * anything reads it; module state is per execution in the workflow sandbox, so replays agree.
 */
import { patched } from '@temporalio/workflow';
import type { InternshipInput } from '../definitions';
import { DAY_MS } from '../durations';

/**
 * One patch for the changes that keep a lifecycle's history short (see docs/VERSIONING.md): no I/O in
 * the feedback Update, notices that go out at the same moment sent side by side, and the earlier
 * patches 'applications-stored-by-api' and 'employer-work-started-notice' implied, so a new run
 * records one patch marker instead of three.
 */
export const LEAN_HISTORY = 'lean-history';

/**
 * Since 'applications-reopen' (docs/VERSIONING.md): the cap counts applications still standing, a
 * withdrawal before the application deadline reopens a posting the cap closed, and an offer is
 * recorded on its application before the posting shows Offered (the API authorizes offer responses
 * from that row). Decided once at the start of a run, so a run keeps the rules it started with.
 */
export const REOPEN = 'applications-reopen';

/**
 * Since 'outcomes-told' (docs/VERSIONING.md): every money movement is told with its amount to each
 * party it concerns (the employer who cancels funded work learns of the refund; dispute emails name
 * both amounts); an engagement that ended keeps its status (Cancelled after a kill fee, Completed
 * after a dispute with a share) while its payout waits, shown beside it; a dispute settled with a
 * share goes on to the follow-up, with a credential only at 100%. Decided once at the start of a run.
 */
export const OUTCOMES_TOLD = 'outcomes-told';

export interface Run {
  /**
   * The length of a day for the platform's own windows: real unless the posting was made with
   * HUMAN_DAY_SECONDS shortened (demos, benchmarks, staging). Dates people name (a new due date, a
   * hiring offer's expiry) are checked in calendar days.
   */
  dayMs: number;
  /** The rules of REOPEN, decided once, so a run keeps the rules it started with. */
  reopensOnWithdrawal: boolean;
  /** The rules of OUTCOMES_TOLD, decided once. */
  outcomesTold: boolean;
  /** Emails started and not yet awaited (newer runs): awaited at the next `noticesSent()` and before the end. */
  noticesInFlight: Promise<unknown>[];
}

let current: Run | undefined;

/** Starts a run of `input`: the first thing the workflow does. */
export function beginRun(input: InternshipInput): void {
  current = {
    dayMs: input.dayMs ?? DAY_MS,
    reopensOnWithdrawal: patched(REOPEN),
    outcomesTold: patched(OUTCOMES_TOLD),
    noticesInFlight: [],
  };
}

/** This run. */
export function run(): Run {
  if (!current) throw new Error('the internship workflow has not begun its run');
  return current;
}

/** Durations on this run's day. */
export const days = (n: number): number => n * run().dayMs;
export const hours = (n: number): number => (n * run().dayMs) / 24;

export const iso = (ms: number) => new Date(ms).toISOString();
