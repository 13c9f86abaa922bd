/**
 * How an engagement ends, as the people in it see it (since 'outcomes-told'): every money movement
 * told with its amount to each party it concerns; a status that says what happened, with a payout
 * still owed shown beside it; a dispute's share followed by the follow-up, with a credential only
 * for the whole fee. On the Java time-skipping server with the real activities.
 */
import { act } from '../helpers/words';
import { findInternship } from '../../db/internships';
import { findCredentialOfInternship } from '../../db/follow-up';
import { ledgerTotals } from '../../db/ledger';
import {
  cancelUpdate,
  giveFeedbackUpdate,
  internshipStateQuery,
  resolveDisputeUpdate,
  reviewUpdate,
  stripeEventSignal,
  submitWorkUpdate,
} from '../../workflows/definitions';
import { emailsTo, waitForEmail } from '../helpers/inbox';
import { waitForState, withHiredStudent, type Hired } from '../helpers/hired';
import { useTimeSkipping } from '../helpers/time-skipping';

const suite = useTimeSkipping();

const accountReady = (handle: Hired['handle']) =>
  handle
    .signal(stripeEventSignal, { type: 'payout_account_ready', accountId: 'acct_test' })
    .catch(() => undefined);

const readModel = async (internshipId: string) => {
  const row = await findInternship(suite.db(), internshipId);
  return { status: row?.status, payout: row?.payout };
};

/** Waits until the read model shows `want` (the workflow publishes it from an activity). */
async function readModelShows(internshipId: string, want: { status: string; payout: string | null }) {
  for (let i = 0; i < 100; i++) {
    if (JSON.stringify(await readModel(internshipId)) === JSON.stringify(want)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(await readModel(internshipId)).toEqual(want);
}

/** Three rounds: two requests for changes, then a rejection, which opens a dispute. */
async function dispute({ handle, student }: Hired): Promise<void> {
  for (const decision of ['request_changes', 'request_changes', 'reject'] as const) {
    await waitForState(handle, 'InProgress');
    await act(handle, submitWorkUpdate, { studentId: student.id, url: 'https://example.com/w', notes: 'w' });
    await waitForState(handle, 'InReview');
    await act(handle, reviewUpdate, { decision, comments: 'Not yet.' });
  }
  await waitForState(handle, 'Disputed');
}

test('a kill fee: the employer is told the refund and the kill fee, the status is Cancelled at once and the payout waits beside it', async () => {
  await withHiredStudent(suite, {}, async ({ handle, employer, student, internshipId }) => {
    await waitForState(handle, 'InProgress');
    const answer = await act(handle, cancelUpdate, { by: 'employer', reason: 'the project was dropped' });
    expect(answer).toEqual({ status: 'Cancelled' });

    const toEmployer = await waitForEmail(employer.contactEmail, /is cancelled: \$187\.50 refunded/);
    expect(toEmployer.text).toContain('You cancelled');
    expect(toEmployer.text).toContain('the kill fee of $62.50 (25% of the fee of $250.00)');
    expect(toEmployer.text).toContain('$187.50, is refunded to the card you paid with');
    const toStudent = await waitForEmail(student.email, /you receive a kill fee/);
    expect(toStudent.text).toContain('25% of the fee ($62.50), less the platform share');

    // The engagement is over; the student has not set up payouts yet.
    await readModelShows(internshipId, { status: 'Cancelled', payout: 'pending' });
    expect((await handle.query(internshipStateQuery)).money.payout).toBe('pending');
    await waitForEmail(student.email, /payout/i);

    await accountReady(handle);
    expect(await handle.result()).toEqual({ status: 'Cancelled', reason: 'kill_fee' });
    await readModelShows(internshipId, { status: 'Cancelled', payout: 'sent' });
    await waitForEmail(student.email, /You have been paid/);
    expect((await ledgerTotals(suite.db(), internshipId)).transferred).toBe(5_625);
  });
});

test('a dispute settled at 60%: both sides are told both amounts; Completed with the payout beside it; feedback follows, no credential', async () => {
  await withHiredStudent(suite, {}, async (hired) => {
    const { handle, employer, student, internshipId } = hired;
    await dispute(hired);
    expect(await handle.executeUpdate(resolveDisputeUpdate, { args: [{ studentSharePct: 60 }] })).toEqual({
      status: 'Completed',
    });

    const toEmployer = await waitForEmail(employer.contactEmail, /dispute .* is resolved/);
    expect(toEmployer.text).toContain('the student receives 60% of the fee: $150.00');
    expect(toEmployer.text).toContain('$100.00 is refunded to the card you paid with');
    const toStudent = await waitForEmail(student.email, /dispute .* is resolved/);
    expect(toStudent.text).toContain('you receive 60% of the fee: $150.00, less the platform share');

    await readModelShows(internshipId, { status: 'Completed', payout: 'pending' });
    await accountReady(handle);
    await readModelShows(internshipId, { status: 'Completed', payout: 'sent' });
    expect(await ledgerTotals(suite.db(), internshipId)).toMatchObject({ refunded: 10_000 });

    // The follow-up runs as after an approval: the employer's feedback is taken...
    expect(
      await act(handle, giveFeedbackUpdate, {
        from: 'employer',
        rating: 3,
        comment: 'Late',
        endorsedSkills: [],
        showRatingPublicly: false,
      }),
    ).toEqual({ revealed: false });
    // ...but no credential: the work was not accepted in full.
    await suite.env().sleep('91 days');
    expect(await handle.result()).toEqual({ status: 'Closed', reason: 'follow_up_ended' });
    expect(await findCredentialOfInternship(suite.db(), internshipId)).toBeUndefined();
    expect((await emailsTo(student.email)).some((e) => /Your credential/.test(e.subject))).toBe(false);
  });
});

test('a dispute settled at 100%: the student is paid the whole share and gets the completion credential', async () => {
  await withHiredStudent(suite, {}, async (hired) => {
    const { handle, employer, student, internshipId } = hired;
    await dispute(hired);
    await handle.executeUpdate(resolveDisputeUpdate, { args: [{ studentSharePct: 100 }] });
    const toEmployer = await waitForEmail(employer.contactEmail, /dispute .* is resolved/);
    expect(toEmployer.text).toContain('Nothing is refunded.');
    await accountReady(handle);
    await waitForEmail(student.email, /Your credential/);
    expect(await findCredentialOfInternship(suite.db(), internshipId)).toBeDefined();
    await readModelShows(internshipId, { status: 'Completed', payout: 'sent' });
  });
});

test('a dispute settled at 0%: Cancelled, the employer is refunded in full and told so, the student told they receive nothing', async () => {
  await withHiredStudent(suite, {}, async (hired) => {
    const { handle, employer, student, internshipId } = hired;
    await dispute(hired);
    expect(await handle.executeUpdate(resolveDisputeUpdate, { args: [{ studentSharePct: 0 }] })).toEqual({
      status: 'Cancelled',
    });
    expect(await handle.result()).toEqual({ status: 'Cancelled', reason: 'dispute_refunded' });
    const toEmployer = await waitForEmail(employer.contactEmail, /dispute .* is resolved/);
    expect(toEmployer.text).toContain('$250.00 is refunded to the card you paid with');
    const toStudent = await waitForEmail(student.email, /dispute .* is resolved/);
    expect(toStudent.text).toContain('you receive nothing from it');
    await readModelShows(internshipId, { status: 'Cancelled', payout: null });
    expect(await findCredentialOfInternship(suite.db(), internshipId)).toBeUndefined();
  });
});
