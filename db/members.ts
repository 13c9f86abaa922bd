import type { OrgRole } from './accounts';
import type { Queryable } from './pool';

/** A person in an employer organisation, with their role there. */
export interface Member {
  accountId: string;
  employerId: string;
  email: string | null;
  name: string | null;
  role: OrgRole;
  timeZone: string;
  /** Whether they have signed in at least once (their email is confirmed). */
  joined: boolean;
  createdAt: string;
}

interface MemberRow {
  account_id: string;
  employer_id: string;
  email: string | null;
  name: string | null;
  role: OrgRole;
  time_zone: string;
  email_verified_at: Date | null;
  created_at: Date;
}

const toMember = (r: MemberRow): Member => ({
  accountId: r.account_id,
  employerId: r.employer_id,
  email: r.email,
  name: r.name,
  role: r.role,
  timeZone: r.time_zone,
  joined: r.email_verified_at !== null,
  createdAt: r.created_at.toISOString(),
});

const SELECT_MEMBER = `SELECT m.account_id, m.employer_id, a.email, a.name, m.role, m.time_zone,
                              a.email_verified_at, m.created_at
                         FROM members m JOIN accounts a ON a.id = m.account_id`;

/** Makes the account a member of the organisation (again, when they had been removed). */
export async function upsertMember(
  db: Queryable,
  m: { accountId: string; employerId: string; role: OrgRole; invitedBy: string | null; timeZone?: string },
): Promise<void> {
  await db.query(
    `INSERT INTO members (account_id, employer_id, role, invited_by, time_zone)
     VALUES ($1, $2, $3, $4, coalesce($5, 'UTC'))
     ON CONFLICT (account_id) DO UPDATE
       SET role = excluded.role, invited_by = excluded.invited_by, removed_at = NULL, created_at = now()
     WHERE members.employer_id = excluded.employer_id`,
    [m.accountId, m.employerId, m.role, m.invitedBy, m.timeZone ?? null],
  );
}

/** The organisation's current members, owners first. */
export async function listMembers(db: Queryable, employerId: string): Promise<Member[]> {
  const { rows } = await db.query<MemberRow>(
    `${SELECT_MEMBER} WHERE m.employer_id = $1 AND m.removed_at IS NULL
      ORDER BY array_position(ARRAY['owner', 'admin', 'member'], m.role), m.created_at`,
    [employerId],
  );
  return rows.map(toMember);
}

/** A current member of the organisation. */
export async function findMember(
  db: Queryable,
  employerId: string,
  accountId: string,
): Promise<Member | undefined> {
  const { rows } = await db.query<MemberRow>(
    `${SELECT_MEMBER} WHERE m.employer_id = $1 AND m.account_id = $2 AND m.removed_at IS NULL`,
    [employerId, accountId],
  );
  return rows[0] && toMember(rows[0]);
}

/** Owners left besides `exceptAccountId`, counted under a lock so two removals cannot both pass. */
export async function otherOwners(
  db: Queryable,
  employerId: string,
  exceptAccountId: string,
): Promise<number> {
  const { rows } = await db.query<{ account_id: string }>(
    `SELECT account_id FROM members
      WHERE employer_id = $1 AND role = 'owner' AND removed_at IS NULL AND account_id <> $2 FOR UPDATE`,
    [employerId, exceptAccountId],
  );
  return rows.length;
}

export async function markMemberRemoved(db: Queryable, accountId: string): Promise<void> {
  await db.query(`UPDATE members SET removed_at = now() WHERE account_id = $1 AND removed_at IS NULL`, [
    accountId,
  ]);
}

/** Sets the time zone the member's emails print dates in. */
export async function setMemberTimeZone(
  db: Queryable,
  accountId: string,
  timeZone: string,
): Promise<boolean> {
  const { rowCount } = await db.query(`UPDATE members SET time_zone = $2 WHERE account_id = $1`, [
    accountId,
    timeZone,
  ]);
  return rowCount === 1;
}
