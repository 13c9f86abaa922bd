import type { ApplicationStatus } from '../workflows/definitions';
import { inTransaction, type Db, type Queryable } from './pool';

export interface Application {
  id: string;
  internshipId: string;
  studentId: string;
  label: string;
  pitch: string;
  answers: string[];
  status: ApplicationStatus;
  createdAt: string;
}

interface ApplicationRow {
  id: string;
  internship_id: string;
  student_id: string;
  label: string;
  pitch: string;
  answers: string[];
  status: ApplicationStatus;
  created_at: Date;
}

const toApplication = (row: ApplicationRow): Application => ({
  id: row.id,
  internshipId: row.internship_id,
  studentId: row.student_id,
  label: row.label,
  pitch: row.pitch,
  answers: row.answers,
  status: row.status,
  createdAt: row.created_at.toISOString(),
});

/** Stores a new application and counts it on the posting, once however often it is retried. */
export async function insertApplication(db: Queryable, a: Omit<Application, 'createdAt'>): Promise<void> {
  await db.query(
    `WITH inserted AS (
       INSERT INTO applications (id, internship_id, student_id, label, pitch, answers, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING internship_id)
     UPDATE internships SET applicant_count = applicant_count + 1, updated_at = now()
      WHERE id IN (SELECT internship_id FROM inserted)`,
    [a.id, a.internshipId, a.studentId, a.label, a.pitch, a.answers, a.status],
  );
}

/**
 * Stores an application before the workflow rules on it. Undefined when the student already has
 * one on this posting (the unique key answers, whatever the workflow would say).
 */
export async function insertPendingApplication(
  db: Queryable,
  a: { id: string; internshipId: string; studentId: string; pitch: string; answers: string[] },
): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO applications (id, internship_id, student_id, label, pitch, answers, status)
     VALUES ($1, $2, $3, '', $4, $5, 'pending') ON CONFLICT DO NOTHING RETURNING id`,
    [a.id, a.internshipId, a.studentId, a.pitch, a.answers],
  );
  return rows[0]?.id;
}

/** Applications that still hold a place: waiting for the workflow, for a decision, or on offer. */
const OPEN_STATUSES = ['pending', 'submitted', 'offered'];

/**
 * Stores a pending application unless the student already holds `maxOpen` open ones elsewhere. The
 * student's row is locked for the count, so concurrent applications of one student cannot all pass.
 * 'exists' is their earlier application to this posting (a retry or a double click).
 */
export async function storePendingApplication(
  db: Db,
  a: { id: string; internshipId: string; studentId: string; pitch: string; answers: string[] },
  maxOpen: number,
): Promise<{ outcome: 'stored' | 'exists' } | { outcome: 'limit'; open: number }> {
  return inTransaction(db, async (client) => {
    await client.query('SELECT 1 FROM students WHERE id = $1 FOR UPDATE', [a.studentId]);
    const { rows } = await client.query<{ open: number; here: number }>(
      `SELECT count(*) FILTER (WHERE status = ANY($3))::int AS open,
              count(*) FILTER (WHERE internship_id = $2)::int AS here
         FROM applications WHERE student_id = $1`,
      [a.studentId, a.internshipId, OPEN_STATUSES],
    );
    const { open, here } = rows[0]!;
    if (here === 0 && open >= maxOpen) return { outcome: 'limit', open };
    return { outcome: (await insertPendingApplication(client, a)) ? 'stored' : 'exists' };
  });
}

export async function findPendingApplication(
  db: Queryable,
  internshipId: string,
  studentId: string,
): Promise<{ id: string; stale: boolean } | undefined> {
  // Older than a minute: no request that stored it can still be running (they give up after 10 s).
  const { rows } = await db.query<{ id: string; stale: boolean }>(
    `SELECT id, created_at < now() - interval '1 minute' AS stale FROM applications
      WHERE internship_id = $1 AND student_id = $2 AND status = 'pending'`,
    [internshipId, studentId],
  );
  return rows[0];
}

/** The workflow accepted the application: it becomes visible under its label and is counted. */
export async function confirmApplication(db: Queryable, id: string, label: string): Promise<void> {
  await db.query(
    `WITH confirmed AS (
       UPDATE applications SET status = 'submitted', label = $2, updated_at = now()
        WHERE id = $1 AND status = 'pending' RETURNING internship_id)
     UPDATE internships SET applicant_count = applicant_count + 1, updated_at = now()
      WHERE id IN (SELECT internship_id FROM confirmed)`,
    [id, label],
  );
}

/** The workflow refused the application (or could not be reached): nothing of it remains. */
export async function discardPendingApplication(db: Queryable, id: string): Promise<void> {
  await db.query(`DELETE FROM applications WHERE id = $1 AND status = 'pending'`, [id]);
}

export async function setApplicationStatus(
  db: Queryable,
  ids: string[],
  status: ApplicationStatus,
): Promise<void> {
  await db.query(`UPDATE applications SET status = $2, updated_at = now() WHERE id = ANY($1::uuid[])`, [
    ids,
    status,
  ]);
}

export async function listApplications(db: Queryable, internshipId: string): Promise<Application[]> {
  const { rows } = await db.query<ApplicationRow>(
    `SELECT * FROM applications WHERE internship_id = $1 AND status <> 'pending' ORDER BY created_at, id`,
    [internshipId],
  );
  return rows.map(toApplication);
}

export async function findApplication(db: Queryable, id: string): Promise<Application | undefined> {
  const { rows } = await db.query<ApplicationRow>(`SELECT * FROM applications WHERE id = $1`, [id]);
  return rows[0] && toApplication(rows[0]);
}

export async function findApplicationOf(
  db: Queryable,
  internshipId: string,
  studentId: string,
): Promise<Application | undefined> {
  const { rows } = await db.query<ApplicationRow>(
    `SELECT * FROM applications WHERE internship_id = $1 AND student_id = $2 AND status <> 'pending'`,
    [internshipId, studentId],
  );
  return rows[0] && toApplication(rows[0]);
}

export interface ApplicantContact {
  applicationId: string;
  studentId: string;
  name: string;
  /** Null once the student was erased. */
  email: string | null;
  status: ApplicationStatus;
  /** The student's time zone, for the dates in their emails. */
  timeZone: string;
}

export async function listApplicantContacts(
  db: Queryable,
  internshipId: string,
): Promise<ApplicantContact[]> {
  const { rows } = await db.query<{
    id: string;
    student_id: string;
    name: string;
    email: string | null;
    status: ApplicationStatus;
    time_zone: string;
  }>(
    `SELECT a.id, a.student_id, s.name, acc.email, a.status, s.time_zone
       FROM applications a JOIN students s ON s.id = a.student_id JOIN accounts acc ON acc.id = s.id
      WHERE a.internship_id = $1 AND a.status <> 'pending' ORDER BY a.created_at, a.id`,
    [internshipId],
  );
  return rows.map((r) => ({
    applicationId: r.id,
    studentId: r.student_id,
    name: r.name,
    email: r.email,
    status: r.status,
    timeZone: r.time_zone,
  }));
}
