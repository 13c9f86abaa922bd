import type { Queryable } from './pool';

export interface Employer {
  id: string;
  companyName: string;
  contactName: string | null;
  contactEmail: string;
  /** The IANA time zone the contact's emails print dates in. */
  timeZone: string;
  createdAt: string;
}

interface EmployerRow {
  id: string;
  company_name: string;
  contact_name: string | null;
  contact_email: string;
  time_zone: string;
  created_at: Date;
}

const toEmployer = (row: EmployerRow): Employer => ({
  id: row.id,
  companyName: row.company_name,
  contactName: row.contact_name,
  contactEmail: row.contact_email,
  timeZone: row.time_zone,
  createdAt: row.created_at.toISOString(),
});

/** Inserts the employer, in UTC unless a time zone is given. */
export async function insertEmployer(
  db: Queryable,
  employer: Pick<Employer, 'id' | 'companyName' | 'contactName' | 'contactEmail'> & { timeZone?: string },
): Promise<Employer> {
  const { rows } = await db.query<EmployerRow>(
    `INSERT INTO employers (id, company_name, contact_name, contact_email, time_zone)
     VALUES ($1, $2, $3, $4, $5) RETURNING *`,
    [
      employer.id,
      employer.companyName,
      employer.contactName,
      employer.contactEmail,
      employer.timeZone ?? 'UTC',
    ],
  );
  return toEmployer(rows[0]!);
}

export async function findEmployer(db: Queryable, id: string): Promise<Employer | undefined> {
  const { rows } = await db.query<EmployerRow>(`SELECT * FROM employers WHERE id = $1`, [id]);
  return rows[0] && toEmployer(rows[0]);
}
