/**
 * Open → Expired on the Java time-skipping server: seven real days of the application window pass
 * in seconds, with the real activities writing to Postgres and mailing through the SMTP catcher.
 */
import { findInternship } from '../../db/internships';
import { internshipStateQuery, internshipWorkflowId } from '../../workflows/definitions';
import type { internshipWorkflow } from '../../workflows/internship';
import { seedEmployer, seedPosting } from '../helpers/fixtures';
import { emailsTo, waitForEmail } from '../helpers/inbox';
import { recordHistory, useTimeSkipping } from '../helpers/time-skipping';

const suite = useTimeSkipping();

test('given a posting nobody applies to, when its 7-day application window ends, then it expires and the employer is emailed', async () => {
  const employer = await seedEmployer(suite.db());
  const input = await seedPosting(suite.db(), employer, await suite.env().currentTimeMs());

  await suite.withWorker(async (taskQueue) => {
    const handle = await suite.env().client.workflow.start<typeof internshipWorkflow>('internshipWorkflow', {
      workflowId: internshipWorkflowId(input.internshipId),
      taskQueue,
      args: [input],
    });

    // Six days in, the posting still takes applications and nobody has been mailed.
    await suite.env().sleep('6 days');
    expect((await handle.query(internshipStateQuery)).status).toBe('Open');
    expect((await findInternship(suite.db(), input.internshipId))?.status).toBe('Open');
    expect(await emailsTo(employer.contactEmail)).toHaveLength(0);

    // Past the seventh day: applications close with nobody in them.
    await suite.env().sleep('1 day');
    expect(await handle.result()).toEqual({ status: 'Expired', reason: 'no_applicants' });
    await recordHistory(handle, expect.getState().currentTestName ?? 'expiry');
  });

  const stored = await findInternship(suite.db(), input.internshipId);
  expect(stored?.status).toBe('Expired');
  expect(stored?.nextDeadline).toBeNull();

  const email = await waitForEmail(employer.contactEmail, /expired/);
  expect(email.subject).toBe('Your posting "Clean a sales dataset" expired without applicants');
  expect(email.text).toContain('Nothing was charged');
  // Its link opens the posting in the web app.
  expect(email.text).toContain(`/app/employer/postings/${input.internshipId}`);
  // One email, however often the activity ran.
  expect(await emailsTo(employer.contactEmail)).toHaveLength(1);
});
