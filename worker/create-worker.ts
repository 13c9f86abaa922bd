import type { DataConverter } from '@temporalio/common';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { Resource } from '@opentelemetry/resources';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Activities } from '../activities';
import type { Tracing } from '../lib/tracing';
import { workflowBundleOptions } from './workflow-bundle';

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
  /** Where spans go (lib/tracing.ts); nowhere without it. */
  tracing?: Pick<Tracing, 'spanProcessor' | 'resource' | 'tracer'>;
  /** Workflows kept in memory between tasks (WORKER_MAX_CACHED_WORKFLOWS); the SDK's default without it. */
  maxCachedWorkflows?: number;
  /** Threads running workflow code (WORKER_WORKFLOW_THREADS); the SDK's default (1) without it. */
  workflowThreads?: number;
}

/**
 * The worker's half of tracing, for every worker of this code (its bundle holds the workflow half,
 * worker/workflow-bundle.ts): activities run in a span under the workflow's, and the workflow's
 * spans leave the sandbox through the `exporter` sink, which must exist even when tracing is off.
 */
export function tracingWorkerOptions(
  tracing?: WorkerDeps['tracing'],
): Required<Pick<WorkerOptions, 'interceptors' | 'sinks'>> {
  const options = tracing?.tracer ? { tracer: tracing.tracer } : {};
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx, options),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: {
      exporter: makeWorkflowExporter(
        tracing?.spanProcessor ?? new NoopSpanProcessor(),
        tracing?.resource ?? Resource.empty(),
      ),
    },
  };
}

export function createWorker(deps: WorkerDeps): Promise<Worker> {
  const tracing = tracingWorkerOptions(deps.tracing);
  // Prebuilt, or bundled now with the same modules (the worker adds the failure converter itself).
  const bundle = workflowBundleOptions(deps.dataConverter ?? {});
  const code = deps.workflowBundle
    ? { workflowBundle: deps.workflowBundle }
    : {
        workflowsPath: bundle.workflowsPath,
        interceptors: { ...tracing.interceptors, workflowModules: bundle.workflowInterceptorModules },
        bundlerOptions: {
          preloadModules: bundle.preloadModules,
          webpackConfigHook: bundle.webpackConfigHook,
        },
      };
  return Worker.create({
    ...tracing,
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    activities: deps.activities,
    ...(deps.dataConverter ? { dataConverter: deps.dataConverter } : {}),
    ...(deps.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: deps.maxCachedWorkflows } : {}),
    ...(deps.workflowThreads !== undefined ? { workflowThreadPoolSize: deps.workflowThreads } : {}),
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
    ...code,
  });
}
