import type { WorkflowHandle } from '@temporalio/client';
import { confirmApplication, insertPendingApplication } from '../../db/applications';
import { randomUUID } from 'node:crypto';
import { insertEmployer, type Employer } from '../../db/employers';
import { insertInternship, postingRow } from '../../db/internships';
import { insertStudent, type Student } from '../../db/students';
import type { Db } from '../../db/pool';
import { applyUpdate, type InternshipInput } from '../../workflows/definitions';
import { days, hours } from '../../workflows/durations';
import { uniqueSuffix } from './env';

export async function seedEmployer(db: Db, name = 'Acme Analytics'): Promise<Employer> {
  return insertEmployer(db, {
    id: randomUUID(),
    companyName: name,
    contactName: 'Ada Lovelace',
    contactEmail: `hiring-${uniqueSuffix()}@acme.test`,
  });
}

/** A posting with the default windows, stored as the API stores it, and the workflow input for it. */
export async function seedPosting(
  db: Db,
  employer: Employer,
  nowMs: number,
  overrides: Partial<InternshipInput> & { title?: string } = {},
): Promise<InternshipInput> {
  const { title = 'Clean a sales dataset', ...inputOverrides } = overrides;
  const id = randomUUID();
  const input: InternshipInput = {
    internshipId: id,
    employerId: employer.id,
    feeCents: 25_000,
    estimatedHours: 10,
    maxApplicants: 25,
    applicationDeadline: new Date(nowMs + days(7)).toISOString(),
    applicationWindowMs: days(7),
    feeException: false,
    windows: { selectionMs: days(5), acceptMs: hours(48), workMs: days(14), reviewMs: days(5) },
    ...inputOverrides,
  };
  await insertInternship(
    db,
    postingRow(input, {
      title,
      skills: ['excel', 'data cleaning'],
      description: 'Deduplicate and normalise 5,000 CRM rows, then document the steps.',
      deliverable: 'A cleaned CSV and a one-page summary',
      screeningQuestions: ['Which tool would you use, and why?'],
    }),
  );
  return input;
}

/** A seeded student always has an address (only an erased one has none). */
export type SeededStudent = Student & { email: string };

export async function seedStudent(
  db: Db,
  name: string,
  school = 'Riverside Community College',
): Promise<SeededStudent> {
  const student = await insertStudent(db, {
    id: randomUUID(),
    name,
    email: `${name.toLowerCase().replace(/\W+/g, '.')}-${uniqueSuffix()}@students.test`,
    school,
    major: 'Economics',
    graduationYear: 2027,
    skills: ['excel', 'sql'],
  });
  return student as SeededStudent;
}

/**
 * Applies as the API does: the application is stored pending, the workflow's Update accepts it, and
 * it is confirmed under the label the workflow gave (emails and the blind list read those rows).
 */
export async function applyThroughWorkflow(
  db: Db,
  handle: WorkflowHandle,
  internshipId: string,
  studentId: string,
  pitch = 'I love tidy data and document every step.',
  answers: string[] = ['Excel'],
): Promise<{ applicationId: string; label: string }> {
  const result = await applyWithoutConfirming(db, handle, internshipId, studentId, { pitch, answers });
  await confirmApplication(db, result.applicationId, result.label);
  return result;
}

/**
 * What a request that stopped between the workflow's Update and the API's confirmation leaves: the
 * pending row, accepted by the workflow, hidden from the employer.
 */
export async function applyWithoutConfirming(
  db: Db,
  handle: WorkflowHandle,
  internshipId: string,
  studentId: string,
  options: { applicationId?: string; pitch?: string; answers?: string[] } = {},
): Promise<{ applicationId: string; label: string }> {
  const {
    applicationId = randomUUID(),
    pitch = 'I love tidy data and document every step.',
    answers = ['Excel'],
  } = options;
  await insertPendingApplication(db, { id: applicationId, internshipId, studentId, pitch, answers });
  return handle.executeUpdate(applyUpdate, { args: [{ applicationId, studentId }] });
}
