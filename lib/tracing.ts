/**
 * OpenTelemetry tracing for the API and the worker: one trace from an HTTP request through the
 * Temporal Update, the workflow task and the activity to the Stripe (HTTP), SMTP and Postgres calls,
 * exported over OTLP/HTTP. On when OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set;
 * the exporter reads the standard OTEL_* variables (protocol, headers, batch delays).
 *
 * `startTracing` must run before `http` and `pg` are first required (each main imports its
 * `tracing.ts` first), so that their instrumentations can hook them.
 */
import { context, trace, SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Tracing {
  enabled: boolean;
  resource: Resource;
  /** Where spans go: the OTLP exporter's batch processor, or nowhere when tracing is off. */
  spanProcessor: SpanProcessor;
  tracer: Tracer;
  /** Sends what is still batched; the mains call it when they stop. */
  shutdown(): Promise<void>;
}

/** Requests that are not work: health checks and metrics scrapes make no traces. */
const UNTRACED_PATHS = /^\/(healthz|readyz|metrics)\b/;

export function startTracing(role: 'api' | 'worker', env: NodeJS.ProcessEnv = process.env): Tracing {
  const resource = new Resource({
    'service.name': env.OTEL_SERVICE_NAME || `micro-internships-${role}`,
    'service.namespace': 'micro-internships',
  });
  const enabled =
    env.OTEL_SDK_DISABLED !== 'true' &&
    !!(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (!enabled) {
    return {
      enabled,
      resource,
      spanProcessor: new NoopSpanProcessor(),
      tracer: trace.getTracer('micro-internships'),
      shutdown: () => Promise.resolve(),
    };
  }
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // The AsyncLocalStorage context manager and W3C trace-context propagation.
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.test(req.url ?? ''),
        // The route Express matched names the server span: "POST /v1/internships/:id/review".
        applyCustomAttributesOnSpan: (span, req) => {
          const { route, baseUrl, method } = req as {
            route?: { path?: unknown };
            baseUrl?: string;
            method?: string;
          };
          if (typeof route?.path !== 'string') return;
          const template = `${baseUrl ?? ''}${route.path}`;
          span.setAttribute('http.route', template);
          span.updateName(`${method ?? 'GET'} ${template}`);
        },
        // Only calls made inside a trace (Stripe from an activity or a route), not the exporter's.
        requireParentforOutgoingSpans: true,
      }),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  return {
    enabled,
    resource,
    spanProcessor,
    tracer: provider.getTracer('micro-internships'),
    shutdown: () => provider.shutdown(),
  };
}

/**
 * Runs `fn` in a span of its own under the current one (an SMTP exchange, which no library
 * instruments); the span records the error when `fn` throws.
 */
export async function inSpan<T>(
  name: string,
  attributes: Record<string, string | number>,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const tracer = trace.getTracer('micro-internships');
  return tracer.startActiveSpan(name, { attributes }, context.active(), async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
