import type { StaffRole } from './accounts';
import type { Queryable } from './pool';

/** An operations staff member, with their role. */
export interface StaffMember {
  accountId: string;
  email: string | null;
  name: string | null;
  role: StaffRole;
  /** Linked to the company's identity provider (signed in through it at least once). */
  linkedToIdentityProvider: boolean;
  createdAt: string;
}

interface StaffRow {
  account_id: string;
  email: string | null;
  name: string | null;
  role: StaffRole;
  oidc_subject: string | null;
  created_at: Date;
}

const toStaff = (r: StaffRow): StaffMember => ({
  accountId: r.account_id,
  email: r.email,
  name: r.name,
  role: r.role,
  linkedToIdentityProvider: r.oidc_subject !== null,
  createdAt: r.created_at.toISOString(),
});

const SELECT_STAFF = `SELECT s.account_id, a.email, a.name, s.role, s.oidc_subject, s.created_at
                        FROM staff s JOIN accounts a ON a.id = s.account_id`;

/** Makes the account a staff member with `role` (again, when they had been removed). */
export async function upsertStaff(
  db: Queryable,
  s: { accountId: string; role: StaffRole; createdBy: string | null },
): Promise<void> {
  await db.query(
    `INSERT INTO staff (account_id, role, created_by) VALUES ($1, $2, $3)
     ON CONFLICT (account_id) DO UPDATE
       SET role = excluded.role, created_by = excluded.created_by, removed_at = NULL, created_at = now()`,
    [s.accountId, s.role, s.createdBy],
  );
}

export async function listStaff(db: Queryable): Promise<StaffMember[]> {
  const { rows } = await db.query<StaffRow>(
    `${SELECT_STAFF} WHERE s.removed_at IS NULL ORDER BY s.created_at LIMIT 1000`,
  );
  return rows.map(toStaff);
}

export async function findStaff(db: Queryable, accountId: string): Promise<StaffMember | undefined> {
  const { rows } = await db.query<StaffRow>(
    `${SELECT_STAFF} WHERE s.account_id = $1 AND s.removed_at IS NULL`,
    [accountId],
  );
  return rows[0] && toStaff(rows[0]);
}

/** Admins left besides `exceptAccountId`, under a lock so two removals cannot leave none. */
export async function otherAdmins(db: Queryable, exceptAccountId: string): Promise<number> {
  const { rows } = await db.query(
    `SELECT account_id FROM staff WHERE role = 'admin' AND removed_at IS NULL AND account_id <> $1 FOR UPDATE`,
    [exceptAccountId],
  );
  return rows.length;
}

export async function markStaffRemoved(db: Queryable, accountId: string): Promise<void> {
  await db.query(`UPDATE staff SET removed_at = now() WHERE account_id = $1 AND removed_at IS NULL`, [
    accountId,
  ]);
}

/**
 * The staff member the identity provider vouches for: by issuer and subject once linked; the first
 * time, by the email the provider says it verified, which links them.
 */
export async function staffForIdentity(
  db: Queryable,
  id: { issuer: string; subject: string; email: string | null },
): Promise<string | undefined> {
  const linked = await db.query<{ account_id: string }>(
    `SELECT s.account_id FROM staff s JOIN accounts a ON a.id = s.account_id
      WHERE s.oidc_issuer = $1 AND s.oidc_subject = $2 AND s.removed_at IS NULL AND a.disabled_at IS NULL`,
    [id.issuer, id.subject],
  );
  if (linked.rows[0]) return linked.rows[0].account_id;
  if (!id.email) return undefined;
  const { rows } = await db.query<{ account_id: string }>(
    `UPDATE staff s SET oidc_issuer = $1, oidc_subject = $2
       FROM accounts a
      WHERE a.id = s.account_id AND lower(a.email) = lower($3) AND s.oidc_subject IS NULL
        AND s.removed_at IS NULL AND a.disabled_at IS NULL
      RETURNING s.account_id`,
    [id.issuer, id.subject, id.email],
  );
  return rows[0]?.account_id;
}
