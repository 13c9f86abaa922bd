import type { Response } from 'express';
import type { Logger } from 'pino';

/**
 * Runs `work` once the answer has left, so neither the answer nor its timing depends on it: how the
 * sign-in and sign-up routes keep from saying whether an address has an account. A failure is logged
 * (the person asks for another email); nothing waits for it.
 */
export function afterAnswer(res: Response, logger: Logger, label: string, work: () => Promise<void>): void {
  res.once('finish', () => {
    work().catch((err: unknown) =>
      logger.error({ err: err instanceof Error ? err.message : String(err), work: label }, `${label} failed`),
    );
  });
}
