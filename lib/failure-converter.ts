import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces travel as an encoded payload (so the payload codec encrypts them
 * too) instead of in the failure's plain fields. Loaded by path: the workflow sandbox needs it too.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
