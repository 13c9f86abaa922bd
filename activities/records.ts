import { insertApplication, setApplicationStatus } from '../db/applications';
import { recordAudit } from '../db/audit';
import { recordState } from '../db/internships';
import { inTransaction, type Db } from '../db/pool';
import type { Applicant, ApplicationStatus, InternshipSummary } from '../workflows/definitions';

export function createRecordActivities(deps: { db: Db }) {
  return {
    /**
     * Mirrors the workflow's state into the read model that the API serves and, when the status row
     * changed, writes its audit row, in one transaction: a retry after a failure does both or neither.
     * True when it wrote (a write of an older workflow task is ignored; see `recordState`).
     */
    async recordInternshipState(summary: InternshipSummary): Promise<boolean> {
      return inTransaction(deps.db, async (tx) => {
        if (!(await recordState(tx, summary))) return false;
        await recordAudit(tx, {
          internshipId: summary.internshipId,
          eventKey: `status:${summary.version}:${summary.status}`,
          actorRole: 'system',
          actorId: null,
          channel: 'workflow',
          action: `status:${summary.status}`,
        });
        return true;
      });
    },

    /** Stores an accepted application with its pitch and answers, for the employer's blind review. */
    async recordApplication(
      a: Applicant & { internshipId: string; pitch: string; answers: string[] },
    ): Promise<void> {
      await insertApplication(deps.db, {
        id: a.applicationId,
        internshipId: a.internshipId,
        studentId: a.studentId,
        label: a.label,
        pitch: a.pitch,
        answers: a.answers,
        status: a.status,
      });
    },

    async recordApplicationStatus(change: {
      applicationIds: string[];
      status: ApplicationStatus;
    }): Promise<void> {
      if (change.applicationIds.length)
        await setApplicationStatus(deps.db, change.applicationIds, change.status);
    },
  };
}
