import type { Queryable } from './pool';

export interface Student {
  id: string;
  name: string;
  email: string;
  school: string | null;
  major: string;
  graduationYear: number;
  skills: string[];
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
  createdAt: row.created_at.toISOString(),
});

/** Inserts the student; undefined when the email is already registered. */
export async function insertStudent(
  db: Queryable,
  s: Omit<Student, 'createdAt'>,
): Promise<Student | undefined> {
  const { rows } = await db.query<StudentRow>(
    `INSERT INTO students (id, name, email, school, major, graduation_year, skills)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING *`,
    [s.id, s.name, s.email, s.school, s.major, s.graduationYear, s.skills],
  );
  return rows[0] && toStudent(rows[0]);
}

export async function findStudent(db: Queryable, id: string): Promise<Student | undefined> {
  const { rows } = await db.query<StudentRow>(`SELECT * FROM students WHERE id = $1`, [id]);
  return rows[0] && toStudent(rows[0]);
}
