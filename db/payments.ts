import type { Queryable } from './pool';

export interface EmployerBilling {
  employerId: string;
  companyName: string;
  contactEmail: string;
  stripeCustomerId: string | null;
  stripePaymentMethodId: string | null;
}

export async function findEmployerBilling(
  db: Queryable,
  employerId: string,
): Promise<EmployerBilling | undefined> {
  const { rows } = await db.query<{
    id: string;
    company_name: string;
    contact_email: string;
    stripe_customer_id: string | null;
    stripe_payment_method_id: string | null;
  }>(`SELECT * FROM employers WHERE id = $1`, [employerId]);
  const r = rows[0];
  return (
    r && {
      employerId: r.id,
      companyName: r.company_name,
      contactEmail: r.contact_email,
      stripeCustomerId: r.stripe_customer_id,
      stripePaymentMethodId: r.stripe_payment_method_id,
    }
  );
}

export async function saveEmployerBilling(
  db: Queryable,
  employerId: string,
  billing: { stripeCustomerId?: string; stripePaymentMethodId?: string },
): Promise<void> {
  await db.query(
    `UPDATE employers SET stripe_customer_id = coalesce($2, stripe_customer_id),
            stripe_payment_method_id = coalesce($3, stripe_payment_method_id) WHERE id = $1`,
    [employerId, billing.stripeCustomerId ?? null, billing.stripePaymentMethodId ?? null],
  );
}

export interface StudentPayout {
  studentId: string;
  email: string;
  stripeAccountId: string | null;
  payoutsEnabled: boolean;
}

export async function findStudentPayout(
  db: Queryable,
  studentId: string,
): Promise<StudentPayout | undefined> {
  const { rows } = await db.query<{
    id: string;
    email: string;
    stripe_account_id: string | null;
    payouts_enabled: boolean;
  }>(
    `SELECT s.id, a.email, s.stripe_account_id, s.payouts_enabled
       FROM students s JOIN accounts a ON a.id = s.id WHERE s.id = $1`,
    [studentId],
  );
  const r = rows[0];
  return (
    r && {
      studentId: r.id,
      email: r.email,
      stripeAccountId: r.stripe_account_id,
      payoutsEnabled: r.payouts_enabled,
    }
  );
}

export async function saveStudentAccount(db: Queryable, studentId: string, accountId: string): Promise<void> {
  await db.query(`UPDATE students SET stripe_account_id = $2 WHERE id = $1 AND stripe_account_id IS NULL`, [
    studentId,
    accountId,
  ]);
}

/** Marks the account ready and returns the internships whose payout waits for its student. */
export async function markAccountReady(db: Queryable, accountId: string): Promise<string[]> {
  const { rows } = await db.query<{ workflow_id: string }>(
    // payout_waiting_since is set exactly while status = 'Paying' or payout = 'pending' (a trigger,
    // migration 17); its partial index holds only those rows.
    `WITH s AS (UPDATE students SET payouts_enabled = true WHERE stripe_account_id = $1 RETURNING id)
     SELECT i.workflow_id FROM internships i JOIN s ON i.student_id = s.id WHERE i.payout_waiting_since IS NOT NULL`,
    [accountId],
  );
  return rows.map((r) => r.workflow_id);
}
