/**
 * A student signs up: the profile is kept with an unconfirmed account and a confirmation email goes
 * out; nothing but reading postings is possible until its link or code is used (which signs them
 * in). An address that already has an account is told so by email, never in the answer.
 */
import { randomUUID } from 'node:crypto';
import { findAccountByEmail, insertAccount, type Account } from '../../db/accounts';
import { inTransaction } from '../../db/pool';
import { saveStudentProfile, type StudentProfile } from '../../db/students';
import { sendSignInEmail, type SignInDeps, type EmailReason } from './sign-in';

export async function signUpStudent(
  deps: SignInDeps,
  request: StudentProfile & { email: string },
): Promise<void> {
  const { email, ...profile } = request;
  const outcome = await inTransaction(
    deps.db,
    async (tx): Promise<{ account: Account; reason: EmailReason } | undefined> => {
      const existing = await findAccountByEmail(tx, email, { forUpdate: true });
      if (!existing) {
        const account = await insertAccount(tx, {
          id: randomUUID(),
          email,
          kind: 'student',
          name: profile.name,
        });
        if (!account) return undefined;
        await saveStudentProfile(tx, account.id, profile);
        return { account, reason: { purpose: 'verify' } };
      }
      if (existing.disabledAt) return undefined;
      // Unconfirmed: whoever confirms the address gets the latest profile sent for it.
      if (existing.kind === 'student' && !existing.verifiedAt) {
        await saveStudentProfile(tx, existing.id, profile);
        return { account: existing, reason: { purpose: 'verify' } };
      }
      return { account: existing, reason: { purpose: 'sign-in', alreadyRegistered: true } };
    },
  );
  if (outcome) await sendSignInEmail(deps, outcome.account, outcome.reason);
}
