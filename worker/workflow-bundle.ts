import { bundleWorkflowCode, type BundleOptions, type WorkerOptions } from '@temporalio/worker';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { bundleOptionsFor, dataConverterFrom } from '../lib/data-converter';

/**
 * What every bundle of the workflow code holds, whoever builds it (the image, a worker at start, the
 * tests, the replay suite): the workflows, OpenTelemetry's workflow interceptors (they carry a trace
 * from the Update or start into the workflow and on to its activities; spans leave the sandbox
 * through the `exporter` sink, worker/create-worker.ts), and the converter's failure converter.
 */
export const workflowBundleOptions = (converter: DataConverter) => ({
  workflowsPath: require.resolve('../workflows'),
  workflowInterceptorModules: [require.resolve('../workflows/tracing')],
  // Loaded once per worker thread and shared by its workflows (see the module).
  preloadModules: [require.resolve('../workflows/preload')],
  webpackConfigHook: sharedGlobalHook,
  ...bundleOptionsFor(converter),
});

/** OpenTelemetry core's module that exports the global object (its browser build, which the bundle uses). */
const CORE_GLOBAL_THIS = path.join(
  path.dirname(require.resolve('@opentelemetry/core')),
  '../esm/platform/browser/globalThis',
);

/** workflows/otel-global-this.ts in place of core's `_globalThis` module (that module says why). */
const sharedGlobalHook: NonNullable<BundleOptions['webpackConfigHook']> = (config) => ({
  ...config,
  resolve: {
    ...config.resolve,
    alias: {
      ...(config.resolve?.alias as Record<string, string> | undefined),
      [CORE_GLOBAL_THIS]: require.resolve('../workflows/otel-global-this'),
    },
  },
});

/**
 * The workflow code as one file, built ahead of time (the image builds it once, `npm start` before
 * its worker starts) so a worker starts without running webpack. Built with the failure converter
 * the workers use when payloads are encrypted (lib/data-converter.ts).
 */
export async function buildWorkflowBundle(
  outFile: string,
  logger?: BundleOptions['logger'],
): Promise<{ bytes: number; buildId: string }> {
  // A key is needed only to name the converter modules; the bundle holds no key.
  const converter = dataConverterFrom({ PAYLOAD_KEYS: `build:${Buffer.alloc(32).toString('base64')}` });
  const { code } = await bundleWorkflowCode({
    ...workflowBundleOptions(converter),
    ...(logger ? { logger } : {}),
  });
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, code);
  return { bytes: Buffer.byteLength(code), buildId: buildIdOf(code) };
}

/** A version name for workflow code: the same code always gets the same one. */
export const buildIdOf = (code: string) =>
  `wf-${createHash('sha256').update(code).digest('hex').slice(0, 12)}`;

/**
 * The prebuilt bundle for `Worker.create`, and its build id; a clear error when the file is not
 * there (a worker that would silently bundle in production hides a broken image).
 */
export function prebuiltBundle(file: string): {
  workflowBundle: NonNullable<WorkerOptions['workflowBundle']>;
  buildId: string;
} {
  let code: string;
  try {
    code = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(
      `WORKFLOW_BUNDLE_PATH=${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; build it with npm run build:workflows`,
      { cause: err },
    );
  }
  return { workflowBundle: { code }, buildId: buildIdOf(code) };
}

if (require.main === module) {
  const out = path.resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  const began = performance.now();
  buildWorkflowBundle(out).then(
    ({ bytes, buildId }) =>
      console.log(
        `workflow bundle: ${out}, ${(bytes / 1e6).toFixed(2)} MB, build id ${buildId}, ${Math.round(performance.now() - began)} ms`,
      ),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
