import type { InternshipState, InternshipView } from '../definitions';

/** The state query's answer: the state by phase, without the workflow's own bookkeeping. */
export function viewOf(state: InternshipState): InternshipView {
  const { remindersSent: _r, dueVersion: _d, extensionAnnounced: _e, ...work } = state.work;
  const { feedbackToRecord: _f, nudgesSent: _n, ...followUp } = state.followUp;
  return { ...state, work, followUp };
}
