/**
 * Tracing for the worker process, started before anything requires `http` or `pg` (worker/main.ts
 * imports this module first). Off unless an OTLP endpoint is configured (lib/tracing.ts).
 */
import { loadDotEnv } from '../lib/config';
import { startTracing } from '../lib/tracing';

loadDotEnv();
export const tracing = startTracing('worker');
