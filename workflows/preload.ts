/**
 * Runs once per worker thread, before any workflow, and is shared by every workflow in it (the
 * bundle's `preloadModules`, worker/workflow-bundle.ts). The SDK freezes what it shares.
 *
 * 1. OpenTelemetry, which the tracing in every workflow uses (workflows/tracing.ts), loaded once
 *    instead of once per workflow (the SDK's default, so that module state stays per workflow): the
 *    API, the SDK's tracer, its core (propagators) and the semantic conventions, thousands of
 *    exported constants. Created in the SDK's reusable context, a workflow takes 241 KiB of heap with
 *    them per workflow, 81 KiB shared (scripts/prove/sandbox-heap.ts). What OpenTelemetry keeps per process it keeps on
 *    `globalThis` (the context manager, the propagator, a global tracer provider), and the sandbox
 *    gives each workflow its own globals; the API's singletons are created here, when the modules
 *    load, and frozen with them, which is why the tracing registers no global tracer provider (that
 *    would write into the API's frozen proxy provider). Named here, not in `preloadModules`, because
 *    webpack drops a bare `require` of a package marked free of side effects; package.json pins the
 *    semantic conventions to the version the OpenTelemetry packages use, so that their copy is the
 *    one shared.
 * 2. The thread's async-local storages (workflows/thread-storage.ts): one per thread, not one per
 *    workflow, or every promise carries a property per cached workflow.
 * 3. Shorter stack traces inside the sandbox. The SDK records where every promise in a workflow was
 *    made (for the Temporal UI's "Stack Trace" of a running workflow) by capturing and formatting a
 *    stack trace per promise, and naming each frame's method is slow in V8: on the soak's worker,
 *    replaying evicted workflows, it was 45 % of the workflow thread's CPU (perf), and a replayed
 *    117-event history costs 95 ms of CPU with 10 frames, 85 ms with 4 (docs/BENCHMARKS.md). With 4,
 *    the UI's stack trace of a blocked workflow shows the SDK call it waits in (condition, sleep, an
 *    activity) and little above it, and errors thrown in workflow code carry 4 frames.
 */
// First: the `performance` global OpenTelemetry reads on load.
import './sandbox-performance';
import * as otel from '@opentelemetry/api';
import * as otelCore from '@opentelemetry/core';
import * as tracerSdk from '@opentelemetry/sdk-trace-base';
import * as semanticConventions from '@opentelemetry/semantic-conventions';
import * as threadStorage from './thread-storage';

const STACK_FRAMES = 4;
Error.stackTraceLimit = STACK_FRAMES;

export const sharedLibraries = [otel, otelCore, tracerSdk, semanticConventions, threadStorage];
