/**
 * The Update slots API replicas share through Postgres (db/update-leases.ts, api/update-gate.ts):
 * racing takers never hold more than the limit, a slot given back or whose lease ran out (a replica
 * that died holding it) is taken again, and a call that finds every slot held until its deadline
 * gives up unsent with InternshipBusy.
 */
import { randomUUID } from 'node:crypto';
import { InternshipBusy, SharedUpdateGate } from '../../api/update-gate';
import { createPool, type Db } from '../../db/pool';
import { releaseUpdateSlot, takeUpdateSlot } from '../../db/update-leases';
import { testConfig, uniqueSuffix } from '../helpers/env';

let db: Db;
beforeAll(() => {
  db = createPool(testConfig().DATABASE_URL, 12);
});
afterAll(async () => {
  await db.end();
});

const take = (workflowId: string, holder: string, seconds = 15) =>
  takeUpdateSlot(db, { workflowId, holder, slots: 5, seconds });

test('40 takers racing for 5 slots of one workflow: never two on one slot, never more than 5', async () => {
  const workflowId = `internship-${uniqueSuffix()}`;
  const slots = await Promise.all(Array.from({ length: 40 }, () => take(workflowId, randomUUID())));
  const taken = slots.filter((s) => s !== undefined);
  expect(new Set(taken).size).toBe(taken.length);
  // (A loser of a race for one slot takes none this time and tries again, as the gate does.)
  for (
    let s = await take(workflowId, randomUUID());
    s !== undefined;
    s = await take(workflowId, randomUUID())
  )
    taken.push(s);
  expect(taken.sort()).toEqual([0, 1, 2, 3, 4]);
  // Another workflow's slots are its own.
  expect(await take(`internship-${uniqueSuffix()}`, randomUUID())).toBeDefined();
});

test('a slot given back is free at once; one whose holder died is free when its lease runs out', async () => {
  const workflowId = `internship-${uniqueSuffix()}`;
  const holders = Array.from({ length: 5 }, () => randomUUID());
  const slots = [];
  for (const [i, holder] of holders.entries()) slots.push(await take(workflowId, holder, i === 0 ? 0.3 : 15));
  expect(await take(workflowId, randomUUID())).toBeUndefined();

  // Someone else's release frees nothing; the holder's own does.
  await releaseUpdateSlot(db, { workflowId, slot: slots[1]!, holder: randomUUID() });
  expect(await take(workflowId, randomUUID())).toBeUndefined();
  await releaseUpdateSlot(db, { workflowId, slot: slots[1]!, holder: holders[1]! });
  expect(await take(workflowId, randomUUID())).toBe(slots[1]);

  // The first holder "died": its 0.3 s lease runs out and its slot is taken by the next caller.
  await new Promise((resolve) => setTimeout(resolve, 400));
  expect(await take(workflowId, randomUUID())).toBe(slots[0]);
});

test('through the gate: with every slot held elsewhere a call waits, then gives up unsent before its deadline', async () => {
  const workflowId = `internship-${uniqueSuffix()}`;
  for (let i = 0; i < 5; i++) expect(await take(workflowId, randomUUID())).toBeDefined();
  const gate = new SharedUpdateGate(db, 5);
  let sent = false;
  const began = Date.now();
  await expect(
    gate.run(workflowId, Date.now() + 1_500, () => {
      sent = true;
      return Promise.resolve();
    }),
  ).rejects.toBeInstanceOf(InternshipBusy);
  expect(sent).toBe(false);
  expect(Date.now() - began).toBeLessThan(1_500);
  expect(gate.load(workflowId)).toEqual({ running: 0, waiting: 0 });
});

test('through the gate: calls from two "replicas" on one workflow never run more than the limit at once', async () => {
  const workflowId = `internship-${uniqueSuffix()}`;
  const replicas = [new SharedUpdateGate(db, 5), new SharedUpdateGate(db, 5)];
  let running = 0;
  let most = 0;
  const work = async () => {
    most = Math.max(most, ++running);
    await new Promise((resolve) => setTimeout(resolve, 20));
    running--;
  };
  await Promise.all(
    Array.from({ length: 40 }, (_, i) => replicas[i % 2]!.run(workflowId, Date.now() + 10_000, work)),
  );
  expect(most).toBe(5);
  // Every slot was given back.
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM update_leases WHERE workflow_id = $1`, [
    workflowId,
  ]);
  expect(rows[0].n).toBe(0);
});
