/**
 * A notice's dedupe key is the primary key of its email in the outbox: a retry that computed it
 * otherwise would send the email twice, so every kind's key is pinned here as the workflow's
 * occurrences make it. And what older workers scheduled must still write its email: every notice
 * in the saved histories renders with the facts it carried, words carried instead of a textId reach
 * the email, and a hire named without its student still introduces the student to the employer.
 * The keys and the saved notices need no server; the last two run the activities on the test
 * stack's Postgres, leaving their emails in the outbox.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { createNotificationActivities, noticeDedupeKey } from '../../activities/notifications';
import { noticeContent, type PostingFacts } from '../../activities/notice-templates';
import { insertApplication } from '../../db/applications';
import { createPool, type Db } from '../../db/pool';
import { createSmtpMailer } from '../../lib/mail/mailer';
import type { HireEmail, Notice, NoticeKind } from '../../workflows/notices';
import { seedEmployer, seedPosting, seedStudent } from '../helpers/fixtures';
import { testConfig } from '../helpers/env';

const ID = '1ffac1f2-c942-4d3c-810d-7736a0754224';
const KEY = 'internship:1ffac1f2-c942-4d3c-810d-7736a0754224:email:';
/** The hired student, whose id some occurrences carry. */
const S = 'ab1a0c16-a78d-401c-8b64-5ad0e31802f6';
const DUE = '2027-01-03T04:08:23.974Z';
const LATER = '2027-01-06T04:08:23.974Z';

/** Each kind to the recipients, with the occurrences, the workflow gives it: the key it must keep. */
const KEYS: Record<NoticeKind, [Notice['to'], string | undefined, string][]> = {
  'pay-link': [['employer', undefined, `${KEY}pay-link:employer`]],
  'unfunded-employer': [['employer', undefined, `${KEY}unfunded-employer:employer`]],
  'unfunded-student': [['student', undefined, `${KEY}unfunded-student:student`]],
  'work-started': [['student', S, `${KEY}work-started:student:${S}`]],
  'work-started-employer': [['employer', S, `${KEY}work-started-employer:employer:${S}`]],
  'work-midpoint': [['student', `${S}:${DUE}`, `${KEY}work-midpoint:student:${S}:${DUE}`]],
  'work-due-soon': [['student', `${S}:${DUE}`, `${KEY}work-due-soon:student:${S}:${DUE}`]],
  submitted: [
    ['employer', 'round0', `${KEY}submitted:employer:round0`],
    ['employer', 'round2', `${KEY}submitted:employer:round2`],
  ],
  'review-reminder': [['employer', 'round1:2d', `${KEY}review-reminder:employer:round1:2d`]],
  'changes-requested': [['student', 'round1', `${KEY}changes-requested:student:round1`]],
  disputed: [
    ['employer', undefined, `${KEY}disputed:employer`],
    ['student', undefined, `${KEY}disputed:student`],
  ],
  approved: [['student', undefined, `${KEY}approved:student`]],
  'payout-onboarding': [
    ['student', '0', `${KEY}payout-onboarding:student:0`],
    ['student', '3', `${KEY}payout-onboarding:student:3`],
  ],
  paid: [['student', undefined, `${KEY}paid:student`]],
  'extension-requested': [['employer', '1', `${KEY}extension-requested:employer:1`]],
  'extension-decided': [['student', '2', `${KEY}extension-decided:student:2`]],
  'deadline-missed': [
    ['employer', `employer:${DUE}`, `${KEY}deadline-missed:employer:employer:${DUE}`],
    ['student', `student:${DUE}`, `${KEY}deadline-missed:student:student:${DUE}`],
  ],
  'recovery-choice': [['employer', `${S}:${DUE}`, `${KEY}recovery-choice:employer:${S}:${DUE}`]],
  'student-withdrew': [['employer', `${S}:${DUE}`, `${KEY}student-withdrew:employer:${S}:${DUE}`]],
  'withdrawal-confirmed': [['student', S, `${KEY}withdrawal-confirmed:student:${S}`]],
  replaced: [['student', S, `${KEY}replaced:student:${S}`]],
  refunded: [['employer', undefined, `${KEY}refunded:employer`]],
  'cancelled-kill-fee': [['student', undefined, `${KEY}cancelled-kill-fee:student`]],
  'cancelled-refund': [['employer', undefined, `${KEY}cancelled-refund:employer`]],
  'fee-exception-waiting': [['ops', '1', `${KEY}fee-exception-waiting:ops:1`]],
  'fee-declined': [['employer', undefined, `${KEY}fee-declined:employer`]],
  'fee-approved': [['employer', undefined, `${KEY}fee-approved:employer`]],
  'dispute-open': [['ops', '3', `${KEY}dispute-open:ops:3`]],
  'dispute-resolved': [
    ['employer', undefined, `${KEY}dispute-resolved:employer`],
    ['student', undefined, `${KEY}dispute-resolved:student`],
  ],
  'credential-issued': [['student', undefined, `${KEY}credential-issued:student`]],
  'feedback-revealed': [
    ['employer', undefined, `${KEY}feedback-revealed:employer`],
    ['student', undefined, `${KEY}feedback-revealed:student`],
  ],
  'hiring-nudge': [
    ['employer', '7d', `${KEY}hiring-nudge:employer:7d`],
    ['employer', '30d', `${KEY}hiring-nudge:employer:30d`],
  ],
  'hiring-offer': [['student', '1', `${KEY}hiring-offer:student:1`]],
  'hiring-answered': [['employer', undefined, `${KEY}hiring-answered:employer`]],
};

test.each(
  Object.entries(KEYS).flatMap(([kind, cases]) =>
    cases.map(([to, occurrence, key]) => [kind as NoticeKind, to, occurrence, key] as const),
  ),
)('%s to the %s (occurrence %s) keeps the key %s', (kind, to, occurrence, key) => {
  expect(noticeDedupeKey({ internshipId: ID, kind, to, ...(occurrence ? { occurrence } : {}) })).toBe(key);
});

/** Every notice scheduled in a saved history, as the worker of its day sent it. */
function savedNotices(): Notice[] {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? files(full) : name.endsWith('.json') ? [full] : [];
    });
  type Event = {
    activityTaskScheduledEventAttributes?: {
      activityType: { name: string };
      input: { payloads: { data: string }[] };
    };
  };
  return files(path.join(__dirname, '../histories')).flatMap((file) =>
    (JSON.parse(readFileSync(file, 'utf8')) as { events: Event[] }).events.flatMap((e) => {
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled?.activityType.name !== 'notifyParty') return [];
      return [JSON.parse(Buffer.from(scheduled.input.payloads[0]!.data, 'base64').toString()) as Notice];
    }),
  );
}

const POSTING: PostingFacts = {
  internshipId: ID,
  title: 'Clean a sales dataset',
  company: 'Acme Analytics',
  employerName: 'Ada Lovelace',
  studentName: 'Grace Hopper',
  fee: '$250.00',
  postingUrl: `https://app.test/app/employer/postings/${ID}`,
  timeZone: 'UTC',
};

/** Facts that are words a person wrote, carried by notices from before words were stored apart. */
const WORDS = ['url', 'comments', 'reason', 'role', 'pay'];
const CARRY_WORDS = new Set<NoticeKind>([
  'submitted',
  'changes-requested',
  'extension-requested',
  'cancelled-kill-fee',
  'cancelled-refund',
  'hiring-offer',
  'hiring-answered',
]);

test('every notice an older worker scheduled in a saved history still writes its whole email', () => {
  const notices = savedNotices();
  const factsOf = (kind: NoticeKind) => notices.filter((n) => n.kind === kind).map((n) => n.facts ?? {});
  // The older shapes are among them: words instead of a textId, outcomes told without their amounts.
  expect(factsOf('submitted').some((f) => 'url' in f)).toBe(true);
  expect(factsOf('cancelled-kill-fee').some((f) => !('amount' in f))).toBe(true);
  expect(factsOf('dispute-resolved').some((f) => !('refund' in f))).toBe(true);
  const broken = notices.flatMap((notice) => {
    const facts = (notice.facts ?? {}) as Record<string, string>;
    const { text } = noticeContent(notice.kind, { ...POSTING, ...facts });
    const words = CARRY_WORDS.has(notice.kind)
      ? WORDS.map((f) => facts[f]).filter((w): w is string => Boolean(w))
      : [];
    const whole = !/undefined|NaN|Invalid Date/.test(text) && words.every((w) => text.includes(w));
    return whole ? [] : [{ notice, text }];
  });
  expect(broken).toEqual([]);
});

describe('older inputs through the activities, on the test stack', () => {
  const config = testConfig();
  let db: Db;
  beforeAll(() => {
    db = createPool(config.DATABASE_URL, 2);
  });
  afterAll(() => db.end());

  /** The activities, with every email left in the outbox for the test to read. */
  const activities = () =>
    createNotificationActivities({
      db,
      mailer: createSmtpMailer({
        host: config.SMTP_HOST,
        port: config.SMTP_PORT,
        secure: false,
        from: config.MAIL_FROM,
      }),
      sendSoon: () => undefined,
      opsEmail: config.OPS_EMAIL,
      publicBaseUrl: config.PUBLIC_BASE_URL,
      logger: pino({ level: 'silent' }),
    });
  const outbox = async (dedupeKey: string) =>
    (
      await db.query<{ recipient: string; text_body: string }>(
        'SELECT recipient, text_body FROM email_outbox WHERE dedupe_key = $1',
        [dedupeKey],
      )
    ).rows;

  test('a submission carrying its link instead of a textId: the employer reads the link', async () => {
    const employer = await seedEmployer(db);
    const posting = await seedPosting(db, employer, Date.now());
    const url = `https://drive.test/${randomUUID()}`;
    await activities().notifyParty({
      internshipId: posting.internshipId,
      to: 'employer',
      kind: 'submitted',
      occurrence: 'round0',
      facts: { url, reviewBy: LATER },
    });
    const rows = await outbox(`internship:${posting.internshipId}:email:submitted:employer:round0`);
    expect(rows).toEqual([{ recipient: employer.contactEmail, text_body: expect.stringContaining(url) }]);
  });

  test('a hire named without its student: the employer still meets the student of the application', async () => {
    const employer = await seedEmployer(db);
    const posting = await seedPosting(db, employer, Date.now());
    const student = await seedStudent(db, 'Grace Hopper');
    const applicationId = randomUUID();
    await insertApplication(db, {
      id: applicationId,
      internshipId: posting.internshipId,
      studentId: student.id,
      label: 'Applicant A',
      pitch: 'I love tidy data.',
      answers: ['Excel'],
      status: 'accepted',
    });
    const olderInput: HireEmail = { internshipId: posting.internshipId, applicationId };
    await activities().announceHire(olderInput);
    const rows = await outbox(`internship:${posting.internshipId}:email:student-profile`);
    expect(rows).toEqual([
      {
        recipient: employer.contactEmail,
        text_body: expect.stringContaining(`Grace Hopper accepted your offer for "Clean a sales dataset"`),
      },
    ]);
  });
});
