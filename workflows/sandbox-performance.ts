/**
 * The `performance` global OpenTelemetry's modules read when they load (their browser build, which
 * the workflow bundle uses), given before workflows/preload.ts loads them. Inside the sandbox
 * `Date.now()` is the workflow's time, so span times are workflow times, as with the
 * package's own stand-in (@temporalio/interceptors-opentelemetry/lib/workflow/runtime, which only
 * works inside a workflow; preloading happens before any). Loaded once per worker thread, so the
 * object is frozen with the other shared globals: it holds no state.
 */
Object.assign(globalThis, {
  performance: {
    timeOrigin: 0,
    now: () => Date.now(),
  },
});
