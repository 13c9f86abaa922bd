/**
 * §3.2–3.3 Selecting and Offered: the employer chooses, the shortlist is offered in turn; and what
 * their Updates record (the shortlist, the offered student's answer).
 */
import { condition } from '@temporalio/workflow';
import type {
  Applicant,
  InternshipInput,
  InternshipOutcome,
  InternshipState,
  respondToOfferUpdate,
  selectStudentsUpdate,
} from '../definitions';
import { activeApplicants as active, type ArgsOf } from '../rules';
import { mail, payments, records, soon } from './proxies';
import { collectApplications } from './posting';
import { days, run } from './run';
import { moveTo, setStatus } from './steps';

/**
 * §3.2–3.3 Selecting and Offered: the employer chooses, the shortlist is offered in turn; when it
 * runs out the selection window restarts once. Resolves true when a student accepted.
 */
export async function hireStudent(state: InternshipState, input: InternshipInput): Promise<boolean> {
  for (; state.selection.selectionRound < 2; state.selection.selectionRound++) {
    if (active(state).length === 0) return false;
    if (state.selection.shortlist.length === 0 && !(await awaitSelection(state, input))) return false;
    if (await offerInTurn(state, input)) return true;
  }
  return false;
}

/**
 * §3.2 Selecting: `selectionWindow` to choose, with reminders at 2 days and 1 day left; silence
 * expires. A withdrawal that reopens the posting (since REOPEN) takes it back to Open until the
 * deadline or the cap, and the window starts again after that.
 */
async function awaitSelection(state: InternshipState, input: InternshipInput): Promise<boolean> {
  for (;;) {
    const outcome = await selectionWindow(state, input);
    if (outcome !== 'reopened') return outcome === 'chosen';
    await moveTo(state, 'Open', state.posting.applicationDeadline);
    await collectApplications(state);
    if (active(state).length === 0) return false;
    if (state.selection.shortlist.length > 0) return true; // chosen while it was open again
  }
}

async function selectionWindow(
  state: InternshipState,
  input: InternshipInput,
): Promise<'chosen' | 'reopened' | 'expired'> {
  const windowEnd = Date.now() + input.windows.selectionMs;
  await moveTo(state, 'Selecting', new Date(windowEnd).toISOString());
  const chosen = () => state.selection.shortlist.length > 0;
  const reopened = () => run().reopensOnWithdrawal && !state.posting.applicationsClosed;
  const woken = () => chosen() || reopened();
  const outcome = () => (chosen() ? 'chosen' : reopened() ? 'reopened' : 'expired');
  for (const daysLeft of [2, 1]) {
    const remindAt = windowEnd - days(daysLeft);
    if (remindAt <= Date.now()) continue;
    if (await condition(woken, remindAt - Date.now())) return outcome();
    await mail().remindEmployerToSelect({
      internshipId: state.internshipId,
      daysLeft,
      round: state.selection.selectionRound,
      deadline: new Date(windowEnd).toISOString(),
    });
  }
  await condition(woken, Math.max(0, windowEnd - Date.now()));
  return outcome();
}

/** §3.3 Offered: each shortlisted student in rank order gets `acceptWindow`; decline or silence moves on. */
async function offerInTurn(state: InternshipState, input: InternshipInput): Promise<boolean> {
  while (state.selection.shortlist.length > 0) {
    const applicant = state.posting.applicants.find((a) => a.applicationId === state.selection.shortlist[0]);
    state.selection.shortlist.shift();
    if (!applicant || applicant.status !== 'submitted') continue;

    const expiresAt = new Date(Date.now() + input.windows.acceptMs).toISOString();
    state.selection.offer = {
      applicationId: applicant.applicationId,
      studentId: applicant.studentId,
      expiresAt,
      response: null,
      closed: false,
    };
    applicant.status = 'offered';
    const recordOffered = () =>
      records.recordApplicationStatus({ applicationIds: [applicant.applicationId], status: 'offered' });
    if (run().reopensOnWithdrawal) await recordOffered();
    await moveTo(state, 'Offered', expiresAt, applicant.studentId);
    if (!run().reopensOnWithdrawal) await recordOffered();
    await mail().sendOffer({
      internshipId: state.internshipId,
      applicationId: applicant.applicationId,
      studentId: applicant.studentId,
      expiresAt,
    });

    await condition(
      () => state.selection.offer?.response != null,
      Math.max(0, Date.parse(expiresAt) - Date.now()),
    );
    const offer = state.selection.offer;
    offer.closed = true;
    state.selection.offer = null;
    if (offer.response === 'accept') {
      await acceptHire(state, applicant);
      return true;
    }
    await setStatus([applicant], offer.response === 'decline' ? 'declined' : 'lapsed');
  }
  state.selection.shortlist = [];
  return false;
}

/** §3.3 A student accepted: the others are told kindly, the employer meets the student, Funding begins. */
async function acceptHire(state: InternshipState, applicant: Applicant): Promise<void> {
  state.hiredStudentId = applicant.studentId;
  applicant.status = 'accepted';
  const others = state.posting.applicants.filter((a) => a !== applicant && a.status !== 'withdrawn');
  for (const other of others) other.status = 'not_selected';
  await moveTo(state, 'Funding', null, applicant.studentId);
  await records.recordApplicationStatus({ applicationIds: [applicant.applicationId], status: 'accepted' });
  await records.recordApplicationStatus({
    applicationIds: others.map((a) => a.applicationId),
    status: 'not_selected',
  });
  await soon(() =>
    mail().announceHire({
      internshipId: state.internshipId,
      applicationId: applicant.applicationId,
      studentId: applicant.studentId,
    }),
  );
}

/** §3.2 Nobody chosen (or every offer passed): the posting expires and every applicant is told. */
export async function expireUnselected(state: InternshipState): Promise<InternshipOutcome> {
  const waiting = state.posting.applicants.filter((a) => a.status === 'submitted');
  for (const a of waiting) a.status = 'not_selected';
  if (state.money.funded) {
    // A re-selection found nobody: the held fee goes back in full.
    await payments.refundFee({
      internshipId: state.internshipId,
      step: 'refund',
      amountCents: state.feeCents,
    });
  }
  await moveTo(state, 'Expired', null);
  await records.recordApplicationStatus({
    applicationIds: waiting.map((a) => a.applicationId),
    status: 'not_selected',
  });
  await mail().notifyApplicantsPostingClosed(state.internshipId);
  return { status: 'Expired', reason: 'no_selection' };
}

/** §3.2 The employer chooses (the selectStudents Update): the shortlist, and applications close. */
export function selectStudents(
  state: InternshipState,
  { applicationIds }: ArgsOf<typeof selectStudentsUpdate>,
) {
  state.selection.shortlist = [...applicationIds];
  state.posting.applicationsClosed = true;
  return { shortlist: state.selection.shortlist };
}

/** §3.3 The offered student accepts or declines: the offer closes with the answer. */
export function respondToOffer(state: InternshipState, { accept }: ArgsOf<typeof respondToOfferUpdate>) {
  state.selection.offer!.response = accept ? 'accept' : 'decline';
  state.selection.offer!.closed = true;
  return { accepted: accept };
}
