import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface Tools {
  /** A path, or 'sdk-download' when the SDK is to fetch the server itself (machines with internet). */
  temporal: string;
  temporalTestServer: string;
  stripeMock: string;
  /** The standalone (read-only) Temporal UI server; undefined when it could not be built. */
  temporalUiServer?: string;
}

export const repoRoot = path.resolve(__dirname, '..', '..');

/** The tool paths found by scripts/provision-tools.sh. */
export function readTools(): Tools {
  const file = path.join(repoRoot, '.tools.json');
  let tools: Omit<Tools, 'temporalUiServer'> & { temporalUiServer?: string | null };
  try {
    tools = JSON.parse(readFileSync(file, 'utf8')) as typeof tools;
  } catch {
    throw new Error(`${file} is missing: run 'bash scripts/provision-tools.sh' (npm start and npm test do)`);
  }
  // null when the build failed; absent in a .tools.json written before the UI server existed.
  return { ...tools, temporalUiServer: tools.temporalUiServer ?? undefined };
}
