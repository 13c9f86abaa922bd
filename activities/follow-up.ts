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
import { signCredential, type CredentialPayload } from '../lib/credentials';
import { ErrorType } from '../workflows/definitions';

export interface FollowUpDeps {
  db: Db;
  credentialSecret: string;
}

export function createFollowUpActivities(deps: FollowUpDeps) {
  const { db } = deps;
  return {
    async recordFeedback(f: {
      internshipId: string;
      fromRole: 'employer' | 'student';
      rating: number;
      comment: string;
      endorsedSkills: string[];
      showRatingPublicly: boolean;
    }): Promise<void> {
      await saveFeedback(db, f.internshipId, f);
    },

    async revealFeedback(internshipId: string): Promise<void> {
      await revealFeedback(db, internshipId);
    },

    /**
     * §3.9 Signs the completion credential: title, employer, skills, dates, endorsements, and the
     * employer's rating only if the student chose to show it (re-signed when feedback is revealed).
     * It names the student but not their id; who sees it is the student's choice (private at first).
     */
    async issueCredential(p: {
      internshipId: string;
      completedAt: string;
      startedAt: string | null;
    }): Promise<string> {
      const internship = await findInternship(db, p.internshipId);
      const student = internship?.studentId ? await findStudent(db, internship.studentId) : undefined;
      const employer = internship ? await findEmployer(db, internship.employerId) : undefined;
      if (!internship || !student || !employer) {
        throw ApplicationFailure.nonRetryable('credential for an unknown internship', ErrorType.NotFound);
      }
      const feedback = await listFeedback(db, p.internshipId);
      const fromStudent = feedback.find((f) => f.fromRole === 'student');
      const fromEmployer = feedback.find((f) => f.fromRole === 'employer');
      // Random and unrelated to the internship id (issue 12); the first attempt's id is kept.
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
      });
      return credentialId;
    },

    async recordHiringOffer(p: { internshipId: string; offerNo: number; offer: HiringOffer }): Promise<void> {
      await saveHiringOffer(db, p.internshipId, p.offerNo, p.offer);
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
