import { context, trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';

export type { Logger };

/** An email address, also with its `@` percent-encoded (`%40`, as in a query string). */
const EMAIL = /[A-Za-z0-9._+-]+(?:@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}/gi;

/** `text` with every email address in it written [email]. */
export const emailsHidden = (text: string): string => text.replace(EMAIL, '[email]');

/**
 * Email addresses inside any logged text (an SMTP refusal quotes the recipient) become [email].
 * Runs before pino's serializers (the formatter), so an error met inside a value is serialized here
 * first: its message and stack are not enumerable and a copy would log `{}`.
 */
function withoutEmails(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return emailsHidden(value);
  if (depth > 6 || value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  if (value instanceof Error) return errorWithoutEmails(value);
  if (Array.isArray(value)) return value.map((v) => withoutEmails(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutEmails(v, depth + 1)]));
}

/**
 * The `err` serializer, here and in pino-http's child loggers (which put pino's own in front of it):
 * the error serialized by pino (type, message with its causes, stack), emails hidden.
 */
export const errorWithoutEmails = (err: unknown): unknown =>
  withoutEmails(err instanceof Error ? { ...pino.stdSerializers.err(err) } : err);

/**
 * What the formatter leaves to the serializers: `err` (errorWithoutEmails), and pino-http's `req`
 * and `res` (api/observability.ts), whose serializers read getters a copy would lose.
 */
const SERIALIZED_LATER = new Set(['err', 'req', 'res']);

/**
 * JSON logs with secrets and personal data redacted wherever they could appear: tokens and
 * passwords by field, people's names, emails and words by field, and any email address left in a
 * message or a value. Logs name people by their ids.
 */
export function createLogger(options: {
  /** From LOG_LEVEL in lib/config.ts, the one place settings are read. */
  level: pino.LevelWithSilent;
  name?: string;
  destination?: pino.DestinationStream;
}): Logger {
  return pino(
    {
      level: options.level,
      name: options.name,
      // A line written inside a trace names it, so logs and traces meet (lib/tracing.ts).
      mixin() {
        const span = trace.getSpanContext(context.active());
        return span ? { traceId: span.traceId, spanId: span.spanId } : {};
      },
      redact: {
        paths: [
          'req.headers.authorization',
          'headers.authorization',
          'token',
          '*.token',
          'password',
          '*.password',
          'email',
          '*.email',
          'to',
          '*.to',
          // Not 'name' at the top: pino writes the logger's own name there.
          '*.name',
          'pitch',
          '*.pitch',
          'notes',
          '*.notes',
          'comments',
          '*.comments',
          'reason',
          '*.reason',
        ],
        censor: '[redacted]',
      },
      formatters: {
        log: (object) =>
          Object.fromEntries(
            Object.entries(object).map(([k, v]) => [k, SERIALIZED_LATER.has(k) ? v : withoutEmails(v)]),
          ),
      },
      serializers: { err: errorWithoutEmails },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((arg) => (typeof arg === 'string' ? emailsHidden(arg) : arg)) as Parameters<
              typeof method
            >,
          );
        },
      },
    },
    options.destination,
  );
}
