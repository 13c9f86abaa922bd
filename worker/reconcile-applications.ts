/**
 * Applications the API stored as pending and never confirmed: the request stopped between the
 * workflow's Update and the confirmation (a killed API, an unknown outcome) and the student never
 * retried. The workflow is the truth: a row it accepted is confirmed under its label, so the
 * employer sees the applicant it counts; a row it never accepted is removed once no Update of it
 * can still arrive. Runs in every worker; each step is idempotent.
 */
import type { Client } from '@temporalio/client';
import { confirmApplication, discardPendingApplication } from '../db/applications';
import type { Db } from '../db/pool';
import type { Logger } from '../lib/logger';
import { applicantsIn, internshipStateQuery } from '../workflows/definitions';

export interface ReconcileOptions {
  /** A pending row younger than this may belong to a request still running. */
  confirmAfterSeconds: number;
  /** A pending row the workflow never accepted is removed after this long. */
  discardAfterSeconds: number;
}

export const RECONCILE_DEFAULTS: ReconcileOptions = { confirmAfterSeconds: 120, discardAfterSeconds: 3600 };

export async function reconcilePendingApplications(
  deps: { db: Db; client: Client; logger: Logger },
  options: ReconcileOptions = RECONCILE_DEFAULTS,
): Promise<{ confirmed: number; discarded: number }> {
  const { rows } = await deps.db.query<{ id: string; workflow_id: string; age: number }>(
    `SELECT a.id, i.workflow_id, extract(epoch FROM now() - a.created_at) AS age
       FROM applications a JOIN internships i ON i.id = a.internship_id
      WHERE a.status = 'pending' AND a.created_at < now() - make_interval(secs => $1)
      ORDER BY a.created_at LIMIT 500`,
    [options.confirmAfterSeconds],
  );
  let confirmed = 0;
  let discarded = 0;
  const byWorkflow = new Map<string, typeof rows>();
  for (const row of rows) byWorkflow.set(row.workflow_id, [...(byWorkflow.get(row.workflow_id) ?? []), row]);
  for (const [workflowId, pending] of byWorkflow) {
    let applicants: { applicationId: string; label: string }[];
    try {
      applicants = applicantsIn(await deps.client.workflow.getHandle(workflowId).query(internshipStateQuery));
    } catch (err) {
      deps.logger.warn(
        { workflowId, err: (err as Error).message },
        'pending applications: workflow not answering',
      );
      continue;
    }
    for (const row of pending) {
      const accepted = applicants.find((a) => a.applicationId === row.id);
      if (accepted) {
        await confirmApplication(deps.db, row.id, accepted.label);
        confirmed++;
      } else if (Number(row.age) > options.discardAfterSeconds) {
        await discardPendingApplication(deps.db, row.id);
        discarded++;
      }
    }
  }
  if (confirmed || discarded) deps.logger.info({ confirmed, discarded }, 'pending applications reconciled');
  return { confirmed, discarded };
}
