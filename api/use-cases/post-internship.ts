/**
 * §3.1 An employer posts a micro-internship: the read-model row first (its activities read the
 * posting from it), then the workflow that carries it. No workflow, no row: a failed start removes
 * the row, so no posting shows Open with nothing driving it. With an Idempotency-Key the id follows
 * from the key, so a retry after a crash mid-request finds that posting instead of making another.
 * The audit trail starts with the member who posted it, written before the workflow can write its
 * first status.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { z } from 'zod';
import { deleteAudit, recordAudit } from '../../db/audit';
import type { Employer } from '../../db/employers';
import { deleteInternship, findInternship, insertInternship, postingRow } from '../../db/internships';
import type { Db } from '../../db/pool';
import type { AppConfig } from '../../lib/config';
import { uuidFrom } from '../../lib/ids';
import {
  internshipWorkflowId,
  searchAttributes,
  type InternshipInput,
  type InternshipStatus,
} from '../../workflows/definitions';
import { DAY_MS, days, hours } from '../../workflows/durations';
import type { internshipWorkflow } from '../../workflows/internship';
import { formatUsd } from '../../workflows/money';
import { auditFieldsOf } from '../account-audit';
import type { Actor } from '../audited-handle';
import type { createInternshipBody } from '../schemas';
import { TEMPORAL_CALL_DEADLINE_MS } from '../workflow-errors';

export type PostingBody = z.infer<ReturnType<typeof createInternshipBody>>;

export interface PostDeps {
  db: Db;
  temporal: Client;
  config: Pick<AppConfig, 'HUMAN_DAY_SECONDS' | 'MIN_HOURLY_RATE_CENTS' | 'TEMPORAL_TASK_QUEUE'>;
}

/** The posting's row in the audit trail: one per posting, however often its request is retried. */
const POSTED = 'posted';

export interface Posted {
  id: string;
  status: InternshipStatus;
  workflowId: string;
}

export async function postInternship(
  deps: PostDeps,
  request: { employer: Employer; by: Actor; body: PostingBody; key?: string },
): Promise<Posted> {
  const { employer, by, body, key } = request;
  const id = key ? uuidFrom(`posting:${employer.id}:${key}`) : randomUUID();
  const workflowId = internshipWorkflowId(id);
  const earlier = key ? await findInternship(deps.db, id) : undefined;
  const input = workflowInput(deps.config, id, employer.id, body);
  if (earlier) input.applicationDeadline = earlier.applicationDeadline;
  const row = postingRow(input, body);
  if (!earlier) await insertInternship(deps.db, row, by.id);
  await recordAudit(deps.db, { internshipId: id, eventKey: POSTED, action: 'post', ...auditFieldsOf(by) });
  try {
    // A deadline, so a client waits seconds, not the SDK's full retry budget, when Temporal is down.
    await deps.temporal.connection.withDeadline(Date.now() + TEMPORAL_CALL_DEADLINE_MS, () =>
      deps.temporal.workflow.start<typeof internshipWorkflow>('internshipWorkflow', {
        workflowId,
        taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
        args: [input],
        ...forOps(employer, body, row.status, input),
      }),
    );
  } catch (err) {
    // Started by the earlier attempt of this same request: nothing more to do.
    if (!(earlier && err instanceof WorkflowExecutionAlreadyStartedError)) {
      if (!earlier) {
        await deleteAudit(deps.db, id, POSTED);
        await deleteInternship(deps.db, id);
      }
      throw err;
    }
  }
  return { id, status: row.status, workflowId };
}

/**
 * The workflow's input: the posting's windows in real time (workflows/durations.ts), then on the day
 * HUMAN_DAY_SECONDS sets when it is shortened (7 days are 7 × HUMAN_DAY_SECONDS seconds).
 */
export function workflowInput(
  config: PostDeps['config'],
  id: string,
  employerId: string,
  body: PostingBody,
): InternshipInput {
  const dayMs = config.HUMAN_DAY_SECONDS * 1000;
  const onDay = (ms: number) => (dayMs === DAY_MS ? ms : Math.round((ms * dayMs) / DAY_MS));
  const applicationWindowMs = onDay(days(body.applicationWindowDays));
  return {
    internshipId: id,
    employerId,
    feeCents: body.feeCents,
    estimatedHours: body.estimatedHours,
    maxApplicants: body.maxApplicants,
    applicationDeadline: new Date(Date.now() + applicationWindowMs).toISOString(),
    applicationWindowMs,
    // An exception is only needed, and only recorded, for a fee below the floor.
    feeException: body.feeException && body.feeCents < body.estimatedHours * config.MIN_HOURLY_RATE_CENTS,
    windows: {
      selectionMs: onDay(days(body.selectionWindowDays)),
      acceptMs: onDay(hours(body.acceptWindowHours)),
      workMs: onDay(days(body.workDurationDays)),
      reviewMs: onDay(days(body.reviewWindowDays)),
    },
    ...(dayMs === DAY_MS ? {} : { dayMs }),
  };
}

/**
 * What ops see of the posting in the Temporal UI: search attributes, memo, summary and details, all
 * ids, amounts and dates. The title and the company's name are words people wrote: they stay in
 * Postgres, out of the history (GET /v1/internships/:id shows them).
 */
function forOps(employer: Employer, body: PostingBody, status: InternshipStatus, input: InternshipInput) {
  return {
    typedSearchAttributes: [
      { key: searchAttributes.status, value: status },
      { key: searchAttributes.employerId, value: employer.id },
      { key: searchAttributes.feeCents, value: body.feeCents },
      { key: searchAttributes.nextDeadline, value: new Date(input.applicationDeadline) },
    ],
    memo: { internshipId: input.internshipId, employerId: employer.id, feeCents: body.feeCents },
    staticSummary: `Micro-internship — ${formatUsd(body.feeCents)} for ~${body.estimatedHours} h`,
    staticDetails: [
      `**Internship:** ${input.internshipId}`,
      `**Employer:** ${employer.id}`,
      `**Fee:** ${formatUsd(body.feeCents)} for ~${body.estimatedHours} h`,
      `**Applications close:** ${input.applicationDeadline}`,
    ].join('\n'),
  };
}
