/**
 * An employer is an organisation of people: ops create it and invite its owner; owners and admins
 * invite and remove members. Removing someone ends their sessions, API tokens and email links at
 * once. Each change is in the audit trail with the person who made it.
 */
import { randomUUID } from 'node:crypto';
import {
  disableAccount,
  enableAccount,
  findAccountByEmail,
  insertAccount,
  type Account,
  type OrgRole,
} from '../../db/accounts';
import { insertEmployer, type Employer } from '../../db/employers';
import { findMember, markMemberRemoved, otherOwners, upsertMember, type Member } from '../../db/members';
import { inTransaction, type Db } from '../../db/pool';
import type { Actor } from '../audited-handle';
import { conflict, forbidden, notFound } from '../problem';
import type { CreateEmployerBody } from '../schemas';
import { auditAccount } from '../account-audit';
import { sendSignInEmail, type SignInDeps } from './sign-in';

type Queryable = Parameters<Parameters<typeof inTransaction>[1]>[0];

/** The account to invite: a new one, or the same person coming back to this organisation. */
async function memberAccount(
  tx: Queryable,
  employerId: string,
  invitee: { email: string; name: string | null },
): Promise<Account> {
  const existing = await findAccountByEmail(tx, invitee.email, { forUpdate: true });
  if (!existing) {
    return (await insertAccount(tx, {
      id: randomUUID(),
      email: invitee.email,
      kind: 'member',
      name: invitee.name,
    }))!;
  }
  const member = existing.kind === 'member' ? await findMember(tx, employerId, existing.id) : undefined;
  if (member) throw conflict('AlreadyMember', `${invitee.email} is already a member of this organisation`);
  const { rows } = await tx.query<{ employer_id: string }>(
    `SELECT employer_id FROM members WHERE account_id = $1`,
    [existing.id],
  );
  if (existing.kind !== 'member' || rows[0]?.employer_id !== employerId) {
    throw conflict(
      'EmailTaken',
      `${invitee.email} already has an account elsewhere on the platform; invite another address`,
    );
  }
  await enableAccount(tx, existing.id, invitee.name);
  return existing;
}

async function invite(
  deps: SignInDeps,
  tx: Queryable,
  i: { employer: Employer; email: string; name: string | null; role: OrgRole; by: Actor },
): Promise<{ account: Account; member: Member }> {
  const account = await memberAccount(tx, i.employer.id, { email: i.email, name: i.name });
  await upsertMember(tx, {
    accountId: account.id,
    employerId: i.employer.id,
    role: i.role,
    invitedBy: i.by.id,
  });
  await auditAccount({ db: tx }, { action: `member-invited:${i.role}`, actor: i.by, subjectId: account.id });
  return { account, member: (await findMember(tx, i.employer.id, account.id))! };
}

const invitation = (employer: Employer, role: OrgRole, by: string | null) => ({
  purpose: 'invite' as const,
  invitation: { to: employer.companyName, role, by },
});

/** Ops create an organisation and invite its owner (the billing contact unless another is named). */
export async function createOrganisation(
  deps: SignInDeps,
  request: { body: CreateEmployerBody; by: Actor; byName: string | null },
): Promise<{ employer: Employer; owner: Member }> {
  const { body, by } = request;
  const created = await inTransaction(deps.db, async (tx) => {
    const employer = await insertEmployer(tx, {
      id: randomUUID(),
      companyName: body.companyName,
      contactName: body.contactName ?? null,
      contactEmail: body.contactEmail,
      timeZone: body.timeZone,
    });
    await auditAccount({ db: tx }, { action: 'organisation-created', actor: by, subjectId: employer.id });
    const owner = await invite(deps, tx, {
      employer,
      email: body.owner?.email ?? body.contactEmail,
      name: body.owner?.name ?? body.contactName ?? null,
      role: 'owner',
      by,
    });
    return { employer, ...owner };
  });
  await sendSignInEmail(deps, created.account, invitation(created.employer, 'owner', request.byName));
  return { employer: created.employer, owner: created.member };
}

/** An owner or admin (or ops) invites someone; only an owner (or ops) may make another owner. */
export async function inviteMember(
  deps: SignInDeps,
  request: {
    employer: Employer;
    email: string;
    name: string | null;
    role: OrgRole;
    by: Actor;
    byName: string | null;
  },
): Promise<Member> {
  if (request.role === 'owner' && request.by.title === 'admin' && request.by.role === 'employer') {
    throw forbidden('Only an owner may invite another owner');
  }
  const invited = await inTransaction(deps.db, (tx) => invite(deps, tx, request));
  await sendSignInEmail(deps, invited.account, invitation(request.employer, request.role, request.byName));
  return invited.member;
}

/** Removes a member: their sessions and tokens end now. The last owner stays; an admin cannot remove an owner. */
export async function removeMember(
  db: Db,
  request: { employerId: string; accountId: string; by: Actor },
): Promise<void> {
  await inTransaction(db, async (tx) => {
    const member = await findMember(tx, request.employerId, request.accountId);
    if (!member) throw notFound('Member');
    if (member.role === 'owner' && request.by.role === 'employer' && request.by.title !== 'owner') {
      throw forbidden('Only an owner may remove an owner');
    }
    if (member.role === 'owner' && (await otherOwners(tx, request.employerId, member.accountId)) === 0) {
      throw conflict('LastOwner', 'An organisation keeps at least one owner: make another owner first');
    }
    await markMemberRemoved(tx, member.accountId);
    await disableAccount(tx, member.accountId);
    await auditAccount(
      { db: tx },
      { action: 'member-removed', actor: request.by, subjectId: member.accountId },
    );
  });
}
