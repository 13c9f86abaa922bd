import { ApplicationFailure } from '@temporalio/activity';
import { randomUUID } from 'node:crypto';
import { findEmployer } from '../db/employers';
import {
  listFeedback,
  recordHiringOutcome,
  revealFeedback,
  saveFeedback,
  saveHiringOffer,
  reserveCredentialId,
  storeCredentialSignature,
  type HiringOffer,
} from '../db/follow-up';
import { findInternship } from '../db/internships';
import type { Db } from '../db/pool';
import { findStudent } from '../db/students';
import { findText } from '../db/texts';
import { CredentialKeys } from '../lib/credential-keys';
import { signCredential, type CredentialPayload } from '../lib/credentials';
import type { Ed25519Jwk } from '../lib/ed25519-jwk';
import { achievementCredential, signBadge } from '../lib/open-badges';
import { ErrorType } from '../workflows/definitions';

export interface FollowUpDeps {
  db: Db;
  credentialSecret: string;
  /** CREDENTIAL_SIGNING_KEYS; unset, a key generated once and kept in Postgres signs badges. */
  credentialSigningKeys?: readonly Ed25519Jwk[];
  publicBaseUrl: string;
}

export function createFollowUpActivities(deps: FollowUpDeps) {
  const { db } = deps;
  const keys = new CredentialKeys(db, deps.credentialSigningKeys);
  return {
    /** Stores the feedback; its words come from the text `textId` (runs from before sent the words). */
    async recordFeedback(f: {
      internshipId: string;
      fromRole: 'employer' | 'student';
      rating: number;
      textId?: string;
      comment?: string;
      endorsedSkills?: string[];
      showRatingPublicly: boolean;
    }): Promise<void> {
      const words = f.textId ? await findText(db, f.textId, 'feedback') : undefined;
      if (f.textId && !words)
        throw ApplicationFailure.nonRetryable('feedback text not found', ErrorType.NotFound);
      await saveFeedback(db, f.internshipId, {
        ...f,
        comment: words?.comment ?? f.comment ?? '',
        endorsedSkills: words?.endorsedSkills ?? f.endorsedSkills ?? [],
      });
    },

    async revealFeedback(internshipId: string): Promise<void> {
      await revealFeedback(db, internshipId);
    },

    /**
     * §3.9 Signs the completion credential (re-signed when feedback is revealed); see
     * `signCompletion`.
     */
    issueCredential: (p: { internshipId: string; completedAt: string; startedAt: string | null }) =>
      signCompletion(deps, keys, p),

    /** Stores the offer; its terms come from the text `textId` (runs from before sent the terms). */
    async recordHiringOffer(p: {
      internshipId: string;
      offerNo: number;
      offer: { textId?: string; expiresAt: string } & Partial<HiringOffer>;
    }): Promise<void> {
      const terms = p.offer.textId ? await findText(db, p.offer.textId, 'hiring-offer') : p.offer;
      if (!terms) throw ApplicationFailure.nonRetryable('hiring offer text not found', ErrorType.NotFound);
      await saveHiringOffer(db, p.internshipId, p.offerNo, {
        role: terms.role ?? '',
        type: terms.type ?? 'full_time',
        payCents: terms.payCents ?? 0,
        payPeriod: terms.payPeriod ?? 'year',
        startDate: terms.startDate ?? '',
        expiresAt: p.offer.expiresAt,
      });
    },

    async recordHiringOutcome(p: {
      internshipId: string;
      offerNo: number;
      outcome: 'accepted' | 'declined' | 'expired';
    }): Promise<void> {
      await recordHiringOutcome(db, p.internshipId, p.offerNo, p.outcome);
    },
  };
}

/**
 * §3.9 Signs the completion credential: title, employer, skills, dates, endorsements, and the
 * employer's rating only if the student chose to show it (re-signed when feedback is revealed).
 * It names the student but not their id; who sees it is the student's choice (private at first).
 * The same statement is signed twice: with HMAC (checked by this API) and as an Open Badge (§8).
 */
async function signCompletion(
  deps: FollowUpDeps,
  keys: CredentialKeys,
  p: { internshipId: string; completedAt: string; startedAt: string | null },
): Promise<string> {
  const { db } = deps;
  const internship = await findInternship(db, p.internshipId);
  const student = internship?.studentId ? await findStudent(db, internship.studentId) : undefined;
  const employer = internship ? await findEmployer(db, internship.employerId) : undefined;
  if (!internship || !student || !employer) {
    throw ApplicationFailure.nonRetryable('credential for an unknown internship', ErrorType.NotFound);
  }
  const feedback = await listFeedback(db, p.internshipId);
  const fromStudent = feedback.find((f) => f.fromRole === 'student');
  const fromEmployer = feedback.find((f) => f.fromRole === 'employer');
  // Random, so it tells nothing about the internship or who was hired; a retry keeps the first id.
  const credentialId = await reserveCredentialId(db, {
    id: randomUUID(),
    internshipId: p.internshipId,
    studentId: student.id,
  });
  const payload: CredentialPayload = {
    credentialId,
    type: 'micro-internship-completion',
    student: { name: student.name },
    employer: employer.companyName,
    title: internship.title,
    skills: internship.skills,
    endorsedSkills: fromEmployer?.revealed ? fromEmployer.endorsedSkills : [],
    skillsPractised: fromStudent?.endorsedSkills ?? [],
    startedAt: p.startedAt,
    completedAt: p.completedAt,
    ...(fromStudent?.showRatingPublicly && fromEmployer?.revealed
      ? { employerRating: fromEmployer.rating }
      : {}),
  };
  const text = JSON.stringify(payload);
  await storeCredentialSignature(db, {
    internshipId: p.internshipId,
    payload: text,
    signature: signCredential(text, deps.credentialSecret),
    vcJwt: signBadge(
      achievementCredential(payload, deps.publicBaseUrl),
      await keys.signingKey(),
      deps.publicBaseUrl,
    ),
  });
  return credentialId;
}
