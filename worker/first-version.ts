/**
 * The first version of a Worker Deployment becomes its current version by itself, so a first
 * deployment runs workflows without a manual step. Every later version waits to be promoted (ramp,
 * then current: docs/DEPLOYMENT.md, "Rolling out new code"); this never changes a choice an
 * operator made.
 */
import type { WorkflowService } from '@temporalio/client';
import type { Logger } from 'pino';

/** gRPC codes that mean "not yet": the version is registered by its workers' first polls. */
const NOT_YET = new Set([5 /* NOT_FOUND */, 9 /* FAILED_PRECONDITION */, 14 /* UNAVAILABLE */]);

export type FirstVersionOutcome = 'became current' | 'already current' | 'waits for promotion';

export async function becomeCurrentIfFirst(options: {
  workflowService: WorkflowService;
  namespace: string;
  version: { deploymentName: string; buildId: string };
  logger: Logger;
  identity?: string;
  /** How long the worker's polls may take to register the version. */
  timeoutMs?: number;
}): Promise<FirstVersionOutcome> {
  const { workflowService, namespace, version, logger } = options;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    try {
      const { conflictToken, workerDeploymentInfo } = await workflowService.describeWorkerDeployment({
        namespace,
        deploymentName: version.deploymentName,
      });
      const routing = workerDeploymentInfo?.routingConfig;
      const current = routing?.currentDeploymentVersion?.buildId;
      if (current === version.buildId) return report('already current');
      // A current version chosen once (even "unversioned") has a change time: leave it to the operator.
      if (routing?.currentVersionChangedTime) return report('waits for promotion', current);
      await workflowService.setWorkerDeploymentCurrentVersion({
        namespace,
        deploymentName: version.deploymentName,
        buildId: version.buildId,
        conflictToken,
        identity: options.identity ?? 'micro-internships worker (first version)',
      });
      return report('became current');
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code === undefined || !NOT_YET.has(code) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  function report(outcome: FirstVersionOutcome, current?: string | null): FirstVersionOutcome {
    logger.info(
      { deployment: version.deploymentName, buildId: version.buildId, current: current ?? null, outcome },
      `worker version ${outcome}`,
    );
    return outcome;
  }
}
