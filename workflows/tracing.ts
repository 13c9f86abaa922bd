/**
 * Tracing inside the workflow sandbox (bundled as a workflow interceptor module by
 * worker/workflow-bundle.ts). The spans are those of @temporalio/interceptors-opentelemetry and leave
 * the sandbox through its `exporter` sink, but these interceptors differ from its own in three ways:
 *
 * - They never add a step between an awaited call and the workflow code that awaits it: each
 *   returns the very promise the SDK gave it and ends its span on a side branch. The package's
 *   interceptors wrap every activity in `async` functions, which delays each result by a few
 *   microtasks; that reordered one saved history (an activity result and an Update in the same
 *   workflow task) and failed its replay.
 * - An activity the main flow schedules after an Update or a signal is traced under that Update or
 *   signal, not under the run's span (which belongs to the request that posted the internship,
 *   possibly weeks earlier): "approve" leads to the payout in one trace. The run's span is linked.
 * - They register no global tracer provider, only the run's propagator and the thread's context
 *   manager, which OpenTelemetry keeps on the sandbox's `globalThis` (one per workflow). So
 *   OpenTelemetry's own modules can be loaded once per worker thread and shared by every workflow
 *   (workflows/preload.ts) instead of once per workflow: a cached workflow is 160 KiB smaller. The
 *   context manager's async-local storage is one per thread (workflows/thread-storage.ts says why).
 */
// The sandbox globals the package's modules expect (`performance`, `window`), for this run.
import '@temporalio/interceptors-opentelemetry/lib/workflow/runtime';
import * as otel from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  extractContextFromHeaders,
  headersWithContext,
} from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import { SpanExporter } from '@temporalio/interceptors-opentelemetry/lib/workflow/span-exporter';
import {
  ContinueAsNew,
  workflowInfo,
  type ActivityInput,
  type GetLogAttributesInput,
  type LocalActivityInput,
  type Next,
  type SignalInput,
  type UpdateInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { shareRandomSourceStorage, threadContextManager } from './thread-storage';

/** What one run's interceptors share: its span, and the context of the last Update or signal. */
interface RunTrace {
  tracer: otel.Tracer;
  runSpan?: otel.SpanContext;
  lastCause?: otel.Context;
}

function fail(span: otel.Span, err: unknown): void {
  if (err instanceof ContinueAsNew) return;
  span.recordException(err as Error);
  span.setStatus({ code: otel.SpanStatusCode.ERROR, message: (err as Error)?.message });
}

/** Runs `fn` in a new span under `parent`, returning `fn`'s own promise untouched. */
function traced<T>(
  tracer: otel.Tracer,
  name: string,
  parent: otel.Context,
  fn: (span: otel.Span) => Promise<T>,
  options: otel.SpanOptions = {},
): Promise<T> {
  const span = tracer.startSpan(name, options, parent);
  let result: Promise<T>;
  try {
    result = otel.context.with(otel.trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    fail(span, err);
    span.end();
    throw err;
  }
  result.then(
    () => span.end(),
    (err: unknown) => {
      fail(span, err);
      span.end();
    },
  );
  return result;
}

/**
 * Hands each ended span to the `exporter` sink at once, and does nothing while the workflow replays
 * (the worker drops sink calls made during replay anyway). The package's tracer goes through
 * OpenTelemetry's SimpleSpanProcessor, which makes three promises per span; every promise in the
 * sandbox costs a stack capture in the SDK's promise hook, and on a replayed history that was a
 * fifth of the worker's CPU (docs/BENCHMARKS.md, the soak). The spans, their ids and their order
 * are the same either way.
 */
class SinkSpanProcessor implements SpanProcessor {
  private readonly exporter = new SpanExporter();

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (!workflowInfo().unsafe.isReplaying) this.exporter.export([span], () => undefined);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** One tracer per run; its ids come from the run's seeded random. */
function sinkTracer(): otel.Tracer {
  const provider = new BasicTracerProvider();
  provider.addSpanProcessor(new SinkSpanProcessor());
  return provider.getTracer('@temporalio/interceptor-workflow');
}

class Inbound implements WorkflowInboundCallsInterceptor {
  private readonly tracer: otel.Tracer;
  constructor(private readonly run: RunTrace) {
    this.tracer = run.tracer;
  }

  execute(
    input: WorkflowExecuteInput,
    next: Next<WorkflowInboundCallsInterceptor, 'execute'>,
  ): Promise<unknown> {
    const parent = extractContextFromHeaders(input.headers) ?? otel.context.active();
    return traced(this.tracer, `RunWorkflow:${workflowInfo().workflowType}`, parent, (span) => {
      this.run.runSpan = span.spanContext();
      return next(input);
    });
  }

  handleUpdate(
    input: UpdateInput,
    next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>,
  ): Promise<unknown> {
    const parent = extractContextFromHeaders(input.headers) ?? otel.context.active();
    return traced(this.tracer, `HandleUpdate:${input.name}`, parent, (span) => {
      span.setAttribute('temporalUpdateId', input.updateId);
      this.run.lastCause = otel.context.active();
      return next(input);
    });
  }

  validateUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'validateUpdate'>): void {
    const parent = extractContextFromHeaders(input.headers) ?? otel.context.active();
    const span = this.tracer.startSpan(`ValidateUpdate:${input.name}`, {}, parent);
    try {
      otel.context.with(otel.trace.setSpan(parent, span), () => next(input));
    } catch (err) {
      fail(span, err);
      throw err;
    } finally {
      span.end();
    }
  }

  handleSignal(
    input: SignalInput,
    next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>,
  ): Promise<void> {
    const parent = extractContextFromHeaders(input.headers) ?? otel.context.active();
    return traced(this.tracer, `HandleSignal:${input.signalName}`, parent, () => {
      this.run.lastCause = otel.context.active();
      return next(input);
    });
  }
}

class Outbound implements WorkflowOutboundCallsInterceptor {
  private readonly tracer: otel.Tracer;
  constructor(private readonly run: RunTrace) {
    this.tracer = run.tracer;
  }

  /** The workflow's log lines carry the active span's trace and span ids, as the package's do. */
  getLogAttributes(
    input: GetLogAttributesInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'getLogAttributes'>,
  ): Record<string, unknown> {
    const spanContext = otel.trace.getSpan(otel.context.active())?.spanContext();
    if (!spanContext || !otel.isSpanContextValid(spanContext)) return next(input);
    return next({
      trace_id: spanContext.traceId,
      span_id: spanContext.spanId,
      trace_flags: `0${spanContext.traceFlags.toString(16)}`,
      ...input,
    });
  }

  scheduleActivity(
    input: ActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>,
  ): Promise<unknown> {
    return this.start(input, (traced) => next(traced));
  }

  scheduleLocalActivity(
    input: LocalActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
  ): Promise<unknown> {
    return this.start(input, (traced) => next(traced));
  }

  private start<I extends ActivityInput | LocalActivityInput>(
    input: I,
    next: (input: I) => Promise<unknown>,
  ): Promise<unknown> {
    const { runSpan, lastCause } = this.run;
    const active = otel.context.active();
    const inMainFlow = otel.trace.getSpanContext(active)?.spanId === runSpan?.spanId;
    const parent = inMainFlow && lastCause ? lastCause : active;
    const links = inMainFlow && lastCause && runSpan ? [{ context: runSpan }] : [];
    return traced(
      this.tracer,
      `StartActivity:${input.activityType}`,
      parent,
      () => next({ ...input, headers: headersWithContext(input.headers) }),
      { links },
    );
  }
}

/**
 * The run's context manager and propagator, registered on its own `globalThis`: those the package's
 * interceptors register with their tracer provider (W3C trace context and baggage). The context
 * manager is the thread's (workflows/thread-storage.ts).
 */
function registerRunContext(): void {
  otel.context.setGlobalContextManager(threadContextManager());
  otel.propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
}

export const interceptors: WorkflowInterceptorsFactory = () => {
  shareRandomSourceStorage();
  registerRunContext();
  const run: RunTrace = { tracer: sinkTracer() };
  return { inbound: [new Inbound(run)], outbound: [new Outbound(run)] };
};
