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
import { silentBundlerLogger } from '../helpers/activities';

const dir = path.resolve(__dirname, '..', 'histories');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

test('the saved histories cover the main paths', () => {
  expect(files.length).toBeGreaterThanOrEqual(8);
});

test('every saved history replays against the current workflow code', async () => {
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: silentBundlerLogger,
  });
  const histories = files.map((file) => ({
    workflowId: file,
    history: historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8'))),
  }));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories(
    { workflowBundle, replayName: 'saved-histories' },
    histories,
  )) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
});
