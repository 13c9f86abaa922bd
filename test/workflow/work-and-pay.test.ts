/**
 * Funding, work, review and payout on the Java time-skipping server, with the real activities:
 * Stripe through the SDK (stripe-mock behind the test-mode proxy), Postgres and SMTP. The windows
 * of DESIGN §3.4–3.8 really elapse.
 */
import { act } from '../helpers/words';
import { findInternship } from '../../db/internships';
import { ledgerTotals, unbalancedEndedInternships } from '../../db/ledger';
import {
  internshipStateQuery,
  respondToOfferUpdate,
  reviewUpdate,
  selectStudentsUpdate,
  cancelUpdate,
  decideExtensionUpdate,
  missedDeadlineDecisionUpdate,
  requestExtensionUpdate,
  withdrawApplicationUpdate,
  stripeEventSignal,
  submitWorkUpdate,
} from '../../workflows/definitions';
import { waitForEmail } from '../helpers/inbox';
import { subjects, waitForState, withHiredStudent } from '../helpers/hired';
import { useTimeSkipping } from '../helpers/time-skipping';

const suite = useTimeSkipping();

test('the student is reminded at the midpoint and 24 hours before the 14-day due date', async () => {
  await withHiredStudent(suite, {}, async ({ handle, student }) => {
    const env = suite.env();
    const state = await waitForState(handle, 'InProgress');
    const due = Date.parse(state.work.dueAt!);
    expect(due - (await env.currentTimeMs())).toBeGreaterThan(14 * 86_400_000 - 60_000);

    await env.sleep('167 hours');
    expect(await subjects(student.email, /Halfway there/)).toHaveLength(0);
    await env.sleep('2 hours');
    await waitForEmail(student.email, /Halfway there/);

    await env.sleep('142 hours'); // 13 days less an hour in
    expect(await subjects(student.email, /Due in 24 hours/)).toHaveLength(0);
    await env.sleep('2 hours');
    await waitForEmail(student.email, /Due in 24 hours/);
  });
});

test('after 5 silent days of review the work is approved, and the payout waits for the account, reminding every 3 days, then pays 90%', async () => {
  await withHiredStudent(suite, {}, async ({ handle, employer, student, internshipId }) => {
    const env = suite.env();
    await waitForState(handle, 'InProgress');
    await act(handle, submitWorkUpdate, {
      studentId: student.id,
      url: 'https://example.com/cleaned.csv',
      notes: 'Done, with a summary.',
    });
    await waitForEmail(employer.contactEmail, /Submitted for review/);

    // Reminders at 2 days and 1 day left; nothing else from the employer.
    await env.sleep('71 hours');
    expect(await subjects(employer.contactEmail, /left to review/)).toHaveLength(0);
    await env.sleep('2 hours');
    await waitForEmail(employer.contactEmail, /2 days left to review/);
    await env.sleep('1 day');
    await waitForEmail(employer.contactEmail, /1 day left to review/);
    expect((await handle.query(internshipStateQuery)).status).toBe('InReview');

    // The fifth day ends: silence approves.
    await env.sleep('1 day');
    const approved = await waitForEmail(student.email, /Approved/);
    expect(approved.text).toContain('the review window ended without objections');
    await waitForState(handle, 'Paying');
    await waitForEmail(student.email, /Set up payouts/);

    // No account yet: a reminder every 3 days, and no money moves.
    await env.sleep('73 hours');
    for (let i = 0; i < 100 && (await subjects(student.email, /Set up payouts/)).length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await subjects(student.email, /Set up payouts/)).toHaveLength(2);
    expect((await ledgerTotals(suite.db(), internshipId)).transferred).toBe(0);

    // Stripe reports the account ready: one transfer of 90%, the platform keeps 10%.
    handle
      .signal(stripeEventSignal, { type: 'payout_account_ready', accountId: 'acct_test' })
      .catch(() => undefined);
    await waitForState(handle, 'Completed');
    expect(await ledgerTotals(suite.db(), internshipId)).toEqual({
      charged: 25_000,
      refunded: 0,
      transferred: 22_500,
      platformShare: 2_500,
    });
    const stored = await findInternship(suite.db(), internshipId);
    expect(stored?.status).toBe('Completed');
    expect(stored?.paidBy).not.toBeNull();
    expect((await waitForEmail(student.email, /You have been paid/)).text).toContain('$225.00');
    expect(await unbalancedEndedInternships(suite.db())).not.toContain(internshipId);
  });
});

test('changes requested: the student gets 3 days, resubmits, and an approval pays', async () => {
  await withHiredStudent(suite, {}, async ({ handle, student, internshipId }) => {
    const env = suite.env();
    await waitForState(handle, 'InProgress');
    const submit = () =>
      act(handle, submitWorkUpdate, { studentId: student.id, url: 'https://example.com/v1', notes: 'v1' });
    await submit();
    await waitForState(handle, 'InReview');
    await act(handle, reviewUpdate, { decision: 'request_changes', comments: 'Please add a summary tab.' });
    const state = await waitForState(handle, 'InProgress');
    expect(Date.parse(state.work.dueAt!) - (await env.currentTimeMs())).toBeLessThanOrEqual(3 * 86_400_000);
    expect((await waitForEmail(student.email, /Changes requested/)).text).toContain(
      'Please add a summary tab.',
    );
    // Rejecting is not yet possible: one more round remains.
    await env.sleep('1 day');
    await submit();
    await waitForState(handle, 'InReview');
    await expect(act(handle, reviewUpdate, { decision: 'reject', comments: 'no' })).rejects.toThrow();
    await act(handle, reviewUpdate, { decision: 'approve', comments: '' });
    await waitForState(handle, 'Paying');
    handle
      .signal(stripeEventSignal, { type: 'payout_account_ready', accountId: 'acct_test' })
      .catch(() => undefined);
    await waitForState(handle, 'Completed');
    expect((await ledgerTotals(suite.db(), internshipId)).transferred).toBe(22_500);
  });
});

test('a declined card gets a pay link; payment through it (a webhook) funds the work', async () => {
  await withHiredStudent(suite, { declineCard: true }, async ({ handle, employer, internshipId }) => {
    const email = await waitForEmail(employer.contactEmail, /Action needed: pay/);
    expect(email.text).toMatch(/Pay now: http:\/\/\S+\/actions\/mi_/);
    expect(email.text).toContain('Your card was declined');
    expect((await handle.query(internshipStateQuery)).status).toBe('Funding');
    expect((await ledgerTotals(suite.db(), internshipId)).charged).toBe(0);

    await suite.env().sleep('2 days');
    await handle.signal(stripeEventSignal, {
      type: 'payment_succeeded',
      paymentIntentId: 'pi_from_link',
      amountCents: 25_000,
    });
    await waitForState(handle, 'InProgress');
    expect(await ledgerTotals(suite.db(), internshipId)).toMatchObject({ charged: 25_000 });
  });
});

test('a declined card left unpaid for 3 days cancels the internship; both are told and nothing is charged', async () => {
  await withHiredStudent(
    suite,
    { declineCard: true },
    async ({ handle, employer, student, internshipId }) => {
      await waitForEmail(employer.contactEmail, /Action needed: pay/);
      await suite.env().sleep('71 hours');
      expect((await handle.query(internshipStateQuery)).status).toBe('Funding');
      await suite.env().sleep('2 hours');
      expect(await handle.result()).toEqual({ status: 'Cancelled', reason: 'unpaid' });
      await waitForEmail(employer.contactEmail, /was cancelled: the fee was not paid/);
      await waitForEmail(student.email, /will not go ahead/);
      expect(await ledgerTotals(suite.db(), internshipId)).toEqual({
        charged: 0,
        refunded: 0,
        transferred: 0,
        platformShare: 0,
      });
    },
  );
});

test('a missed deadline: both are told, 48 hours of grace, the employer gets three choices, and 7 silent days cancel with a full refund', async () => {
  await withHiredStudent(suite, {}, async ({ handle, employer, student, internshipId }) => {
    const env = suite.env();
    await waitForState(handle, 'InProgress');
    await env.sleep('14 days');
    await waitForEmail(student.email, /due date of "Clean a sales dataset" has passed/);
    await waitForEmail(employer.contactEmail, /due date of "Clean a sales dataset" has passed/);
    expect(await subjects(employer.contactEmail, /How should/)).toHaveLength(0);

    await env.sleep('47 hours');
    expect(await subjects(employer.contactEmail, /How should/)).toHaveLength(0);
    await env.sleep('2 hours');
    const choice = await waitForEmail(employer.contactEmail, /How should "Clean a sales dataset" go on/);
    expect(choice.text).toMatch(/Extend by 7 days: \S+\/actions\/mi_/);
    expect(choice.text).toMatch(/Choose another applicant \(the fee stays held\): \S+/);
    expect(choice.text).toMatch(/Cancel with a full refund: \S+/);

    await env.sleep('6 days');
    expect((await handle.query(internshipStateQuery)).status).toBe('InProgress');
    await env.sleep('1 day');
    expect(await handle.result()).toEqual({ status: 'Cancelled', reason: 'refunded' });
    expect(await ledgerTotals(suite.db(), internshipId)).toEqual({
      charged: 25_000,
      refunded: 25_000,
      transferred: 0,
      platformShare: 0,
    });
    await waitForEmail(employer.contactEmail, /Refunded/);
  });
});

test('an approved extension moves the due date: the reminder follows it and the old date passes quietly', async () => {
  await withHiredStudent(suite, {}, async ({ handle, employer, student }) => {
    const env = suite.env();
    const state = await waitForState(handle, 'InProgress');
    const oldDue = Date.parse(state.work.dueAt!);
    const newDueAt = new Date(oldDue + 5 * 86_400_000).toISOString();
    await act(handle, requestExtensionUpdate, {
      studentId: student.id,
      newDueAt,
      reason: 'Exams this week.',
    });
    const ask = await waitForEmail(employer.contactEmail, /asks for more time/);
    expect(ask.text).toContain('Exams this week.');
    expect(ask.text).toMatch(/Approve the new due date: \S+/);
    await handle.executeUpdate(decideExtensionUpdate, { args: [{ approve: true, via: 'api' }] });
    await waitForEmail(student.email, /Extension approved/);
    expect((await handle.query(internshipStateQuery)).work.dueAt).toBe(newDueAt);

    // Past the old due date: no missed-deadline notice.
    await env.sleep('15 days');
    expect(await subjects(student.email, /has passed/)).toHaveLength(0);
    // 24 hours before the new one: the reminder.
    await env.sleep('72 hours'); // 18 days in: the new due date is day 19
    await env.sleep('1 hour');
    await waitForEmail(student.email, /Due in 24 hours/);
    await act(handle, submitWorkUpdate, { studentId: student.id, url: 'https://example.com/x', notes: 'x' });
    await waitForState(handle, 'InReview');
  });
});

test('the employer cancels funded work: 25% kill fee to the student (less the platform share), 75% refunded; the ledger balances', async () => {
  await withHiredStudent(suite, {}, async ({ handle, student, internshipId }) => {
    await waitForState(handle, 'InProgress');
    await act(handle, cancelUpdate, { by: 'employer', reason: 'the project was dropped' });
    await waitForEmail(student.email, /you receive a kill fee/);
    await waitForState(handle, 'Cancelled');
    handle
      .signal(stripeEventSignal, { type: 'payout_account_ready', accountId: 'acct_test' })
      .catch(() => undefined);
    expect(await handle.result()).toEqual({ status: 'Cancelled', reason: 'kill_fee' });
    expect(await ledgerTotals(suite.db(), internshipId)).toEqual({
      charged: 25_000,
      refunded: 18_750,
      transferred: 5_625,
      platformShare: 625,
    });
    expect(await unbalancedEndedInternships(suite.db())).not.toContain(internshipId);
  });
});

test('the student withdraws and the employer re-selects: the fee stays held, the next student starts without a second charge', async () => {
  await withHiredStudent(
    suite,
    { otherApplicants: ['Vera Novak'] },
    async ({ handle, employer, student, internshipId, others }) => {
      const vera = others[0]!;
      await waitForState(handle, 'InProgress');
      await handle.executeUpdate(withdrawApplicationUpdate, { args: [{ studentId: student.id }] });
      await waitForEmail(employer.contactEmail, /withdrew from/);
      await handle.executeUpdate(missedDeadlineDecisionUpdate, {
        args: [{ choice: 'reselect', via: 'api' }],
      });
      await waitForState(handle, 'Selecting');
      expect(await ledgerTotals(suite.db(), internshipId)).toMatchObject({ charged: 25_000, refunded: 0 });

      await handle.executeUpdate(selectStudentsUpdate, { args: [{ applicationIds: [vera.applicationId] }] });
      await waitForEmail(vera.student.email, /You have an offer/);
      await handle.executeUpdate(respondToOfferUpdate, {
        args: [{ studentId: vera.student.id, accept: true, via: 'api' }],
      });
      const state = await waitForState(handle, 'InProgress');
      expect(state.hiredStudentId).toBe(vera.student.id);
      await waitForEmail(vera.student.email, /You can start/);
      const { rows } = await suite
        .db()
        .query('SELECT step FROM ledger WHERE internship_id = $1', [internshipId]);
      expect(rows).toEqual([{ step: 'charge' }]);
    },
  );
});

test('a rejection after the last round of changes is disputed, and the money stays held', async () => {
  await withHiredStudent(suite, {}, async ({ handle, employer, student, internshipId }) => {
    const submit = async () => {
      await waitForState(handle, 'InProgress');
      await act(handle, submitWorkUpdate, {
        studentId: student.id,
        url: 'https://example.com/w',
        notes: 'w',
      });
      await waitForState(handle, 'InReview');
    };
    await submit();
    await act(handle, reviewUpdate, { decision: 'request_changes', comments: 'More detail.' });
    await submit();
    await act(handle, reviewUpdate, { decision: 'request_changes', comments: 'Still more.' });
    await submit();
    await expect(
      act(handle, reviewUpdate, { decision: 'request_changes', comments: 'Again.' }),
    ).rejects.toThrow();
    await act(handle, reviewUpdate, { decision: 'reject', comments: 'Not usable.' });
    await waitForState(handle, 'Disputed');
    await waitForEmail(employer.contactEmail, /with our team for a decision/);
    await suite.env().sleep('10 days');
    expect((await handle.query(internshipStateQuery)).status).toBe('Disputed');
    expect(await ledgerTotals(suite.db(), internshipId)).toEqual({
      charged: 25_000,
      refunded: 0,
      transferred: 0,
      platformShare: 0,
    });
  });
});
