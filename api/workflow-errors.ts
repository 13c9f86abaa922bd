import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType, type RefusalDetails } from '../workflows/definitions';
import { conflict, HttpProblem, notFound, TryAgainShortly, validationProblem } from './problem';

const GRPC_NOT_FOUND = 5;

/** How long a request waits on Temporal before answering 503 (an Update includes its handler's work). */
export const TEMPORAL_CALL_DEADLINE_MS = 10_000;

/**
 * The read model shows a state the workflow has not made durable yet: a worker died inside the
 * workflow task that published it, and the workflow will run that task again shortly. Whatever the
 * caller decided from what it read is answered once the workflow has caught up, so it is asked to
 * retry instead of being refused.
 */
export class StateCatchingUp extends TryAgainShortly {
  static readonly type = '/problems/StateCatchingUp';
  constructor() {
    super(
      StateCatchingUp.type,
      'This micro-internship is still recording its last change; retry in a moment',
    );
  }
}

/** The state version a validator judged when it refused an Update; undefined for any other failure. */
export function refusedStateVersion(err: unknown): number | undefined {
  if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure))
    return undefined;
  const details = err.cause.details?.[0] as Partial<RefusalDetails> | undefined;
  return typeof details?.stateVersion === 'number' ? details.stateVersion : undefined;
}

/** Maps a refused or failed workflow Update to the problem the caller should see. */
export function problemFromUpdateFailure(err: unknown, dateField = 'newDueAt'): HttpProblem | undefined {
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    const type = cause instanceof ApplicationFailure ? cause.type : undefined;
    const message = cause?.message ?? err.message;
    switch (type) {
      case ErrorType.AlreadyApplied:
      case ErrorType.PostingClosed:
      case ErrorType.PostingFull:
      case ErrorType.WrongState:
        return conflict(type, message);
      case ErrorType.InvalidSelection:
        return validationProblem([{ field: 'applicationIds', message }]);
      case ErrorType.InvalidDate:
        return validationProblem([{ field: dateField, message }]);
      case ErrorType.NotOffered:
      case ErrorType.NotFound:
        return notFound('Offer or application');
      default:
        return undefined;
    }
  }
  // The workflow has closed: whatever was asked of it is no longer possible.
  if (err instanceof WorkflowNotFoundError || (err as { code?: unknown })?.code === GRPC_NOT_FOUND) {
    return new HttpProblem(409, 'Conflict', 'This micro-internship no longer accepts that action');
  }
  return undefined;
}

/** Runs an Update call and turns its refusals into problems (naming `dateField` for a refused date). */
export async function runUpdate<T>(call: () => Promise<T>, options: { dateField?: string } = {}): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw problemFromUpdateFailure(err, options.dateField) ?? err;
  }
}
