import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface Service {
  name: string;
  stop(): Promise<void>;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port nobody listens on right now, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls `check` until it is true; fails with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  alive?: () => boolean,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (alive && !alive()) throw new Error(`${what}: the process exited`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs} ms`);
    await sleep(100);
  }
}

const tail = (file: string, lines = 20) => {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
};

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Output goes here; omitted, it goes to this process's stdout/stderr. */
  logFile?: string;
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /** Ports the process will listen on, with the variable that moves each: checked free before the start. */
  ports?: { port: number; variable: string }[];
}

/**
 * Starts a process in its own process group, waits until `ready`, and returns a handle whose
 * stop() signals the whole group (SIGTERM, then SIGKILL after a grace period) so nothing survives.
 */
export async function startProcess(spec: ProcessSpec): Promise<Service & { child: ChildProcess }> {
  for (const { port, variable } of spec.ports ?? []) {
    // Otherwise the readiness check could succeed against whatever already listens there.
    if (await portOpen(port))
      throw new Error(`${spec.name}: port ${port} is already in use (set ${variable} to move it)`);
  }
  let out: number | 'inherit' = 'inherit';
  if (spec.logFile) {
    mkdirSync(path.dirname(spec.logFile), { recursive: true });
    out = openSync(spec.logFile, 'a');
  }
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    detached: true,
    stdio: ['ignore', out, out],
  });
  if (typeof out === 'number') closeSync(out);
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });

  const stop = async () => {
    if (exited || child.pid === undefined) return;
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // the group is already gone
      }
    };
    signalGroup('SIGTERM');
    const escalation = setTimeout(() => signalGroup('SIGKILL'), 8000);
    await exitedPromise;
    clearTimeout(escalation);
    signalGroup('SIGKILL'); // any grandchild that outlived its parent
  };

  try {
    await waitFor(spec.name, spec.ready, spec.readyTimeoutMs ?? 30_000, () => !exited);
  } catch (err) {
    await stop();
    const log = spec.logFile ? `\n--- last lines of ${spec.logFile} ---\n${tail(spec.logFile)}` : '';
    throw new Error(`${(err as Error).message}${log}`, { cause: err });
  }
  return { name: spec.name, child, stop };
}
