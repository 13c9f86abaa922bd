/**
 * Signing in by email: a person asks, the email carries a link and a six-digit code (single use,
 * stored hashed, only the newest email works), and using either opens a session. Using one also
 * proves the address is theirs, which is all a sign-up's verification is.
 */
import type { Logger } from 'pino';
import { findAccount, findAccountByEmail, markVerified, type Account } from '../../db/accounts';
import type { Db } from '../../db/pool';
import { openSession, type SessionClient, type SessionLifetime, type SignInMethod } from '../../db/sessions';
import {
  createChallenge,
  MAX_CODE_ATTEMPTS,
  useCode,
  useLink,
  type ChallengeOutcome,
  type ChallengePurpose,
} from '../../db/sign-in';
import { inTransaction } from '../../db/pool';
import type { AppConfig } from '../../lib/config';
import { notice, type EmailContent } from '../../lib/mail/content';
import type { Mailer } from '../../lib/mail/mailer';
import { deliverOnce } from '../../lib/mail/outbox';
import { HttpProblem } from '../problem';

export interface SignInDeps {
  db: Db;
  mailer: Mailer;
  logger: Logger;
  /** Sends a queued email in the background (the API's outbox relay); inline without it. */
  sendSoon?: (dedupeKey: string) => void;
  config: Pick<
    AppConfig,
    | 'PUBLIC_BASE_URL'
    | 'SIGN_IN_LINK_MINUTES'
    | 'INVITATION_DAYS'
    | 'SESSION_IDLE_DAYS'
    | 'SESSION_MAX_DAYS'
    | 'OIDC_ISSUER'
  >;
}

export const sessionLifetime = (config: SignInDeps['config']): SessionLifetime => ({
  idleSeconds: Math.round(config.SESSION_IDLE_DAYS * 86_400),
  maxSeconds: Math.round(config.SESSION_MAX_DAYS * 86_400),
});

/** What an email says besides the link and code: why it came. */
export interface EmailReason {
  purpose: ChallengePurpose;
  /** A sign-up for an address that already has an account: told so, with a way in. */
  alreadyRegistered?: boolean;
  /** An invitation: to which organisation (or to the staff), with which role, by whom. */
  invitation?: { to: string; role: string; by: string | null };
}

function signInEmail(
  account: Account,
  reason: EmailReason,
  email: { url: string; code: string; minutes: number },
): EmailContent {
  const greeting = `Hello${account.name ? ` ${account.name.split(' ')[0]}` : ''},`;
  const lasts =
    email.minutes >= 1440 ? `${Math.round(email.minutes / 1440)} days` : `${email.minutes} minutes`;
  const use = `Open the link below, or enter the code ${email.code}. Either works once, for ${lasts}; only the newest email works.`;
  const ignore =
    'If you did not ask for this, ignore this email: nothing happens without the link or the code.';
  if (reason.invitation) {
    const by = reason.invitation.by ? `${reason.invitation.by} invited you` : 'You are invited';
    return notice({
      subject: `You are invited to ${reason.invitation.to} on Micro-internships`,
      greeting,
      lines: [`${by} to join ${reason.invitation.to} as ${reason.invitation.role}.`, use],
      link: { href: email.url, label: 'Accept and sign in' },
    });
  }
  if (reason.alreadyRegistered) {
    return notice({
      subject: 'You already have an account on Micro-internships',
      greeting,
      lines: [
        'Someone, probably you, tried to sign up with this address. You already have an account.',
        use,
        ignore,
      ],
      link: { href: email.url, label: 'Sign in' },
    });
  }
  if (reason.purpose === 'verify') {
    return notice({
      subject: `Confirm your email: ${email.code}`,
      greeting,
      lines: [
        'Welcome to Micro-internships. Confirm that this address is yours to start applying.',
        use,
        ignore,
      ],
      link: { href: email.url, label: 'Confirm and sign in' },
    });
  }
  return notice({
    subject: `Your sign-in code: ${email.code}`,
    greeting,
    lines: ['Here is your way in to Micro-internships.', use, ignore],
    link: { href: email.url, label: 'Sign in' },
  });
}

/** Emails the account a new link and code (superseding earlier ones), once per challenge. */
export async function sendSignInEmail(
  deps: SignInDeps,
  account: Account,
  reason: EmailReason,
): Promise<void> {
  if (!account.email) return;
  const minutes =
    reason.purpose === 'invite' ? deps.config.INVITATION_DAYS * 1440 : deps.config.SIGN_IN_LINK_MINUTES;
  const challenge = await createChallenge(deps.db, {
    accountId: account.id,
    purpose: reason.purpose,
    ttlSeconds: minutes * 60,
  });
  const url = `${deps.config.PUBLIC_BASE_URL}/sign-in/${challenge.link}`;
  await deliverOnce(deps, {
    dedupeKey: `account:${account.id}:email:${reason.purpose}:${challenge.id}`,
    internshipId: null,
    to: account.email,
    ...signInEmail(account, reason, { url, code: challenge.code, minutes }),
  });
}

/** Staff of a company with an identity provider sign in there; the email says so instead. */
export async function sendUseIdentityProvider(
  deps: SignInDeps,
  account: Account,
  why: 'added' | 'asked',
): Promise<void> {
  const url = `${deps.config.PUBLIC_BASE_URL}/auth/oidc/start`;
  // Asking again within the hour sends nothing more: the link does not change.
  const when = why === 'added' ? `added:${Date.now()}` : new Date().toISOString().slice(0, 13);
  await deliverOnce(deps, {
    dedupeKey: `account:${account.id}:email:use-idp:${when}`,
    internshipId: null,
    to: account.email!,
    ...notice({
      subject: 'Sign in to Micro-internships with your company account',
      greeting: `Hello${account.name ? ` ${account.name.split(' ')[0]}` : ''},`,
      lines: ['Operations staff sign in through the company identity provider, not by email.'],
      link: { href: url, label: 'Sign in with your company account' },
    }),
  });
}

/**
 * What happens after `POST /v1/auth/sign-in` has answered (the answer is the same for every
 * address): a registered, active account gets its email; any other address gets nothing.
 */
export async function emailSignIn(deps: SignInDeps, email: string): Promise<void> {
  const account = await findAccountByEmail(deps.db, email);
  if (!account || account.disabledAt) return;
  if (account.kind === 'staff' && deps.config.OIDC_ISSUER)
    return sendUseIdentityProvider(deps, account, 'asked');
  await sendSignInEmail(deps, account, { purpose: account.verifiedAt ? 'sign-in' : 'verify' });
}

const CODE_WRONG = (attemptsLeft?: number) =>
  new HttpProblem(
    401,
    'Unauthorized',
    'That code is not right, or there is no sign-in email for that address',
    {
      type: '/problems/WrongCode',
      ...(attemptsLeft !== undefined ? { members: { attemptsLeft } } : {}),
    },
  );

/** Why a link or code opened no session, as the person should read it. */
export function refusal(outcome: Exclude<ChallengeOutcome, { result: 'ok' }>): HttpProblem {
  switch (outcome.result) {
    case 'wrong-code':
      return CODE_WRONG(outcome.attemptsLeft);
    case 'unknown':
      return CODE_WRONG();
    case 'locked':
      return new HttpProblem(
        401,
        'Unauthorized',
        `${MAX_CODE_ATTEMPTS} wrong codes: this sign-in email is locked. Ask for a new one.`,
        { type: '/problems/SignInLocked' },
      );
    case 'used':
      return new HttpProblem(410, 'Gone', 'This sign-in link or code was already used. Ask for a new one.', {
        type: '/problems/SignInUsed',
      });
    case 'superseded':
      return new HttpProblem(410, 'Gone', 'A newer sign-in email replaced this one: use the newest.', {
        type: '/problems/SignInSuperseded',
      });
    case 'expired':
      return new HttpProblem(410, 'Gone', 'This sign-in link or code has expired. Ask for a new one.', {
        type: '/problems/SignInExpired',
      });
  }
}

export interface OpenedSession {
  account: Account;
  token: string;
  csrfToken: string | null;
  sessionId: string;
  expiresAt: string;
  method: SignInMethod;
}

/**
 * Opens a session with a sign-in email's link or its code (for the address it was sent to). The
 * code's wrong attempts are counted in their own transaction, so a refusal never rolls them back.
 */
export async function openSessionWith(
  deps: SignInDeps,
  proof: { link: string } | { email: string; code: string },
  client: { kind: SessionClient; userAgent?: string | undefined },
): Promise<OpenedSession | Exclude<ChallengeOutcome, { result: 'ok' }>> {
  const outcome = await inTransaction(deps.db, async (tx) => {
    if ('link' in proof) return useLink(tx, proof.link);
    const account = await findAccountByEmail(tx, proof.email);
    if (!account || account.disabledAt) return { result: 'unknown' } as const;
    return useCode(tx, account.id, proof.code);
  });
  if (outcome.result !== 'ok') return outcome;
  const method: SignInMethod = 'link' in proof ? 'email-link' : 'email-code';
  return inTransaction(deps.db, async (tx) => {
    await markVerified(tx, outcome.accountId);
    const account = (await findAccount(tx, outcome.accountId))!;
    if (account.disabledAt) return { result: 'unknown' } as const;
    const opened = await openSession(
      tx,
      { accountId: account.id, client: client.kind, method, userAgent: client.userAgent },
      sessionLifetime(deps.config),
    );
    return {
      account,
      token: opened.token,
      csrfToken: opened.csrfToken,
      sessionId: opened.session.id,
      expiresAt: opened.session.expiresAt,
      method,
    };
  });
}
