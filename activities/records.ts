import { insertApplication, setApplicationStatus } from '../db/applications';
import { recordState } from '../db/internships';
import type { Db } from '../db/pool';
import type { Applicant, ApplicationStatus, InternshipSummary } from '../workflows/definitions';

export function createRecordActivities(deps: { db: Db }) {
  return {
    /** Mirrors the workflow's state into the read model that the API serves. */
    async recordInternshipState(summary: InternshipSummary): Promise<void> {
      await recordState(deps.db, summary);
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
