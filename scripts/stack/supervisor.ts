/**
 * Keeps a child process of `npm start` running: when it dies it is started again after a backoff
 * (1 s, 2 s, 4 s … at most 30 s; back to 1 s once a run has stayed up for a minute), and each
 * step is said in the output. Stopping the supervisor stops the child and any pending restart.
 */
import { sleep, startProcess, type ProcessSpec, type Service } from './processes';

export const RESTART_BACKOFF = { firstMs: 1_000, maxMs: 30_000, stableAfterMs: 60_000 } as const;

/** The wait before the next restart, given the previous wait and how long the last run stayed up. */
export function nextRestartDelay(previousMs: number | undefined, uptimeMs: number): number {
  if (previousMs === undefined || uptimeMs >= RESTART_BACKOFF.stableAfterMs) return RESTART_BACKOFF.firstMs;
  return Math.min(previousMs * 2, RESTART_BACKOFF.maxMs);
}

export interface Supervised extends Service {
  /** The pid of the running child (undefined between a death and its restart). */
  pid(): number | undefined;
}

/** Starts `spec` (failing as startProcess does if the first start fails) and restarts it when it dies. */
export async function supervise(spec: ProcessSpec, say: (line: string) => void): Promise<Supervised> {
  let current = await startProcess(spec);
  let stopped = false;
  let delay: number | undefined;
  let wakeUp: (() => void) | undefined;
  say(`${spec.name} running (pid ${current.child.pid})`);

  const watch = (service: typeof current) => {
    const startedAt = Date.now();
    service.child.once('exit', (code, signal) => {
      if (stopped) return;
      void restart(code, signal, Date.now() - startedAt);
    });
  };

  const restart = async (code: number | null, signal: NodeJS.Signals | null, uptimeMs: number) => {
    let reason = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    for (;;) {
      delay = nextRestartDelay(delay, uptimeMs);
      say(`${spec.name} ${reason} after ${Math.round(uptimeMs / 1000)} s; restarting in ${delay / 1000} s`);
      await Promise.race([sleep(delay), new Promise<void>((resolve) => (wakeUp = resolve))]);
      if (stopped) return;
      try {
        current = await startProcess(spec);
        if (stopped) return void (await current.stop()); // stopped while it was starting
        say(`${spec.name} running again (pid ${current.child.pid})`);
        watch(current);
        return;
      } catch (err) {
        reason = `did not start (${(err as Error).message.split('\n')[0]})`;
        uptimeMs = 0;
      }
    }
  };

  watch(current);
  return {
    name: spec.name,
    pid: () =>
      current.child.exitCode === null && current.child.signalCode === null ? current.child.pid : undefined,
    stop: async () => {
      stopped = true;
      wakeUp?.();
      await current.stop();
    },
  };
}
