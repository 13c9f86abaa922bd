/**
 * Operations staff are people with a role: support reads everything ops read and changes nothing,
 * finance decides money (disputes, fee exceptions, cancellations), admin manages staff and
 * organisations. An admin adds and removes staff; the OPS_TOKEN can only add an admin (break-glass).
 */
import { randomUUID } from 'node:crypto';
import {
  disableAccount,
  enableAccount,
  findAccountByEmail,
  insertAccount,
  type Account,
  type StaffRole,
} from '../../db/accounts';
import { inTransaction, type Db } from '../../db/pool';
import { findStaff, markStaffRemoved, otherAdmins, upsertStaff, type StaffMember } from '../../db/staff';
import { auditAccount, type BREAK_GLASS } from '../account-audit';
import type { Actor } from '../audited-handle';
import { conflict, notFound } from '../problem';
import { sendSignInEmail, sendUseIdentityProvider, type SignInDeps } from './sign-in';

export async function addStaff(
  deps: SignInDeps,
  request: {
    email: string;
    name: string | null;
    role: StaffRole;
    by: Actor | typeof BREAK_GLASS;
    byName: string | null;
  },
): Promise<StaffMember> {
  const account = await inTransaction(deps.db, async (tx): Promise<Account> => {
    const existing = await findAccountByEmail(tx, request.email, { forUpdate: true });
    if (existing && existing.kind !== 'staff') {
      throw conflict(
        'EmailTaken',
        `${request.email} already has an account that is not staff; use another address`,
      );
    }
    if (existing && (await findStaff(tx, existing.id))) {
      throw conflict('AlreadyStaff', `${request.email} is already on the staff`);
    }
    const account =
      existing ??
      (await insertAccount(tx, {
        id: randomUUID(),
        email: request.email,
        kind: 'staff',
        name: request.name,
      }))!;
    if (existing) await enableAccount(tx, existing.id, request.name);
    await upsertStaff(tx, { accountId: account.id, role: request.role, createdBy: request.by.id });
    await auditAccount(
      { db: tx },
      { action: `staff-added:${request.role}`, actor: request.by, subjectId: account.id },
    );
    return account;
  });
  if (deps.config.OIDC_ISSUER) await sendUseIdentityProvider(deps, account, 'added');
  else
    await sendSignInEmail(deps, account, {
      purpose: 'invite',
      invitation: { to: 'the Micro-internships operations staff', role: request.role, by: request.byName },
    });
  return (await findStaff(deps.db, account.id))!;
}

/** Removes a staff member: their sessions and tokens end now. The last admin stays. */
export async function removeStaff(db: Db, request: { accountId: string; by: Actor }): Promise<void> {
  await inTransaction(db, async (tx) => {
    const member = await findStaff(tx, request.accountId);
    if (!member) throw notFound('Staff member');
    if (member.role === 'admin' && (await otherAdmins(tx, member.accountId)) === 0) {
      throw conflict('LastAdmin', 'The staff keeps at least one admin: make another admin first');
    }
    await markStaffRemoved(tx, member.accountId);
    await disableAccount(tx, member.accountId);
    await auditAccount(
      { db: tx },
      { action: 'staff-removed', actor: request.by, subjectId: member.accountId },
    );
  });
}
