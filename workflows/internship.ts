/**
 * One micro-internship from posting to its end (DESIGN.md §3). The main function names the phases;
 * each helper below it is one step of the lifecycle.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  applyUpdate,
  ErrorType,
  internshipStateQuery,
  MAX_SHORTLIST,
  respondToOfferUpdate,
  searchAttributes,
  selectStudentsUpdate,
  withdrawApplicationUpdate,
  type Applicant,
  type ApplicationStatus,
  type InternshipInput,
  type InternshipOutcome,
  type InternshipState,
  type InternshipStatus,
} from './definitions';
import { days } from './durations';

/** Emails: retried for long, visible in the UI as their own activities. */
const notify = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: [ErrorType.NotFound],
  },
});

/** Read-model writes: small idempotent SQL, run as local activities to keep the history short. */
const records = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
});

export async function internshipWorkflow(input: InternshipInput): Promise<InternshipOutcome> {
  const state = openPosting(input);
  registerHandlers(state, input);
  await publish(state);

  await collectApplications(state, input);
  if (active(state).length === 0) return finish(await expireUnanswered(state));

  const hired = await hireStudent(state, input);
  if (!hired) return finish(await expireUnselected(state));

  // Funding, work, review and payout join here (issue 4); until then the posting waits, visibly, in Funding.
  await condition(() => false);
  return finish({ status: state.status });
}

/** §3.1 Open: the posting accepts applications until its deadline. */
function openPosting(input: InternshipInput): InternshipState {
  return {
    internshipId: input.internshipId,
    status: 'Open',
    applicationDeadline: input.applicationDeadline,
    nextDeadline: input.applicationDeadline,
    applicationsClosed: false,
    applicants: [],
    shortlist: [],
    offer: null,
    selectionRound: 0,
    hiredStudentId: null,
    version: 0,
  };
}

const active = (state: InternshipState) => state.applicants.filter((a) => a.status === 'submitted');
const refuse = (message: string, type: ErrorType) =>
  ApplicationFailure.create({ message, type, nonRetryable: true });

/** The questions people ask of the posting, each checked by a validator before it touches the state. */
function registerHandlers(state: InternshipState, input: InternshipInput): void {
  setHandler(internshipStateQuery, () => state);

  setHandler(
    applyUpdate,
    async ({ applicationId, studentId, pitch, answers }) => {
      const applicant: Applicant = {
        applicationId,
        studentId,
        label: `Applicant ${state.applicants.length + 1}`,
        status: 'submitted',
      };
      state.applicants.push(applicant);
      // The cap closes applications at once: the next validator already sees it.
      if (state.applicants.length >= input.maxApplicants) state.applicationsClosed = true;
      await records.recordApplication({ internshipId: state.internshipId, ...applicant, pitch, answers });
      return { applicationId, label: applicant.label };
    },
    {
      validator: ({ studentId }) => {
        if (state.applicants.some((a) => a.studentId === studentId)) {
          throw refuse('You have already applied to this micro-internship', ErrorType.AlreadyApplied);
        }
        if (state.status !== 'Open' || state.applicationsClosed) {
          const full = state.applicants.length >= input.maxApplicants;
          throw full
            ? refuse('This posting has all the applicants it takes', ErrorType.PostingFull)
            : refuse('Applications for this posting are closed', ErrorType.PostingClosed);
        }
      },
    },
  );

  setHandler(
    withdrawApplicationUpdate,
    async ({ studentId }) => {
      const applicant = state.applicants.find((a) => a.studentId === studentId && a.status === 'submitted')!;
      await setStatus([applicant], 'withdrawn');
    },
    {
      validator: ({ studentId }) => {
        const applicant = state.applicants.find((a) => a.studentId === studentId);
        if (!applicant) throw refuse('No application of yours on this posting', ErrorType.NotFound);
        if (applicant.status !== 'submitted' || !['Open', 'Selecting'].includes(state.status)) {
          throw refuse('An application can be withdrawn only before selection', ErrorType.WrongState);
        }
      },
    },
  );

  setHandler(
    selectStudentsUpdate,
    ({ applicationIds }) => {
      state.shortlist = [...applicationIds];
      state.applicationsClosed = true;
      return { shortlist: state.shortlist };
    },
    {
      validator: ({ applicationIds }: { applicationIds: string[] }) => {
        if (!['Open', 'Selecting'].includes(state.status) || state.shortlist.length > 0) {
          throw refuse(
            `Selection is not possible while the posting is ${state.status}`,
            ErrorType.WrongState,
          );
        }
        if (applicationIds.length < 1 || applicationIds.length > MAX_SHORTLIST) {
          throw refuse(`Choose between 1 and ${MAX_SHORTLIST} applications`, ErrorType.InvalidSelection);
        }
        if (new Set(applicationIds).size !== applicationIds.length) {
          throw refuse('An application appears twice in the selection', ErrorType.InvalidSelection);
        }
        for (const id of applicationIds) {
          const applicant = state.applicants.find((a) => a.applicationId === id);
          if (!applicant || applicant.status !== 'submitted') {
            throw refuse(`Application ${id} cannot be selected`, ErrorType.InvalidSelection);
          }
        }
      },
    },
  );

  setHandler(
    respondToOfferUpdate,
    ({ accept }) => {
      state.offer!.response = accept ? 'accept' : 'decline';
      state.offer!.closed = true;
      return { accepted: accept };
    },
    {
      validator: ({ studentId }) => {
        const offer = state.offer;
        if (!offer || offer.closed || offer.studentId !== studentId || state.status !== 'Offered') {
          throw refuse('You hold no open offer on this micro-internship', ErrorType.NotOffered);
        }
      },
    },
  );
}

/** §3.1 Open: waits for the application deadline, the cap, or an early selection. */
async function collectApplications(state: InternshipState, input: InternshipInput): Promise<void> {
  const untilDeadline = Math.max(0, Date.parse(input.applicationDeadline) - Date.now());
  await condition(() => state.applicationsClosed, untilDeadline);
  state.applicationsClosed = true;
}

/**
 * §3.2–3.3 Selecting and Offered: the employer chooses, the shortlist is offered in turn; when it
 * runs out the selection window restarts once. Resolves true when a student accepted.
 */
async function hireStudent(state: InternshipState, input: InternshipInput): Promise<boolean> {
  for (; state.selectionRound < 2; state.selectionRound++) {
    if (active(state).length === 0) return false;
    if (state.shortlist.length === 0 && !(await awaitSelection(state, input))) return false;
    if (await offerInTurn(state, input)) return true;
  }
  return false;
}

/** §3.2 Selecting: `selectionWindow` to choose, with reminders at 2 days and 1 day left; silence expires. */
async function awaitSelection(state: InternshipState, input: InternshipInput): Promise<boolean> {
  const windowEnd = Date.now() + input.windows.selectionMs;
  await moveTo(state, 'Selecting', new Date(windowEnd).toISOString());
  const chosen = () => state.shortlist.length > 0;
  for (const daysLeft of [2, 1]) {
    const remindAt = windowEnd - days(daysLeft);
    if (remindAt <= Date.now()) continue;
    if (await condition(chosen, remindAt - Date.now())) return true;
    await notify.remindEmployerToSelect({
      internshipId: state.internshipId,
      daysLeft,
      round: state.selectionRound,
      deadline: new Date(windowEnd).toISOString(),
    });
  }
  return condition(chosen, Math.max(0, windowEnd - Date.now()));
}

/** §3.3 Offered: each shortlisted student in rank order gets `acceptWindow`; decline or silence moves on. */
async function offerInTurn(state: InternshipState, input: InternshipInput): Promise<boolean> {
  while (state.shortlist.length > 0) {
    const applicant = state.applicants.find((a) => a.applicationId === state.shortlist[0]);
    state.shortlist.shift();
    if (!applicant || applicant.status !== 'submitted') continue;

    const expiresAt = new Date(Date.now() + input.windows.acceptMs).toISOString();
    state.offer = {
      applicationId: applicant.applicationId,
      studentId: applicant.studentId,
      expiresAt,
      response: null,
      closed: false,
    };
    applicant.status = 'offered';
    await moveTo(state, 'Offered', expiresAt, applicant.studentId);
    await records.recordApplicationStatus({ applicationIds: [applicant.applicationId], status: 'offered' });
    await notify.sendOffer({
      internshipId: state.internshipId,
      applicationId: applicant.applicationId,
      studentId: applicant.studentId,
      expiresAt,
    });

    await condition(() => state.offer?.response != null, Math.max(0, Date.parse(expiresAt) - Date.now()));
    const offer = state.offer;
    offer.closed = true;
    state.offer = null;
    if (offer.response === 'accept') {
      await acceptHire(state, applicant);
      return true;
    }
    await setStatus([applicant], offer.response === 'decline' ? 'declined' : 'lapsed');
  }
  state.shortlist = [];
  return false;
}

/** §3.3 A student accepted: the others are told kindly, the employer meets the student, Funding begins. */
async function acceptHire(state: InternshipState, applicant: Applicant): Promise<void> {
  state.hiredStudentId = applicant.studentId;
  applicant.status = 'accepted';
  const others = state.applicants.filter((a) => a !== applicant && a.status !== 'withdrawn');
  for (const other of others) other.status = 'not_selected';
  await moveTo(state, 'Funding', null, applicant.studentId);
  await records.recordApplicationStatus({ applicationIds: [applicant.applicationId], status: 'accepted' });
  await records.recordApplicationStatus({
    applicationIds: others.map((a) => a.applicationId),
    status: 'not_selected',
  });
  await notify.announceHire({ internshipId: state.internshipId, applicationId: applicant.applicationId });
}

/** §3.1 No applicant at the deadline: the posting expires and the employer is told; nothing was charged. */
async function expireUnanswered(state: InternshipState): Promise<InternshipOutcome> {
  await moveTo(state, 'Expired', null);
  await notify.notifyPostingExpired(state.internshipId);
  return { status: 'Expired', reason: 'no_applicants' };
}

/** §3.2 Nobody chosen (or every offer passed): the posting expires and every applicant is told. */
async function expireUnselected(state: InternshipState): Promise<InternshipOutcome> {
  const waiting = state.applicants.filter((a) => a.status === 'submitted');
  for (const a of waiting) a.status = 'not_selected';
  await moveTo(state, 'Expired', null);
  await records.recordApplicationStatus({
    applicationIds: waiting.map((a) => a.applicationId),
    status: 'not_selected',
  });
  await notify.notifyApplicantsPostingClosed(state.internshipId);
  return { status: 'Expired', reason: 'no_selection' };
}

/** Lets running update handlers complete before the workflow closes. */
async function finish(outcome: InternshipOutcome): Promise<InternshipOutcome> {
  await condition(allHandlersFinished);
  return outcome;
}

async function setStatus(applicants: Applicant[], status: ApplicationStatus): Promise<void> {
  for (const a of applicants) a.status = status;
  await records.recordApplicationStatus({ applicationIds: applicants.map((a) => a.applicationId), status });
}

async function moveTo(
  state: InternshipState,
  status: InternshipStatus,
  nextDeadline: string | null,
  studentId?: string,
): Promise<void> {
  state.status = status;
  state.nextDeadline = nextDeadline;
  await publish(state, studentId);
}

/** Makes the state visible: search attributes for ops in the Temporal UI, the read model for the API. */
async function publish(state: InternshipState, studentId?: string): Promise<void> {
  state.version += 1;
  upsertSearchAttributes([
    { key: searchAttributes.status, value: state.status },
    { key: searchAttributes.nextDeadline, value: state.nextDeadline ? new Date(state.nextDeadline) : null },
    ...(studentId ? [{ key: searchAttributes.studentId, value: studentId }] : []),
  ]);
  await records.recordInternshipState({
    internshipId: state.internshipId,
    status: state.status,
    nextDeadline: state.nextDeadline,
    hiredStudentId: state.hiredStudentId,
    version: state.version,
  });
}
