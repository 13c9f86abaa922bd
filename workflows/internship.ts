/**
 * One micro-internship from posting to its end (DESIGN.md §3). The main function names the phases;
 * each helper below it is one step of the lifecycle.
 */
import { proxyActivities, setHandler, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  ErrorType,
  internshipStateQuery,
  searchAttributes,
  type InternshipInput,
  type InternshipOutcome,
  type InternshipState,
  type InternshipStatus,
} from './definitions';

const { recordInternshipState, notifyPostingExpired } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: [ErrorType.NotFound],
  },
});

export async function internshipWorkflow(input: InternshipInput): Promise<InternshipOutcome> {
  const state = openPosting(input);
  setHandler(internshipStateQuery, () => state);
  await publish(state);

  await collectApplications(input);
  if (state.applicantCount === 0) return expireUnanswered(state);

  // Selection, offers, funding, work, review and payout join here as the lifecycle grows (issues 3-5).
  return { status: state.status };
}

/** §3.1 Open: the posting accepts applications until its deadline. */
function openPosting(input: InternshipInput): InternshipState {
  return {
    internshipId: input.internshipId,
    status: 'Open',
    applicationDeadline: input.applicationDeadline,
    nextDeadline: input.applicationDeadline,
    applicantCount: 0,
    version: 0,
  };
}

/** §3.1 Open: waits for the application deadline, the durable timer that closes applications. */
async function collectApplications(input: InternshipInput): Promise<void> {
  await sleep(Math.max(0, Date.parse(input.applicationDeadline) - Date.now()));
}

/** §3.1 No applicant at the deadline: the posting expires and the employer is told; nothing was charged. */
async function expireUnanswered(state: InternshipState): Promise<InternshipOutcome> {
  await moveTo(state, 'Expired', null);
  await notifyPostingExpired(state.internshipId);
  return { status: 'Expired', reason: 'no_applicants' };
}

async function moveTo(
  state: InternshipState,
  status: InternshipStatus,
  nextDeadline: string | null,
): Promise<void> {
  state.status = status;
  state.nextDeadline = nextDeadline;
  await publish(state);
}

/** Makes the state visible: search attributes for ops in the Temporal UI, the read model for the API. */
async function publish(state: InternshipState): Promise<void> {
  state.version += 1;
  upsertSearchAttributes([
    { key: searchAttributes.status, value: state.status },
    { key: searchAttributes.nextDeadline, value: state.nextDeadline ? new Date(state.nextDeadline) : null },
  ]);
  await recordInternshipState({ ...state });
}
