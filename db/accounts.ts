import type { Queryable } from './pool';

/** What a person is on the platform; the table of that name holds what their kind may do. */
export type AccountKind = 'student' | 'member' | 'staff';
export const ORG_ROLES = ['owner', 'admin', 'member'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];
export const STAFF_ROLES = ['support', 'finance', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface Account {
  id: string;
  email: string | null;
  kind: AccountKind;
  name: string | null;
  verifiedAt: string | null;
  disabledAt: string | null;
  createdAt: string;
}

interface AccountRow {
  id: string;
  email: string | null;
  kind: AccountKind;
  name: string | null;
  email_verified_at: Date | null;
  disabled_at: Date | null;
  created_at: Date;
}

const toAccount = (r: AccountRow): Account => ({
  id: r.id,
  email: r.email,
  kind: r.kind,
  name: r.name,
  verifiedAt: r.email_verified_at?.toISOString() ?? null,
  disabledAt: r.disabled_at?.toISOString() ?? null,
  createdAt: r.created_at.toISOString(),
});

/** Inserts an account; undefined when the email already has one. */
export async function insertAccount(
  db: Queryable,
  a: { id: string; email: string; kind: AccountKind; name: string | null },
): Promise<Account | undefined> {
  const { rows } = await db.query<AccountRow>(
    `INSERT INTO accounts (id, email, kind, name) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING *`,
    [a.id, a.email, a.kind, a.name],
  );
  return rows[0] && toAccount(rows[0]);
}

/** The account of an email, in any case; `forUpdate` locks it for the rest of the transaction. */
export async function findAccountByEmail(
  db: Queryable,
  email: string,
  { forUpdate = false } = {},
): Promise<Account | undefined> {
  const { rows } = await db.query<AccountRow>(
    `SELECT * FROM accounts WHERE lower(email) = lower($1)${forUpdate ? ' FOR UPDATE' : ''}`,
    [email],
  );
  return rows[0] && toAccount(rows[0]);
}

export async function findAccount(db: Queryable, id: string): Promise<Account | undefined> {
  const { rows } = await db.query<AccountRow>(`SELECT * FROM accounts WHERE id = $1`, [id]);
  return rows[0] && toAccount(rows[0]);
}

/** The email is theirs: they used a link or code sent to it (or the identity provider said so). */
export async function markVerified(db: Queryable, accountId: string): Promise<void> {
  await db.query(`UPDATE accounts SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1`, [
    accountId,
  ]);
}

/** A removed member or staff member: every session and API token of theirs ends now. */
export async function disableAccount(db: Queryable, accountId: string): Promise<void> {
  await db.query(`UPDATE accounts SET disabled_at = coalesce(disabled_at, now()) WHERE id = $1`, [accountId]);
  await db.query(`UPDATE sessions SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL`, [
    accountId,
  ]);
  await db.query(`UPDATE api_tokens SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL`, [
    accountId,
  ]);
}

/** A person invited again after being removed may sign in again. */
export async function enableAccount(db: Queryable, accountId: string, name: string | null): Promise<void> {
  await db.query(`UPDATE accounts SET disabled_at = NULL, name = coalesce($2, name) WHERE id = $1`, [
    accountId,
    name,
  ]);
}

/**
 * Who a credential's account is and what it may do, in one read: its kind, and the organisation and
 * role of a member or the role of a staff member. Undefined for a disabled account, a removed member
 * or a removed staff member.
 */
export interface Caller {
  accountId: string;
  kind: AccountKind;
  email: string | null;
  name: string | null;
  employerId: string | null;
  orgRole: OrgRole | null;
  staffRole: StaffRole | null;
}

export interface CallerRow {
  account_id: string;
  kind: AccountKind;
  email: string | null;
  name: string | null;
  disabled_at: Date | null;
  employer_id: string | null;
  member_role: OrgRole | null;
  member_removed_at: Date | null;
  staff_role: StaffRole | null;
  staff_removed_at: Date | null;
}

/** The columns and joins that read a Caller beside a credential (`a` is the account). */
export const CALLER_COLUMNS = `a.id AS account_id, a.kind, a.email, a.name, a.disabled_at,
  m.employer_id, m.role AS member_role, m.removed_at AS member_removed_at,
  st.role AS staff_role, st.removed_at AS staff_removed_at`;
export const CALLER_JOINS = `LEFT JOIN members m ON m.account_id = a.id LEFT JOIN staff st ON st.account_id = a.id`;

export function toCaller(r: CallerRow): Caller | undefined {
  if (r.disabled_at) return undefined;
  if (r.kind === 'member' && (!r.employer_id || r.member_removed_at)) return undefined;
  if (r.kind === 'staff' && (!r.staff_role || r.staff_removed_at)) return undefined;
  return {
    accountId: r.account_id,
    kind: r.kind,
    email: r.email,
    name: r.name,
    employerId: r.kind === 'member' ? r.employer_id : null,
    orgRole: r.kind === 'member' ? r.member_role : null,
    staffRole: r.kind === 'staff' ? r.staff_role : null,
  };
}

export async function findCaller(db: Queryable, accountId: string): Promise<Caller | undefined> {
  const { rows } = await db.query<CallerRow>(
    `SELECT ${CALLER_COLUMNS} FROM accounts a ${CALLER_JOINS} WHERE a.id = $1`,
    [accountId],
  );
  return rows[0] && toCaller(rows[0]);
}
