/**
 * One micro-internship from posting to its end (DESIGN.md §3): the story, phase by phase. Each phase
 * is a module in ./internship/ in lifecycle order (posting, hiring, funding, work, payout,
 * follow-up); the handlers are in ./internship/handlers.ts and their rules in ./rules.ts.
 */
import type { InternshipInput, InternshipOutcome } from './definitions';
import { noticesSent } from './internship/proxies';
import { followUp } from './internship/follow-up';
import { cancelUnfunded, fundInternship } from './internship/funding';
import { registerHandlers } from './internship/handlers';
import { expireUnselected, hireStudent } from './internship/hiring';
import { payStudent, settleDispute } from './internship/payout';
import {
  awaitFeeApproval,
  collectApplications,
  declineFee,
  expireUnanswered,
  openPosting,
} from './internship/posting';
import { beginRun } from './internship/run';
import { finish, publish } from './internship/steps';
import { deliverAndReview, payKillFee, prepareReselection, refundAndCancel } from './internship/work';
import { activeApplicants } from './rules';

export async function internshipWorkflow(input: InternshipInput): Promise<InternshipOutcome> {
  beginRun(input);
  const state = openPosting(input);
  registerHandlers(state, input);
  await publish(state);

  if (state.status === 'AwaitingApproval' && !(await awaitFeeApproval(state, input))) {
    return finish(await declineFee(state));
  }
  await collectApplications(state);
  if (activeApplicants(state).length === 0) return finish(await expireUnanswered(state));

  for (;;) {
    if (!(await hireStudent(state, input))) return finish(await expireUnselected(state));
    if (!state.money.funded) {
      const funded = await fundInternship(state);
      await noticesSent();
      if (!funded) return finish(await cancelUnfunded(state));
      state.money.funded = true;
    }
    await noticesSent();

    const end = await deliverAndReview(state, input);
    switch (end) {
      case 'approved':
        await payStudent(state, 100);
        return finish(await followUp(state));
      case 'disputed':
        return finish(await settleDispute(state));
      case 'killed':
        return finish(await payKillFee(state));
      case 'refund':
        return finish(await refundAndCancel(state));
      case 'reselect':
        await prepareReselection(state);
        break;
    }
  }
}
