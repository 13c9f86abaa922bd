/** The daily email to operations staff: overdue decisions, open disputes, payouts waiting. */
import { proxyActivities, setWorkflowOptions } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { sendOpsDigest } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' },
});

export async function opsDigestWorkflow(): Promise<{ items: number }> {
  return sendOpsDigest();
}

// One activity and done: a run finishes on the version that started it (Worker Versioning), so it
// never meets code it did not start with.
setWorkflowOptions({ versioningBehavior: 'PINNED' }, opsDigestWorkflow);
