import type { Queryable } from './pool';

export interface Student {
  id: string;
  name: string;
  /** Null once the student was erased: nothing reaches them any more. */
  email: string | null;
  school: string | null;
  major: string;
  graduationYear: number;
  skills: string[];
  /** The IANA time zone the student's emails print dates in. */
  timeZone: string;
  createdAt: string;
}

interface StudentRow {
  id: string;
  name: string;
  email: string | null;
  school: string | null;
  major: string;
  graduation_year: number;
  skills: string[];
  time_zone: string;
  created_at: Date;
}

const toStudent = (row: StudentRow): Student => ({
  id: row.id,
  name: row.name,
  email: row.email,
  school: row.school,
  major: row.major,
  graduationYear: row.graduation_year,
  skills: row.skills,
  timeZone: row.time_zone,
  createdAt: row.created_at.toISOString(),
});

/** The profile a student signs up with; their email is their account's. */
export type StudentProfile = Omit<Student, 'id' | 'email' | 'createdAt' | 'timeZone'> & { timeZone?: string };

/** Stores the profile of the student account `id`; until the email is confirmed a new sign-up replaces it. */
export async function saveStudentProfile(db: Queryable, id: string, s: StudentProfile): Promise<void> {
  await db.query(
    `INSERT INTO students (id, name, school, major, graduation_year, skills, time_zone)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, school = excluded.school, major = excluded.major,
       graduation_year = excluded.graduation_year, skills = excluded.skills, time_zone = excluded.time_zone`,
    [id, s.name, s.school, s.major, s.graduationYear, s.skills, s.timeZone ?? 'UTC'],
  );
}

/**
 * A student account, its email taken as confirmed, with its profile: how tests and the benchmark's
 * raw client seed students without the sign-up emails. Undefined when the email has an account.
 */
export async function insertStudent(
  db: Queryable,
  s: StudentProfile & { id: string; email: string },
): Promise<Student | undefined> {
  const { rowCount } = await db.query(
    `INSERT INTO accounts (id, email, kind, name, email_verified_at) VALUES ($1, $2, 'student', $3, now())
     ON CONFLICT DO NOTHING`,
    [s.id, s.email, s.name],
  );
  if (rowCount !== 1) return undefined;
  await saveStudentProfile(db, s.id, s);
  return findStudent(db, s.id);
}

export async function findStudent(db: Queryable, id: string): Promise<Student | undefined> {
  const { rows } = await db.query<StudentRow>(
    `SELECT s.*, a.email FROM students s JOIN accounts a ON a.id = s.id WHERE s.id = $1`,
    [id],
  );
  return rows[0] && toStudent(rows[0]);
}

/** Sets the time zone the student's emails print dates in; false when there is no such student. */
export async function setStudentTimeZone(db: Queryable, id: string, timeZone: string): Promise<boolean> {
  const { rowCount } = await db.query(`UPDATE students SET time_zone = $2 WHERE id = $1`, [id, timeZone]);
  return rowCount === 1;
}
