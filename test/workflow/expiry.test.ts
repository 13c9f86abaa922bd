/**
 * Open → Expired on the Java time-skipping server: seven real days of the application window pass
 * in seconds, with the real activities writing to Postgres and mailing through the SMTP catcher.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { findInternship } from '../../db/internships';
import { createPool, type Db } from '../../db/pool';
import { internshipStateQuery, internshipWorkflowId } from '../../workflows/definitions';
import type { internshipWorkflow } from '../../workflows/internship';
import { realActivities } from '../helpers/activities';
import { testConfig, uniqueSuffix } from '../helpers/env';
import { seedEmployer, seedPosting } from '../helpers/fixtures';
import { emailsTo, waitForEmail } from '../helpers/inbox';
import { startTimeSkipping } from '../helpers/time-skipping';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
let db: Db;

beforeAll(async () => {
  ({ env, bundle } = await startTimeSkipping());
  db = createPool(testConfig().DATABASE_URL, 4);
});

afterAll(async () => {
  await db?.end();
  await env?.teardown();
});

test('given a posting nobody applies to, when its 7-day application window ends, then it expires and the employer is emailed', async () => {
  const config = testConfig();
  const taskQueue = `expiry-${uniqueSuffix()}`;
  const { activities, closeMailer } = realActivities(config, db);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities,
  });

  const employer = await seedEmployer(db);
  const input = await seedPosting(db, employer, await env.currentTimeMs());

  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof internshipWorkflow>('internshipWorkflow', {
      workflowId: internshipWorkflowId(input.internshipId),
      taskQueue,
      args: [input],
    });

    // Six days in, the posting still takes applications and nobody has been mailed.
    await env.sleep('6 days');
    expect((await handle.query(internshipStateQuery)).status).toBe('Open');
    expect((await findInternship(db, input.internshipId))?.status).toBe('Open');
    expect(await emailsTo(employer.contactEmail)).toHaveLength(0);

    // Past the seventh day: applications close with nobody in them.
    await env.sleep('1 day');
    expect(await handle.result()).toEqual({ status: 'Expired', reason: 'no_applicants' });
  });
  closeMailer();

  const stored = await findInternship(db, input.internshipId);
  expect(stored?.status).toBe('Expired');
  expect(stored?.nextDeadline).toBeNull();

  const email = await waitForEmail(employer.contactEmail, /expired/);
  expect(email.subject).toBe('Your posting "Clean a sales dataset" expired without applicants');
  expect(email.text).toContain('Nothing was charged');
  expect(email.text).toContain(`/v1/internships/${input.internshipId}`);
  // One email, however often the activity ran.
  expect(await emailsTo(employer.contactEmail)).toHaveLength(1);
});
