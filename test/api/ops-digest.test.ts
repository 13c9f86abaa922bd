/**
 * The ops digest on the dev server: two starts of the real worker process leave one Schedule, and a
 * manual trigger sends one digest that lists a seeded overdue decision.
 */
import { seedEmployer, seedPosting } from '../helpers/fixtures';
import { startApiHarness, type ApiHarness } from '../helpers/harness';
import { uniqueSuffix } from '../helpers/env';
import { emailsTo, waitForEmail } from '../helpers/inbox';
import { startWorkerProcess } from '../helpers/worker-process';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ worker: false });
});
afterAll(async () => {
  await h?.stop();
});

test('after two worker starts the daily digest Schedule exists once, and a trigger emails ops the overdue decisions', async () => {
  const scheduleId = `ops-digest-test-${uniqueSuffix()}`;
  const env = { OPS_DIGEST_SCHEDULE_ID: scheduleId };
  const first = await startWorkerProcess(h, env);
  await first.stop();
  const second = await startWorkerProcess(h, env);
  try {
    expect(first.log()).toContain('"opsDigestSchedule":"created"');
    expect(second.log()).toContain('"opsDigestSchedule":"exists"');
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

    await h.temporal.schedule.getHandle(scheduleId).trigger();
    const digest = await waitForEmail(h.config.OPS_EMAIL, /^Ops digest for /, 30_000);
    expect(digest.text).toContain('Overdue decisions (');
    expect(digest.text).toContain(title);
    expect(digest.text).toContain('Selecting since');
    expect(
      (await emailsTo(h.config.OPS_EMAIL)).filter((e) => /^Ops digest for /.test(e.subject)),
    ).toHaveLength(1);
  } finally {
    await h.temporal.schedule.getHandle(scheduleId).delete();
    await second.stop();
  }
});
