/**
 * Payloads as the Temporal server stores them: encrypted (read straight from the server, without the
 * codec), failure messages sealed the same way, and a key rotated while a workflow runs: written
 * under key 1, it goes on and replays after key 2 became the writing key.
 */
import { Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, type DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import type { temporal } from '@temporalio/proto';
import type { Activities } from '../../activities';
import { dataConverterFrom } from '../../lib/data-converter';
import { workflowBundleOptions } from '../../worker/workflow-bundle';
import { createWorker } from '../../worker/create-worker';
import {
  internshipStateQuery,
  internshipWorkflowId,
  selectStudentsUpdate,
} from '../../workflows/definitions';
import { applyAs, newEmployer, newPosting, newStudent } from '../helpers/actors';
import { realActivities, silentBundlerLogger } from '../helpers/activities';
import { uniqueSuffix } from '../helpers/env';
import { applyThroughWorkflow, seedEmployer, seedPosting, seedStudent } from '../helpers/fixtures';
import { startApiHarness, type ApiHarness } from '../helpers/harness';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.stop();
});

type Payload = temporal.api.common.v1.IPayload;
type Failure = temporal.api.failure.v1.IFailure;
const text = (bytes?: Uint8Array | null) => new TextDecoder().decode(bytes ?? new Uint8Array());

/**
 * Payloads the server must read, or that the SDK itself writes: search attributes (indexed) and
 * the markers' bookkeeping (patch ids; a local activity's type, attempt and time). No person's words.
 */
const readableByDesign = (at: string) =>
  at.includes('searchAttributes') || /markerRecordedEventAttributes\.details\.(patch-data|data)\./.test(at);

/** Every payload in a history, with where it sits (event type and field path). */
function payloadsIn(events: temporal.api.history.v1.IHistoryEvent[]): { at: string; payload: Payload }[] {
  const found: { at: string; payload: Payload }[] = [];
  const walk = (value: unknown, at: string) => {
    if (!value || typeof value !== 'object' || value instanceof Uint8Array) return;
    const record = value as Record<string, unknown>;
    if (record.metadata && 'data' in record) found.push({ at, payload: record });
    for (const [key, child] of Object.entries(record)) walk(child, `${at}.${key}`);
  };
  for (const event of events) walk(event, String(event.eventType));
  return found;
}

async function rawHistory(workflowId: string) {
  const { history } = await h.temporal.connection.workflowService.getWorkflowExecutionHistory({
    namespace: h.temporalTarget.namespace,
    execution: { workflowId },
  });
  return history?.events ?? [];
}

/** Every failure in a history, causes included, with where it sits. */
function failuresIn(events: temporal.api.history.v1.IHistoryEvent[]): { at: string; failure: Failure }[] {
  const found: { at: string; failure: Failure }[] = [];
  const walk = (value: unknown, at: string) => {
    if (!value || typeof value !== 'object' || value instanceof Uint8Array) return;
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if ((key === 'failure' || key === 'cause') && child) found.push({ at: `${at}.${key}`, failure: child });
      walk(child, `${at}.${key}`);
    }
  };
  for (const event of events) walk(event, String(event.eventType));
  return found;
}

/** A worker of the workflow code on its own task queue, with the given converter and activities. */
async function ownWorker(
  connection: NativeConnection,
  taskQueue: string,
  activities: Activities,
  dataConverter: DataConverter,
) {
  const workflowBundle = await bundleWorkflowCode({
    ...workflowBundleOptions(dataConverter),
    logger: silentBundlerLogger,
  });
  return createWorker({
    connection,
    namespace: h.temporalTarget.namespace,
    taskQueue,
    activities,
    dataConverter,
    workflowBundle,
  });
}

test('read straight from the Temporal server, every payload but the search attributes is binary/encrypted', async () => {
  const employer = await newEmployer(h);
  const id = await newPosting(h, employer);
  const student = await newStudent(h, 'Sage Secret');
  expect((await applyAs(h, student, id)).status).toBe(201);
  const state = await h.temporal.workflow.getHandle(internshipWorkflowId(id)).query(internshipStateQuery);
  expect(state.status).toBe('Open');

  const payloads = payloadsIn(await rawHistory(internshipWorkflowId(id)));
  const plain = payloads.filter((p) => text(p.payload.metadata?.encoding) !== 'binary/encrypted');
  expect(payloads.length).toBeGreaterThan(5);
  expect(plain.filter((p) => !readableByDesign(p.at)).map((p) => p.at)).toEqual([]);
  // What the student wrote is nowhere in what the server holds.
  expect(
    JSON.stringify(await rawHistory(internshipWorkflowId(id)), (_k, v: unknown) =>
      v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v,
    ),
  ).not.toContain('messy spreadsheets');
  expect(
    payloads
      .filter((p) => !readableByDesign(p.at))
      .map((p) => text(p.payload.metadata?.['encryption-key-id'])),
  ).toEqual(payloads.filter((p) => !readableByDesign(p.at)).map(() => 'test-1'));
});

test('a failure read straight from the server says only "Encoded failure"; its words are sealed and the codec opens them', async () => {
  const sentinel = `failure-sentinel-${uniqueSuffix()}`;
  const converter = dataConverterFrom(h.config);
  const taskQueue = `failing-${uniqueSuffix()}`;
  const native = await NativeConnection.connect({ address: h.temporalTarget.address });
  const { activities, stopRelay } = realActivities(h.config, h.db);
  // Given an activity whose error message carries words that must not be readable on the server,
  const failing: Activities = {
    ...activities,
    recordInternshipState: () =>
      Promise.reject(ApplicationFailure.nonRetryable(`the read model refused: ${sentinel}`, 'TestFailure')),
  };
  try {
    const input = await seedPosting(h.db, await seedEmployer(h.db), Date.now());
    const workflowId = internshipWorkflowId(input.internshipId);
    // when the workflow fails on it,
    await (
      await ownWorker(native, taskQueue, failing, converter)
    ).runUntil(async () => {
      const handle = await h.temporal.workflow.start('internshipWorkflow', {
        taskQueue,
        workflowId,
        args: [input],
      });
      await expect(handle.result()).rejects.toThrow(WorkflowFailedError);
    });

    // then the server holds the failure (the local activity's marker, the workflow's end) with a
    // stand-in message, its real message and stack sealed,
    const events = await rawHistory(workflowId);
    const failures = failuresIn(events);
    expect(failures.map((f) => f.at)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/markerRecordedEventAttributes\.failure$/),
        expect.stringMatching(/workflowExecutionFailedEventAttributes\.failure$/),
      ]),
    );
    for (const { failure } of failures) {
      expect(failure.message).toBe('Encoded failure');
      expect(failure.stackTrace).toBe('');
      expect(text(failure.encodedAttributes?.metadata?.encoding)).toBe('binary/encrypted');
    }
    expect(
      JSON.stringify(events, (_k, v: unknown) =>
        v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v,
      ),
    ).not.toContain(sentinel);
    // and the codec gives the message back.
    const [codec] = converter.payloadCodecs!;
    const opened = await codec!.decode(failures.map((f) => f.failure.encodedAttributes!));
    const messages = opened.map((p) => defaultPayloadConverter.fromPayload<{ message: string }>(p).message);
    expect(messages).toContain(`the read model refused: ${sentinel}`);
  } finally {
    await stopRelay();
    await native.close();
  }
});

test('a key rotated while a workflow runs: written under key 1, it goes on under key 2 and its history replays', async () => {
  const k = (fill: number) => Buffer.alloc(32, fill).toString('base64');
  const before = dataConverterFrom({ PAYLOAD_KEYS: `r1:${k(11)}` });
  const after = dataConverterFrom({ PAYLOAD_KEYS: `r1:${k(11)},r2:${k(12)}`, PAYLOAD_KEY_ID: 'r2' });
  const taskQueue = `rotation-${uniqueSuffix()}`;
  const native = await NativeConnection.connect({ address: h.temporalTarget.address });
  const { activities, stopRelay } = realActivities(h.config, h.db);
  const workerWith = (converter: typeof before) => ownWorker(native, taskQueue, activities, converter);
  try {
    const employer = await seedEmployer(h.db);
    const input = await seedPosting(h.db, employer, Date.now());
    const student = await seedStudent(h.db, 'Rota Tion');
    const client1 = new Client({ connection: h.temporal.connection, dataConverter: before });
    const workflowId = internshipWorkflowId(input.internshipId);
    let applicationId = '';
    await (
      await workerWith(before)
    ).runUntil(async () => {
      const handle = await client1.workflow.start('internshipWorkflow', {
        taskQueue,
        workflowId,
        args: [input],
      });
      ({ applicationId } = await applyThroughWorkflow(h.db, handle, input.internshipId, student.id));
    });
    const written = payloadsIn(await rawHistory(workflowId)).filter((p) => !readableByDesign(p.at));
    expect(new Set(written.map((p) => text(p.payload.metadata?.['encryption-key-id'])))).toEqual(
      new Set(['r1']),
    );

    // Key 2 writes from now on; key 1 stays to read.
    const client2 = new Client({ connection: h.temporal.connection, dataConverter: after });
    await (
      await workerWith(after)
    ).runUntil(async () => {
      const handle = client2.workflow.getHandle(workflowId);
      await handle.executeUpdate(selectStudentsUpdate, { args: [{ applicationIds: [applicationId] }] });
      expect((await handle.query(internshipStateQuery)).status).toBe('Offered');
    });
    const keys = new Set(
      payloadsIn(await rawHistory(workflowId)).map((p) => text(p.payload.metadata?.['encryption-key-id'])),
    );
    expect(keys.has('r1') && keys.has('r2')).toBe(true);

    const history = await client2.workflow.getHandle(workflowId).fetchHistory();
    const replay = (converter: typeof before) =>
      bundleWorkflowCode({ ...workflowBundleOptions(converter), logger: silentBundlerLogger }).then(
        (workflowBundle) =>
          Worker.runReplayHistory({ workflowBundle, dataConverter: converter }, history, workflowId),
      );
    await expect(replay(after)).resolves.toBeUndefined();
    // Without key 1 the older half cannot be read.
    await expect(replay(dataConverterFrom({ PAYLOAD_KEYS: `r2:${k(12)}` }))).rejects.toThrow();
    await client2.workflow.getHandle(workflowId).terminate('test over');
  } finally {
    await stopRelay();
    await native.close();
  }
});
