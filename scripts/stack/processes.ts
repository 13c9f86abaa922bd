import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface Service {
  name: string;
  stop(): Promise<void>;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Where our own ports come from: below the kernel's ephemeral range (32768–60999 by default), which
 * is where every `listen(0)` and every outgoing connection gets its port. A port picked with
 * `listen(0)` and handed to a process a moment later was, twice, taken in between by the Temporal
 * dev server's internal services (which pick theirs with `listen(0)` while it starts): "address
 * already in use". Each process picks from a slice of its own (jest runs files in two workers at
 * once), never the same port twice, and only one that is free on every address right now.
 */
const OUR_PORTS = { first: 16_000, slices: 4, slice: 4_000 };
const handedOut = new Set<number>();
let cursor = -1;

function bindable(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    // A machine without IPv6 cannot bind '::' at all: then that family takes no port from anyone.
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EAFNOSUPPORT'));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port nobody listens on right now, that this process never handed out before. */
export async function freePort(): Promise<number> {
  const worker = Number(process.env.JEST_WORKER_ID ?? 0) % OUR_PORTS.slices;
  const base = OUR_PORTS.first + worker * OUR_PORTS.slice;
  if (cursor < 0) cursor = Math.floor(Math.random() * OUR_PORTS.slice);
  for (let tries = 0; tries < OUR_PORTS.slice; tries++) {
    cursor = (cursor + 1) % OUR_PORTS.slice;
    const port = base + cursor;
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    // Both families: the API listens on '::' (every address), the others on 127.0.0.1.
    if ((await bindable(port, '127.0.0.1')) && (await bindable(port, '::'))) return port;
  }
  throw new Error(`no free port left in ${base}–${base + OUR_PORTS.slice - 1}`);
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

/**
 * How every program here starts our own API or worker (the test harness, the proving stack,
 * `npm start`): its entry point under tsx, from the repository, with any Node flags first.
 */
export function entryPoint(
  role: 'api' | 'worker',
  nodeArgs: string[] = [],
): Pick<ProcessSpec, 'command' | 'args' | 'cwd'> {
  const repo = path.resolve(__dirname, '..', '..');
  return {
    command: process.execPath,
    args: [...nodeArgs, '--import', 'tsx', path.join(repo, role, 'main.ts')],
    cwd: repo,
  };
}

/** A worker is ready once its log says "worker started". */
export const workerStarted = (logFile: string) => () => {
  try {
    return Promise.resolve(readFileSync(logFile, 'utf8').includes('worker started'));
  } catch {
    return Promise.resolve(false);
  }
};

/** An API is ready once its /healthz answers. */
export const apiAnswers = (baseUrl: string) => async () => (await fetch(`${baseUrl}/healthz`)).ok;
