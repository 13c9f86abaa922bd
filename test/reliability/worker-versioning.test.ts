/**
 * Deployments without stopping (docs/DEPLOYMENT.md, "Rolling out new code"): two worker versions of
 * one Worker Deployment against one server. A micro-internship started on v1 moves to v2 when v2
 * becomes current and completes there; the documented rollback command moves a running one back.
 * The versions are switched with the Temporal CLI commands the docs give.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { NativeConnection } from '@temporalio/worker';
import pino from 'pino';
import type { Activities } from '../../activities';
import { dataConverterFrom } from '../../lib/data-converter';
import { readTools } from '../../scripts/stack/tools';
import { createWorker } from '../../worker/create-worker';
import { becomeCurrentIfFirst } from '../../worker/first-version';
import { buildWorkflowBundle } from '../../worker/workflow-bundle';
import { internshipWorkflowId } from '../../workflows/definitions';
import {
  applyAs,
  newEmployer,
  newPosting,
  newStudent,
  payoutAccountReady,
  selectAcceptAndSubmit,
  waitForStatus,
} from '../helpers/actors';
import { silentBundlerLogger } from '../helpers/activities';
import { uniqueSuffix } from '../helpers/env';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { waitForEmail } from '../helpers/inbox';
import { startWorkerProcess } from '../helpers/worker-process';

const run = promisify(execFile);

let h: ApiHarness;
const deployment = `micro-internships-test-${uniqueSuffix()}`;
const v1 = 'v1-before-the-change';
let v2: string;
let bundleFile: string;
const workers: Record<string, Awaited<ReturnType<typeof startWorkerProcess>>> = {};

beforeAll(async () => {
  h = await startApiHarness({ worker: false });
  // v2 is what the image ships: the prebuilt bundle, its hash the build id; v1 bundles at start.
  bundleFile = path.join(os.tmpdir(), `mi-bundle-${uniqueSuffix()}.js`);
  v2 = (await buildWorkflowBundle(bundleFile, silentBundlerLogger)).buildId;
  workers[v1] = await startWorkerProcess(h, {
    TEMPORAL_WORKER_DEPLOYMENT: deployment,
    TEMPORAL_WORKER_BUILD_ID: v1,
  });
}, 120_000);
afterAll(async () => {
  await Promise.all(Object.values(workers).map((w) => w.stop()));
  await h?.stop();
});

/** `temporal worker deployment …` against the test server, as an operator would type it. */
function temporalCli(...args: string[]) {
  return run(readTools().temporal, [
    'worker',
    'deployment',
    ...args,
    '--address',
    h.temporalTarget.address,
    '--namespace',
    h.temporalTarget.namespace,
  ]);
}

/** The rollout (and rollback) command; a version is known once its workers have polled. */
async function setCurrentVersion(buildId: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await temporalCli(
        'set-current-version',
        '--deployment-name',
        deployment,
        '--build-id',
        buildId,
        '--yes',
      );
      return;
    } catch (err) {
      if (attempt >= 60) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** The build id of every workflow task the internship's workflow completed, in order. */
async function versionsThatRan(internshipId: string): Promise<string[]> {
  const history = await h.temporal.workflow.getHandle(internshipWorkflowId(internshipId)).fetchHistory();
  return (history.events ?? []).flatMap((e) =>
    e.workflowTaskCompletedEventAttributes
      ? [e.workflowTaskCompletedEventAttributes.deploymentVersion?.buildId ?? 'unversioned']
      : [],
  );
}

async function logSays(worker: { log: () => string }, text: string): Promise<void> {
  for (let i = 0; i < 300 && !worker.log().includes(text); i++) await new Promise((r) => setTimeout(r, 100));
  expect(worker.log()).toContain(text);
}

/** Collapses runs of one version: ['v1', 'v1', 'v2'] → ['v1', 'v2']. */
const phases = (ids: string[]) => ids.filter((id, i) => id !== ids[i - 1]);

async function behaviourOf(workflowId: string) {
  const { workflowExecutionInfo } = await h.temporal.workflowService.describeWorkflowExecution({
    namespace: h.temporalTarget.namespace,
    execution: { workflowId },
  });
  const info = workflowExecutionInfo?.versioningInfo;
  return { buildId: info?.deploymentVersion?.buildId, behavior: info?.behavior };
}

test('the first version of a new deployment becomes current by itself', async () => {
  await logSays(workers[v1]!, 'worker version became current');
}, 60_000);

test('a micro-internship started on v1 moves to v2 when v2 becomes current, and completes there', async () => {
  const employer = await newEmployer(h);
  const student = await newStudent(h, 'Vera Okafor');
  const id = await newPosting(h, employer);
  const applied = await applyAs(h, student, id);
  expect(applied.status).toBe(201);
  // AUTO_UPGRADE (worker/create-worker.ts): the internship follows the current version.
  expect(await behaviourOf(internshipWorkflowId(id))).toEqual({
    buildId: v1,
    behavior: 2 /* AUTO_UPGRADE */,
  });

  const next = await startWorkerProcess(h, {
    TEMPORAL_WORKER_DEPLOYMENT: deployment,
    WORKFLOW_BUNDLE_PATH: bundleFile,
  });
  workers[v2] = next;
  expect(next.log()).toContain(v2);
  await logSays(next, 'worker version waits for promotion');
  // Until it is promoted, work stays on v1: another application runs there.
  expect((await applyAs(h, await newStudent(h, 'Lale Brandt'), id)).status).toBe(201);
  expect(phases(await versionsThatRan(id))).toEqual([v1]);
  await setCurrentVersion(v2);

  const submitted = await selectAcceptAndSubmit(h, employer, student, id, applied.body.applicationId);
  expect(submitted.status).toBe(201);
  const approved = await call(h.baseUrl, 'POST', `/v1/internships/${id}/review`, {
    token: employer.token,
    body: { decision: 'approve' },
  });
  expect(approved.status).toBe(200);
  await waitForEmail(student.email, /Set up payouts/);
  expect((await payoutAccountReady(h, student)).status).toBe(200);
  const done = await waitForStatus(h, student, id, 'Completed', 30_000);
  expect(done.payout).toBe('sent');

  // Its first tasks ran on v1, every one after the switch on v2; v1 was still polling throughout.
  expect(phases(await versionsThatRan(id))).toEqual([v1, v2]);
  expect(await behaviourOf(internshipWorkflowId(id))).toMatchObject({ buildId: v2 });
}, 180_000);

test('rollback: setting the old version current again moves a running internship back on its next task', async () => {
  const employer = await newEmployer(h);
  const student = await newStudent(h, 'Ravi Lindqvist');
  const id = await newPosting(h, employer);
  expect((await applyAs(h, student, id)).status).toBe(201);
  expect(phases(await versionsThatRan(id))).toEqual([v2]);

  await setCurrentVersion(v1);
  const ids = await call(h.baseUrl, 'GET', `/v1/internships/${id}/applications`, { token: employer.token });
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/selection`, {
    token: employer.token,
    body: { applicationIds: [(ids.body.items as { applicationId: string }[])[0]!.applicationId] },
  });
  await waitForStatus(h, employer, id, 'Offered', 30_000);
  expect(phases(await versionsThatRan(id))).toEqual([v2, v1]);
}, 120_000);

test('the ops digest, one activity long, is PINNED: a run finishes on the version that started it', async () => {
  // A worker made like production's (createWorker: AUTO_UPGRADE by default) from the prebuilt
  // bundle, but whose digest activity stands in for the real one: the real one emails ops once a
  // day, and test/api/ops-digest.test.ts reads that email.
  const taskQueue = `digest-pinned-${uniqueSuffix()}`;
  const version = { deploymentName: `${deployment}-digest`, buildId: v2 };
  const connection = await NativeConnection.connect({ address: h.temporalTarget.address });
  const standInActivities = { sendOpsDigest: () => Promise.resolve({ items: 0 }) };
  const worker = await createWorker({
    connection,
    namespace: h.temporalTarget.namespace,
    taskQueue,
    activities: standInActivities as unknown as Activities,
    dataConverter: dataConverterFrom(h.config),
    workflowBundle: { codePath: bundleFile },
    version,
  });
  try {
    await worker.runUntil(async () => {
      const became = await becomeCurrentIfFirst({
        workflowService: connection.workflowService,
        namespace: h.temporalTarget.namespace,
        version,
        logger: pino({ level: 'silent' }),
      });
      expect(became).toBe('became current');
      const workflowId = `ops-digest-versioning-${uniqueSuffix()}`;
      expect(await h.temporal.workflow.execute('opsDigestWorkflow', { workflowId, taskQueue })).toEqual({
        items: 0,
      });
      expect(await behaviourOf(workflowId)).toEqual({ buildId: v2, behavior: 1 /* PINNED */ });
    });
  } finally {
    await connection.close();
  }
}, 60_000);
