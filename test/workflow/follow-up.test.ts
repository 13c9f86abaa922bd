/**
 * After the work, on the time-skipping server (DESIGN §3.9–3.10): double-blind feedback, the signed
 * credential, hiring nudges at 7 and 30 days, hiring offers that expire or are accepted, and the
 * close at 90 days.
 */
import { act } from '../helpers/words';
import { findInternship } from '../../db/internships';
import { verifyCredential } from '../../lib/credentials';
import {
  giveFeedbackUpdate,
  internshipStateQuery,
  makeHiringOfferUpdate,
  respondToHiringOfferUpdate,
} from '../../workflows/definitions';
import { testConfig } from '../helpers/env';
import { complete, withHiredStudent } from '../helpers/hired';
import { emailsTo, waitForEmail } from '../helpers/inbox';
import { useTimeSkipping } from '../helpers/time-skipping';

const suite = useTimeSkipping();

const feedbackRows = async (internshipId: string) =>
  (
    await suite
      .db()
      .query<{ from_role: string; revealed_at: Date | null }>(
        'SELECT from_role, revealed_at FROM feedback WHERE internship_id = $1 ORDER BY from_role',
        [internshipId],
      )
  ).rows;

test('feedback stays double-blind until both gave it; the completion credential verifies', async () => {
  await withHiredStudent(suite, {}, async (hired) => {
    const { handle, employer, student, internshipId } = hired;
    await complete(hired);
    await waitForEmail(student.email, /Your credential/);
    const { rows } = await suite
      .db()
      .query<{ payload: string; signature: string }>(
        'SELECT payload, signature FROM credentials WHERE internship_id = $1',
        [internshipId],
      );
    expect(verifyCredential(rows[0]!.payload, rows[0]!.signature, testConfig().CREDENTIAL_SECRET)).toBe(true);
    // Named, but neither by the student's id nor under the internship's id.
    const statement = JSON.parse(rows[0]!.payload);
    expect(statement).toMatchObject({ title: 'Clean a sales dataset', student: { name: student.name } });
    expect(rows[0]!.payload).not.toContain(student.id);
    expect(statement.credentialId).not.toBe(internshipId);

    const employerFeedback = {
      from: 'employer' as const,
      rating: 5,
      comment: 'Excellent.',
      endorsedSkills: ['excel'],
      showRatingPublicly: false,
    };
    expect(await act(handle, giveFeedbackUpdate, employerFeedback)).toEqual({
      revealed: false,
    });
    expect((await feedbackRows(internshipId)).every((r) => r.revealed_at === null)).toBe(true);
    await expect(act(handle, giveFeedbackUpdate, employerFeedback)).rejects.toThrow();

    await act(handle, giveFeedbackUpdate, {
      from: 'student',
      rating: 4,
      comment: 'Clear brief.',
      endorsedSkills: [],
      showRatingPublicly: true,
    });
    // Both sides are told, each once.
    await waitForEmail(employer.contactEmail, /Feedback on .* is now visible/);
    await waitForEmail(student.email, /Feedback on .* is now visible/);
    expect((await feedbackRows(internshipId)).every((r) => r.revealed_at !== null)).toBe(true);
    // The student chose to show the rating: the credential is re-signed with it.
    const { rows: after } = await suite
      .db()
      .query<{ payload: string; signature: string }>(
        'SELECT payload, signature FROM credentials WHERE internship_id = $1',
        [internshipId],
      );
    expect(JSON.parse(after[0]!.payload)).toMatchObject({ employerRating: 5, endorsedSkills: ['excel'] });
    expect(verifyCredential(after[0]!.payload, after[0]!.signature, testConfig().CREDENTIAL_SECRET)).toBe(
      true,
    );
  });
});

test('one-sided feedback is revealed after 14 days; the employer is nudged at 7 and 30 days; the follow-up closes at 90 days', async () => {
  await withHiredStudent(suite, {}, async (hired) => {
    const { handle, employer, internshipId } = hired;
    const env = suite.env();
    await complete(hired);
    await act(handle, giveFeedbackUpdate, {
      from: 'student',
      rating: 5,
      comment: 'Great mentor.',
      endorsedSkills: [],
      showRatingPublicly: false,
    });
    const nudges = async () =>
      (await emailsTo(employer.contactEmail)).filter((e) => /Hire .*\? It has been/.test(e.subject));

    await env.sleep('167 hours');
    expect(await nudges()).toHaveLength(0);
    await env.sleep('2 hours');
    await waitForEmail(employer.contactEmail, /It has been 7 days/);

    await env.sleep('7 days'); // 14 days and an hour
    await waitForEmail(employer.contactEmail, /Feedback on .* is now visible/);
    expect((await feedbackRows(internshipId))[0]!.revealed_at).not.toBeNull();

    await env.sleep('16 days');
    await waitForEmail(employer.contactEmail, /It has been 30 days/);
    expect(await nudges()).toHaveLength(2);

    await env.sleep('59 days');
    expect((await handle.query(internshipStateQuery)).status).toBe('Completed');
    await env.sleep('2 hours');
    expect(await handle.result()).toEqual({ status: 'Closed', reason: 'follow_up_ended' });
    expect((await findInternship(suite.db(), internshipId))?.status).toBe('Closed');
  });
});

test('a hiring offer that expires is recorded; the next one accepted closes the internship as a hire', async () => {
  await withHiredStudent(suite, {}, async (hired) => {
    const { handle, employer, student, internshipId } = hired;
    const env = suite.env();
    await complete(hired);
    const terms = (days: number) => ({
      role: 'Junior Data Analyst',
      type: 'full_time' as const,
      payCents: 6_000_000,
      payPeriod: 'year' as const,
      startDate: '2027-02-01',
      expiresAt: new Date(Date.now() + days * 86_400_000).toISOString(),
    });
    const now = await env.currentTimeMs();
    await act(handle, makeHiringOfferUpdate, {
      ...terms(0),
      expiresAt: new Date(now + 5 * 86_400_000).toISOString(),
    });
    const offerEmail = await waitForEmail(student.email, /offers you a job: Junior Data Analyst/);
    expect(offerEmail.text).toMatch(/Accept the job offer: \S+\/actions\/mi_/);
    await expect(
      act(handle, makeHiringOfferUpdate, {
        ...terms(0),
        expiresAt: new Date(now + 40 * 86_400_000).toISOString(),
      }),
    ).rejects.toThrow();

    await env.sleep('121 hours');
    const outcome = async () =>
      (
        await suite
          .db()
          .query<{ outcome: string | null }>(
            'SELECT outcome FROM hiring_offers WHERE internship_id = $1 ORDER BY offer_no DESC LIMIT 1',
            [internshipId],
          )
      ).rows[0]?.outcome;
    for (let i = 0; i < 50 && (await outcome()) !== 'expired'; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await outcome()).toBe('expired');

    const later = await env.currentTimeMs();
    await act(handle, makeHiringOfferUpdate, {
      ...terms(0),
      expiresAt: new Date(later + 10 * 86_400_000).toISOString(),
    });
    for (let i = 0; i < 50 && (await outcome()) !== null; i++) await new Promise((r) => setTimeout(r, 100));
    await handle.executeUpdate(respondToHiringOfferUpdate, {
      args: [{ studentId: student.id, accept: true, via: 'api' }],
    });
    expect(await handle.result()).toEqual({ status: 'Closed', reason: 'hired' });
    expect(await outcome()).toBe('accepted');
    await waitForEmail(employer.contactEmail, /accepted your offer for Junior Data Analyst/);
  });
});
