/** The daily email to operations staff: overdue decisions, open disputes, payouts waiting. */
import { proxyActivities, setWorkflowOptions, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { sendOpsDigest } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' },
});

export async function opsDigestWorkflow(): Promise<{ items: number }> {
  return sendOpsDigest();
}

// One activity and done: on versioned workers a run finishes on the version that started it, so it
// never meets code it did not start with. Unversioned workers must not declare a behaviour (the
// server refuses the workflow task), hence the getter, read when a run starts.
setWorkflowOptions(
  () => (workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: 'PINNED' } : {}),
  opsDigestWorkflow,
);
