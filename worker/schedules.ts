import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import type { opsDigestWorkflow } from '../workflows/ops-digest';

/**
 * Creates the daily ops digest Schedule unless it exists: every worker calls this at start, and a
 * second start (or a second worker) finds it and leaves it alone.
 */
export async function ensureOpsDigestSchedule(
  client: Client,
  taskQueue: string,
  /** OPS_DIGEST_SCHEDULE_ID of lib/config.ts, the one place that names it. */
  scheduleId: string,
): Promise<'created' | 'exists'> {
  try {
    await client.schedule.create({
      scheduleId,
      spec: { calendars: [{ hour: 8, minute: 0, comment: 'every day at 08:00 UTC' }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'opsDigestWorkflow' satisfies (typeof opsDigestWorkflow)['name'],
        taskQueue,
        workflowId: scheduleId,
      },
      memo: { purpose: 'Daily email to ops: overdue decisions, open disputes, payouts waiting' },
    });
    return 'created';
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return 'exists';
    throw err;
  }
}
