import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { createPool, type Db } from '../../db/pool';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../workflows/definitions';
import { dataConverterFrom } from '../../lib/data-converter';
import { workflowBundleOptions } from '../../worker/workflow-bundle';
import { tracingWorkerOptions } from '../../worker/create-worker';
import { testConfig, uniqueSuffix } from './env';
import { realActivities, silentBundlerLogger } from './activities';

const { IndexedValueType } = temporal.api.enums.v1;
const indexedType = {
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Datetime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  Int: IndexedValueType.INDEXED_VALUE_TYPE_INT,
};

/**
 * One Java time-skipping server for this test file (time skipping is global to a server), from the
 * provisioned path, with the custom search attributes registered; and the workflow bundle, built once.
 */
export async function startTimeSkipping(): Promise<{ env: TestWorkflowEnvironment; bundle: WorkflowBundle }> {
  const path = process.env.TEMPORAL_TEST_SERVER;
  const dataConverter = dataConverterFrom(testConfig());
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    ...(path && path !== 'sdk-download' ? { server: { executable: { type: 'existing-path', path } } } : {}),
    client: { dataConverter },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      Object.entries(SEARCH_ATTRIBUTE_DEFINITIONS).map(([name, type]) => [name, indexedType[type]]),
    ),
  });
  const bundle = await bundleWorkflowCode({
    ...workflowBundleOptions(dataConverter),
    logger: silentBundlerLogger,
  });
  return { env, bundle };
}

/** Registers this file's beforeAll/afterAll: the time-skipping server, the bundle and a Postgres pool. */
export function useTimeSkipping(): {
  env: () => TestWorkflowEnvironment;
  bundle: () => WorkflowBundle;
  db: () => Db;
  withWorker: <T>(play: (taskQueue: string) => Promise<T>) => Promise<T>;
} {
  let env: TestWorkflowEnvironment | undefined;
  let bundle: WorkflowBundle | undefined;
  let db: Db | undefined;
  beforeAll(async () => {
    ({ env, bundle } = await startTimeSkipping());
    db = createPool(testConfig().DATABASE_URL, 4);
  });
  afterAll(async () => {
    await db?.end();
    await env?.teardown();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the time-skipping environment is not started');
    return value;
  };
  /** Runs `play` while a worker with the real activities serves a task queue of its own. */
  const withWorker = async <T>(play: (taskQueue: string) => Promise<T>): Promise<T> => {
    const taskQueue = `ts-${uniqueSuffix()}`;
    const { activities, stopRelay } = realActivities(testConfig(), ready(db));
    const worker = await Worker.create({
      ...tracingWorkerOptions(),
      connection: ready(env).nativeConnection,
      taskQueue,
      workflowBundle: ready(bundle),
      activities,
      dataConverter: dataConverterFrom(testConfig()),
    });
    try {
      return await worker.runUntil(() => play(taskQueue));
    } finally {
      await stopRelay();
    }
  };
  return { env: () => ready(env), bundle: () => ready(bundle), db: () => ready(db), withWorker };
}

/**
 * Ends a test's workflow that still runs. Waits for its in-flight activities first: the Java test
 * server keeps time-skipping locked for an activity whose workflow was terminated under it, which
 * would stall every later `env.sleep` in the file.
 */
export async function terminateWhenIdle(handle: WorkflowHandle): Promise<void> {
  // Idle twice in a row: no activity in flight and no workflow task (local activities run inside one).
  for (let i = 0, idle = 0; i < 100 && idle < 2; i++) {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') return;
    idle = !description.raw.pendingActivities?.length && !description.raw.pendingWorkflowTask ? idle + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await handle.terminate('test finished');
}

/**
 * With RECORD_HISTORIES=1, saves the workflow's history under test/histories/ named after the test,
 * for the replay suite (`test/replay`) to check that later workflow code still replays it.
 */
export async function recordHistory(handle: WorkflowHandle, testName: string): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const history = await handle.fetchHistory();
  const name = testName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
  const dir = path.resolve(__dirname, '..', 'histories');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.json`), historyToJSON(history));
}
