import { context, trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';

export type { Logger };

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/** `text` with every email address in it written [email]. */
export const emailsHidden = (text: string): string => text.replace(EMAIL, '[email]');

/**
 * Email addresses inside any logged text (an SMTP refusal quotes the recipient) become [email].
 * Runs before pino's serializers, so an error is serialized here first (its message and stack are
 * not enumerable and a copy would log `{}`), and pino-http's `req` and `res` are left for their own
 * serializers (api/observability.ts), which read getters a copy would lose.
 */
function withoutEmails(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return emailsHidden(value);
  if (depth > 6 || value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  if (value instanceof Error) return withoutEmails({ ...pino.stdSerializers.err(value) }, depth + 1);
  if (Array.isArray(value)) return value.map((v) => withoutEmails(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutEmails(v, depth + 1)]));
}

/** What the formatter leaves to the serializers: the request and response of pino-http. */
const SERIALIZED_LATER = new Set(['req', 'res']);

/**
 * JSON logs with secrets and personal data redacted wherever they could appear: tokens and
 * passwords by field, people's names, emails and words by field, and any email address left in a
 * message or a value. Logs name people by their ids.
 */
export function createLogger(
  options: { level?: string; name?: string; destination?: pino.DestinationStream } = {},
): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
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
      // An error arrives here already serialized (withoutEmails): kept as it is, type included.
      serializers: { err: (err: unknown) => (err instanceof Error ? pino.stdSerializers.err(err) : err) },
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
