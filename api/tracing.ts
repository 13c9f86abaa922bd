/**
 * Tracing for the API process, started before anything requires `http` or `pg` (api/main.ts imports
 * this module first). Off unless an OTLP endpoint is configured (lib/tracing.ts).
 */
import { loadDotEnv } from '../lib/config';
import { startTracing } from '../lib/tracing';

loadDotEnv();
export const tracing = startTracing('api');
