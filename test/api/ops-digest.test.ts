/**
 * The ops digest on the dev server: the Schedule exists once however often workers start, and a
 * manual trigger sends one digest that lists a seeded overdue decision.
 */
import { ensureOpsDigestSchedule } from '../../worker/schedules';
import { seedEmployer, seedPosting } from '../helpers/fixtures';
import { startApiHarness, type ApiHarness } from '../helpers/harness';
import { uniqueSuffix } from '../helpers/env';
import { waitForEmail } from '../helpers/inbox';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.stop();
});

test('the daily digest Schedule is created once, and a trigger emails ops the overdue decisions', async () => {
  const scheduleId = `ops-digest-test-${uniqueSuffix()}`;
  const taskQueue = h.config.TEMPORAL_TASK_QUEUE;
  expect(await ensureOpsDigestSchedule(h.temporal, taskQueue, scheduleId)).toBe('created');
  expect(await ensureOpsDigestSchedule(h.temporal, taskQueue, scheduleId)).toBe('exists');
  const found: string[] = [];
  for await (const schedule of h.temporal.schedule.list()) {
    if (schedule.scheduleId === scheduleId) found.push(schedule.scheduleId);
  }
  expect(found).toHaveLength(1);
  const description = await h.temporal.schedule.getHandle(scheduleId).describe();
  expect(description.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 8, end: 8, step: 1 }] });

  // A posting whose selection window ended a day ago, with nobody choosing: overdue.
  const employer = await seedEmployer(h.db);
  const title = `Overdue choice ${uniqueSuffix()}`;
  const input = await seedPosting(h.db, employer, Date.now(), { title });
  await h.db.query(
    `UPDATE internships SET status = 'Selecting', next_deadline = now() - interval '1 day' WHERE id = $1`,
    [input.internshipId],
  );

  try {
    await h.temporal.schedule.getHandle(scheduleId).trigger();
    const digest = await waitForEmail(h.config.OPS_EMAIL, /^Ops digest for /, 30_000);
    expect(digest.text).toContain('Overdue decisions (');
    expect(digest.text).toContain(title);
    expect(digest.text).toContain('Selecting since');
  } finally {
    await h.temporal.schedule.getHandle(scheduleId).delete();
  }
});
