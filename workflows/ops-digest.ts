/** The daily email to operations staff: overdue decisions, open disputes, payouts waiting. */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { sendOpsDigest } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' },
});

export async function opsDigestWorkflow(): Promise<{ items: number }> {
  return sendOpsDigest();
}
