/**
 * What one workflow costs in a worker thread's heap before it runs: the workflow code built as the
 * image builds it, loaded into the SDK's reusable V8 context (the worker's default), and N workflows
 * created in it (each one instantiates every module of the bundle that is not preloaded: its own
 * copy). Prints KiB per workflow. It is the part of a cached workflow's memory that the bundle's
 * shape decides (workflows/preload.ts); the soak measures the whole.
 *
 *   node --expose-gc --import tsx scripts/prove/sandbox-heap.ts [N=200] [--no-interceptors]
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm';
import type { WorkflowCreateOptions } from '@temporalio/worker/lib/workflow/interface';
import { TypedSearchAttributes } from '@temporalio/common';
import { dataConverterFrom } from '../../lib/data-converter';
import { workflowBundleOptions } from '../../worker/workflow-bundle';

const n = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 200);
const withInterceptors = !process.argv.includes('--no-interceptors');
const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

function optionsFor(i: number): WorkflowCreateOptions {
  const runId = `run-${i}`;
  const now = new Date();
  return {
    info: {
      workflowId: `internship-${i}`,
      runId,
      workflowType: 'internshipWorkflow',
      searchAttributes: {},
      typedSearchAttributes: new TypedSearchAttributes(),
      taskQueue: 'sandbox-heap',
      namespace: 'default',
      firstExecutionRunId: runId,
      originalExecutionRunId: runId,
      startTime: now,
      runStartTime: now,
      taskTimeoutMs: 10_000,
      attempt: 1,
      historyLength: 3,
      historySize: 0,
      continueAsNewSuggested: false,
      targetWorkerDeploymentVersionChanged: false,
      suggestedContinueAsNewReasons: [],
      currentBuildId: '',
      unsafe: { now: Date.now, isReplaying: false, isReplayingHistoryEvents: false, random: Math.random },
    },
    randomnessSeed: [i, 1],
    now: now.getTime(),
    showStackTraceSources: false,
  } as unknown as WorkflowCreateOptions;
}

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const converter = dataConverterFrom({ PAYLOAD_KEYS: `build:${Buffer.alloc(32).toString('base64')}` });
  const options = workflowBundleOptions(converter);
  const { code } = await bundleWorkflowCode({
    ...options,
    workflowInterceptorModules: withInterceptors ? options.workflowInterceptorModules : [],
    logger: silent,
  });
  // The worker reads the source map from the bundle's last line the same way.
  const mapAt = code.lastIndexOf('//# sourceMappingURL=data:');
  const sourceMap = JSON.parse(
    Buffer.from(code.slice(code.indexOf('base64,', mapAt) + 7).trimEnd(), 'base64').toString(),
  ) as object;
  const creator = await ReusableVMWorkflowCreator.create(
    { code, sourceMap, filename: 'workflow-bundle.js' } as never,
    5_000,
    new Set(),
    undefined,
  );
  gc();
  const before = process.memoryUsage().heapUsed;
  const held = [];
  for (let i = 0; i < n; i++) held.push(await creator.createWorkflow(optionsFor(i)));
  gc();
  const after = process.memoryUsage().heapUsed;
  console.log(
    `${n} workflows created${withInterceptors ? '' : ' (no tracing interceptors)'}: ` +
      `${Math.round((after - before) / n / 1024)} KiB each; heap ${Math.round(before / 2 ** 20)} → ${Math.round(after / 2 ** 20)} MiB; bundle ${(code.length / 1e6).toFixed(2)} MB`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
