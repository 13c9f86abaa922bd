import type { Queryable } from './pool';

export interface Student {
  id: string;
  name: string;
  email: string;
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
  email: string;
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

/** Inserts the student (in UTC unless a time zone is given); undefined when the email is already registered. */
export async function insertStudent(
  db: Queryable,
  s: Omit<Student, 'createdAt' | 'timeZone'> & { timeZone?: string },
): Promise<Student | undefined> {
  const { rows } = await db.query<StudentRow>(
    `INSERT INTO students (id, name, email, school, major, graduation_year, skills, time_zone)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING *`,
    [s.id, s.name, s.email, s.school, s.major, s.graduationYear, s.skills, s.timeZone ?? 'UTC'],
  );
  return rows[0] && toStudent(rows[0]);
}

export async function findStudent(db: Queryable, id: string): Promise<Student | undefined> {
  const { rows } = await db.query<StudentRow>(`SELECT * FROM students WHERE id = $1`, [id]);
  return rows[0] && toStudent(rows[0]);
}

/** Sets the time zone the student's emails print dates in; false when there is no such student. */
export async function setStudentTimeZone(db: Queryable, id: string, timeZone: string): Promise<boolean> {
  const { rowCount } = await db.query(`UPDATE students SET time_zone = $2 WHERE id = $1`, [id, timeZone]);
  return rowCount === 1;
}
