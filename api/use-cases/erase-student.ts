/**
 * A student's right to leave: an export of everything held about them, and an erasure that keeps
 * only what the law needs (amounts and ids in the ledger) and what other people own (an employer's
 * postings, review decisions, feedback and offers; the review comments on the student's work go
 * with the work). Refused while money for them is held or on its way, or an offer waits for their
 * answer; their applications still waiting for a selection are withdrawn first.
 */
import { findInternship } from '../../db/internships';
import { inTransaction } from '../../db/pool';
import { eraseStudent, moneyInFlight, openApplications, openOffers } from '../../db/privacy';
import { withdrawApplicationUpdate } from '../../workflows/definitions';
import { auditAccount } from '../account-audit';
import { actOn, type Actor } from '../audited-handle';
import type { RouteDeps } from '../deps';
import { HttpProblem } from '../problem';
import { runUpdate } from '../workflow-errors';

export async function eraseStudentAccount(deps: RouteDeps, studentId: string, by: Actor): Promise<void> {
  const money = await moneyInFlight(deps.db, studentId);
  if (money.length) {
    throw new HttpProblem(
      409,
      'Conflict',
      `Money for this student is held or on its way (${money.map((m) => `${m.id}: ${m.status}`).join(', ')}); the account can be erased once it is paid out or refunded`,
      { type: '/problems/MoneyInFlight', members: { internships: money.map((m) => m.id).join(',') } },
    );
  }
  const offers = await openOffers(deps.db, studentId);
  if (offers.length) {
    throw new HttpProblem(409, 'Conflict', 'An offer waits for an answer: accept or decline it first', {
      type: '/problems/OfferOpen',
      members: { internships: offers.map((o) => o.internshipId).join(',') },
    });
  }
  // Still applied somewhere: withdrawn through the workflow, which then forgets the application.
  for (const internshipId of await openApplications(deps.db, studentId)) {
    const internship = await findInternship(deps.db, internshipId);
    if (!internship) continue;
    await runUpdate(() =>
      actOn(deps, internship, by).executeUpdate(withdrawApplicationUpdate, { args: [{ studentId }] }),
    ).catch((err: unknown) => {
      // A posting that closed meanwhile refuses the withdrawal: nothing is waiting any more.
      if (!(err instanceof HttpProblem && err.status === 409)) throw err;
    });
  }
  await inTransaction(deps.db, async (tx) => {
    await eraseStudent(tx, studentId);
    await auditAccount({ db: tx }, { action: 'student-erased', actor: by, subjectId: studentId });
  });
}
