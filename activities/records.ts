import { recordState } from '../db/internships';
import type { Db } from '../db/pool';
import type { InternshipState } from '../workflows/definitions';

export function createRecordActivities(deps: { db: Db }) {
  return {
    /** Mirrors the workflow's state into the read model that the API serves. */
    async recordInternshipState(state: InternshipState): Promise<void> {
      await recordState(deps.db, state);
    },
  };
}
