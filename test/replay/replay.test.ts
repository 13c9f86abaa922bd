/**
 * Replay safety: every history saved under test/histories/ (recorded from the lifecycle tests with
 * RECORD_HISTORIES=1) must replay against today's workflow code without a nondeterminism error.
 * A change that breaks one needs `patched()` (see the versioning rule) — or it would break running
 * internships in production.
 */
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { dataConverterFrom } from '../../lib/data-converter';
import { workflowBundleOptions } from '../../worker/workflow-bundle';
import { tracingWorkerOptions } from '../../worker/create-worker';
import { silentBundlerLogger } from '../helpers/activities';
import { testConfig } from '../helpers/env';

const dir = path.resolve(__dirname, '..', 'histories');
// Every history, including those recorded before a patched() change (in sub-folders named after it).
const walk = (sub: string): string[] =>
  readdirSync(path.join(dir, sub), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? walk(path.join(sub, entry.name))
      : entry.name.endsWith('.json')
        ? [path.join(sub, entry.name)]
        : [],
  );
const files = walk('').sort();

test('the saved histories cover the main paths, before and after the patched change', () => {
  expect(files.length).toBeGreaterThanOrEqual(8);
  expect(
    files.filter((f) => f.startsWith('before-employer-work-started-notice')).length,
  ).toBeGreaterThanOrEqual(8);
  expect(files.filter((f) => !f.includes('/')).length).toBeGreaterThanOrEqual(8);
  expect(files.filter((f) => f.startsWith('before-lean-history/')).length).toBeGreaterThanOrEqual(8);
  expect(files.filter((f) => f.startsWith('before-applications-reopen/')).length).toBeGreaterThanOrEqual(8);
  expect(files.filter((f) => f.startsWith('before-internship-by-phase/')).length).toBeGreaterThanOrEqual(8);
  expect(files.filter((f) => f.startsWith('before-outcomes-told/')).length).toBeGreaterThanOrEqual(8);
  expect(files.filter((f) => f.startsWith('before-ids-not-words/')).length).toBeGreaterThanOrEqual(8);
  // The reopening itself, recorded since the change.
  expect(
    files.some(
      (f) => !f.includes('/') && f.startsWith('a-withdrawal-before-the-application-deadline-reopens'),
    ),
  ).toBe(true);
});

/** The ids of the patches a history was recorded with (base64 JSON inside its patch markers). */
function patchesIn(file: string): string[] {
  const history = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  return (history.events as { markerRecordedEventAttributes?: { markerName?: string; details?: any } }[])
    .map((e) => e.markerRecordedEventAttributes)
    .filter((m) => m?.markerName === 'core_patch')
    .map((m) => JSON.parse(Buffer.from(m!.details['patch-data'].payloads[0].data, 'base64').toString()).id);
}

test("histories recorded since 'applications-reopen' carry it, the ones before it do not", () => {
  const top = files.filter((f) => !f.includes('/'));
  expect(top.filter((f) => !patchesIn(f).includes('applications-reopen'))).toEqual([]);
  const before = files.filter((f) => f.startsWith('before-applications-reopen/'));
  expect(before.filter((f) => patchesIn(f).includes('applications-reopen'))).toEqual([]);
});

test("the fee approval recorded since 'fee-approval-told' carries it, the one before it does not", () => {
  const approval = (f: string) => f.endsWith('fee-exception-approved-then-expired.json');
  const after = files.filter((f) => approval(f) && !f.includes('/'));
  const before = files.filter((f) => approval(f) && f.startsWith('before-fee-approval-told/'));
  expect([after.length, before.length]).toEqual([1, 1]);
  expect(patchesIn(after[0]!)).toContain('fee-approval-told');
  expect(patchesIn(before[0]!)).not.toContain('fee-approval-told');
});

test('histories recorded after the change carry its patch marker, the older ones do not', () => {
  // patched() leaves a "core_patch" marker in the history (its id is inside, base64-encoded).
  const hasMarker = (file: string) =>
    readFileSync(path.join(dir, file), 'utf8').match(/"markerName": ?"core_patch"/) !== null;
  const paid = (f: string) => f.includes('after-5-silent-days-of-review');
  expect(files.filter((f) => paid(f) && !f.includes('/')).every(hasMarker)).toBe(true);
  const beforeAnyPatch = (f: string) => f.startsWith('before-employer-work-started-notice/');
  expect(files.filter((f) => paid(f) && beforeAnyPatch(f)).some(hasMarker)).toBe(false);
});

test('every saved history replays against the current workflow code', async () => {
  // The payload codec reads the encrypted histories and lets the plaintext ones through.
  const dataConverter = dataConverterFrom(testConfig());
  const workflowBundle = await bundleWorkflowCode({
    ...workflowBundleOptions(dataConverter),
    logger: silentBundlerLogger,
  });
  const histories = files.map((file) => ({
    workflowId: file,
    history: historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8'))),
  }));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories(
    // With the tracing interceptors installed, as every worker runs them.
    { workflowBundle, dataConverter, replayName: 'saved-histories', ...tracingWorkerOptions() },
    histories,
  )) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
});
