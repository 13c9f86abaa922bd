import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface Tools {
  /** A path, or 'sdk-download' when the SDK is to fetch the server itself (machines with internet). */
  temporal: string;
  temporalTestServer: string;
  stripeMock: string;
}

export const repoRoot = path.resolve(__dirname, '..', '..');

/** The tool paths found by scripts/provision-tools.sh. */
export function readTools(): Tools {
  const file = path.join(repoRoot, '.tools.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Tools;
  } catch {
    throw new Error(`${file} is missing: run 'bash scripts/provision-tools.sh' (npm start and npm test do)`);
  }
}
