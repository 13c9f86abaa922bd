/**
 * OpenTelemetry core's `_globalThis` inside the workflow bundle (worker/workflow-bundle.ts puts this
 * module in place of core's own): the sandbox's global object, behind a proxy that refuses to say
 * whether it is extensible.
 *
 * Why: core is preloaded and shared by every workflow of a worker thread (workflows/preload.ts), and
 * the SDK deep-freezes what is shared, walking every export. Core exports `_globalThis`, so the walk
 * went on into the sandbox's global object and froze what hangs from it, among them the SDK's list
 * of cleanups for the thread's async-local storages: destroying the sandbox then failed ("Cannot
 * delete property of [object Array]", on Node 26). The walk stops where asking fails, so it stops
 * here; everything OpenTelemetry does with the global (read and write properties) passes through.
 */
export const _globalThis: typeof globalThis = new Proxy(globalThis, {
  isExtensible() {
    throw new TypeError('the workflow sandbox global is not frozen with the shared modules');
  },
});
