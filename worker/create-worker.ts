import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** A prebuilt bundle (tests build one per file, with the same failure converter); otherwise the worker bundles `workflows/`. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** The payload codec and failure converter (lib/data-converter.ts); plain payloads without. */
  dataConverter?: DataConverter;
  /**
   * Worker Versioning: this worker is `buildId` of the Worker Deployment `deploymentName`, and takes
   * only the tasks the server routes to that version (docs/DEPLOYMENT.md). Unversioned without it.
   */
  version?: { deploymentName: string; buildId: string };
}

export function createWorker(deps: WorkerDeps): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    activities: deps.activities,
    ...(deps.dataConverter ? { dataConverter: deps.dataConverter } : {}),
    ...(deps.version
      ? {
          workerDeploymentOptions: {
            version: deps.version,
            useWorkerVersioning: true,
            // A micro-internship runs for weeks: it moves to each new version on its next workflow
            // task, and code changes stay compatible through patched() (docs/VERSIONING.md). Short
            // workflows declare PINNED themselves (workflows/ops-digest.ts).
            defaultVersioningBehavior: 'AUTO_UPGRADE' as const,
          },
        }
      : {}),
    // On SIGTERM: stop polling, let running activities (a Stripe call, an email) finish for up to
    // 30 s, and give up after 60 s; compose's stop_grace_period is 60 s to match.
    shutdownGraceTime: '30 seconds',
    shutdownForceTime: '60 seconds',
    ...(deps.workflowBundle
      ? { workflowBundle: deps.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
  });
}
