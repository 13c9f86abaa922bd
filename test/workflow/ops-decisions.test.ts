/**
 * What waits for operations staff, on the time-skipping server: a fee below the fair-pay floor
 * (DESIGN §3.1) and a dispute (§3.7), each with a daily reminder to ops until they decide.
 */
import { act } from '../helpers/words';
import { randomUUID } from 'node:crypto';
import { findInternship } from '../../db/internships';
import { ledgerTotals, unbalancedEndedInternships } from '../../db/ledger';
import {
  applyUpdate,
  decideFeeExceptionUpdate,
  internshipStateQuery,
  internshipWorkflowId,
  resolveDisputeUpdate,
  respondToOfferUpdate,
  reviewUpdate,
  selectStudentsUpdate,
  stripeEventSignal,
  submitWorkUpdate,
} from '../../workflows/definitions';
import type { internshipWorkflow } from '../../workflows/internship';
import { testConfig, uniqueSuffix } from '../helpers/env';
import { applyThroughWorkflow, seedEmployer, seedPosting, seedStudent } from '../helpers/fixtures';
import { emailsTo, waitForEmail } from '../helpers/inbox';
import { recordHistory, terminateWhenIdle, useTimeSkipping } from '../helpers/time-skipping';

const suite = useTimeSkipping();
const ops = () => testConfig().OPS_EMAIL;

const opsSubjects = async (pattern: RegExp, title: string) =>
  (await emailsTo(ops())).map((e) => e.subject).filter((s) => pattern.test(s) && s.includes(title));

test('a fee below the floor waits for ops with a daily reminder; approval opens it with a fresh 7-day window', async () => {
  await suite.withWorker(async (taskQueue) => {
    const env = suite.env();
    const employer = await seedEmployer(suite.db());
    const title = `Survey analysis ${uniqueSuffix()}`;
    const input = await seedPosting(suite.db(), employer, await env.currentTimeMs(), {
      title,
      feeCents: 10_000,
      feeException: true,
    });
    const handle = await env.client.workflow.start<typeof internshipWorkflow>('internshipWorkflow', {
      workflowId: internshipWorkflowId(input.internshipId),
      taskQueue,
      args: [input],
    });
    expect((await handle.query(internshipStateQuery)).status).toBe('AwaitingApproval');
    await expect(
      handle.executeUpdate(applyUpdate, {
        args: [{ applicationId: randomUUID(), studentId: randomUUID() }],
      }),
    ).rejects.toThrow();

    await env.sleep('25 hours');
    const waiting = await waitForEmail(ops(), new RegExp(`fee below the floor on "${title}" \\(day 1\\)`));
    // Its link opens the internship's page in the ops dashboard, where the decision is.
    expect(waiting.text).toContain(`/app/ops/internships/${input.internshipId}`);
    await env.sleep('1 day');
    await waitForEmail(ops(), new RegExp(`fee below the floor on "${title}" \\(day 2\\)`));
    expect(await opsSubjects(/fee below the floor/, title)).toHaveLength(2);

    await handle.executeUpdate(decideFeeExceptionUpdate, { args: [{ approve: true }] });
    const state = await handle.query(internshipStateQuery);
    for (let i = 0; i < 50 && (await handle.query(internshipStateQuery)).status !== 'Open'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const opened = await handle.query(internshipStateQuery);
    expect(opened.status).toBe('Open');
    const now = await env.currentTimeMs();
    expect(Date.parse(opened.posting.applicationDeadline)).toBeGreaterThan(now + 7 * 86_400_000 - 60_000);
    expect(state.posting.feeDecision).toBe('approved');
    expect((await findInternship(suite.db(), input.internshipId))?.applicationDeadline).toBe(
      opened.posting.applicationDeadline,
    );
    // The employer hears of the approval as of a decline, with the day applications close.
    const approved = await waitForEmail(employer.contactEmail, new RegExp(`"${title}" is approved`));
    expect(approved.text).toContain('students can apply until');
    expect(approved.text).toContain(`/app/employer/postings/${input.internshipId}`);
    expect(await emailsTo(employer.contactEmail)).toHaveLength(1);

    // Nobody applies: it expires a week after approval, not after posting.
    expect(await handle.result()).toEqual({ status: 'Expired', reason: 'no_applicants' });
    expect(await opsSubjects(/fee below the floor/, title)).toHaveLength(2);
    await recordHistory(handle, 'fee exception approved then expired');
  });
});

test('a declined fee exception cancels the posting and tells the employer; nothing is charged', async () => {
  await suite.withWorker(async (taskQueue) => {
    const env = suite.env();
    const employer = await seedEmployer(suite.db());
    const input = await seedPosting(suite.db(), employer, await env.currentTimeMs(), {
      feeCents: 10_000,
      feeException: true,
    });
    const handle = await env.client.workflow.start<typeof internshipWorkflow>('internshipWorkflow', {
      workflowId: internshipWorkflowId(input.internshipId),
      taskQueue,
      args: [input],
    });
    await handle.executeUpdate(decideFeeExceptionUpdate, { args: [{ approve: false }] });
    expect(await handle.result()).toEqual({ status: 'Cancelled', reason: 'fee_declined' });
    await waitForEmail(employer.contactEmail, /was not approved/);
    expect((await ledgerTotals(suite.db(), input.internshipId)).charged).toBe(0);
  });
});

test.each([
  // A share ends the engagement Completed; the follow-up then closes it (since 'outcomes-told').
  [60, { refunded: 10_000, transferred: 13_500, platformShare: 1_500 }, 'Closed'],
  [0, { refunded: 25_000, transferred: 0, platformShare: 0 }, 'Cancelled'],
])(
  'a dispute reminds ops daily; resolved with a %i%% student share, the money follows once each way',
  async (pct, money, finalStatus) => {
    await suite.withWorker(async (taskQueue) => {
      const env = suite.env();
      const db = suite.db();
      const employer = await seedEmployer(db);
      const title = `Market scan ${uniqueSuffix()}`;
      const input = await seedPosting(db, employer, await env.currentTimeMs(), { title });
      const student = await seedStudent(db, 'Yara Said');
      const handle = await env.client.workflow.start<typeof internshipWorkflow>('internshipWorkflow', {
        workflowId: internshipWorkflowId(input.internshipId),
        taskQueue,
        args: [input],
      });
      const waitFor = async (status: string) => {
        for (let i = 0; i < 100 && (await handle.query(internshipStateQuery)).status !== status; i++) {
          await new Promise((r) => setTimeout(r, 100));
        }
        expect((await handle.query(internshipStateQuery)).status).toBe(status);
      };
      try {
        const { applicationId } = await applyThroughWorkflow(db, handle, input.internshipId, student.id);
        await handle.executeUpdate(selectStudentsUpdate, { args: [{ applicationIds: [applicationId] }] });
        await waitFor('Offered');
        await handle.executeUpdate(respondToOfferUpdate, {
          args: [{ studentId: student.id, accept: true, via: 'api' }],
        });
        for (const round of [1, 2, 3]) {
          await waitFor('InProgress');
          await act(handle, submitWorkUpdate, {
            studentId: student.id,
            url: `https://example.com/v${round}`,
            notes: 'n',
          });
          await waitFor('InReview');
          const decision = round < 3 ? 'request_changes' : 'reject';
          await act(handle, reviewUpdate, { decision, comments: 'Not there yet.' });
        }
        await waitFor('Disputed');

        await env.sleep('25 hours');
        await waitForEmail(ops(), new RegExp(`Dispute open for 1 day\\(s\\): "${title}"`));
        await env.sleep('1 day');
        await waitForEmail(ops(), new RegExp(`Dispute open for 2 day\\(s\\): "${title}"`));
        expect(await ledgerTotals(db, input.internshipId)).toMatchObject({ refunded: 0, transferred: 0 });

        await handle.executeUpdate(resolveDisputeUpdate, { args: [{ studentSharePct: pct }] });
        if (pct > 0) {
          await waitFor('Completed');
          await handle.signal(stripeEventSignal, { type: 'payout_account_ready', accountId: 'acct_test' });
        }
        const outcome = await handle.result();
        expect(outcome.status).toBe(finalStatus);
        await waitForEmail(employer.contactEmail, /dispute on .* is resolved/);
        expect(await ledgerTotals(db, input.internshipId)).toEqual({ charged: 25_000, ...money });
        expect(await unbalancedEndedInternships(db)).not.toContain(input.internshipId);
        expect(await opsSubjects(/Dispute open/, title)).toHaveLength(2);
        await recordHistory(handle, `dispute resolved with ${pct} percent`);
      } finally {
        await terminateWhenIdle(handle);
      }
    });
  },
);
