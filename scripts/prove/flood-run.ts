/**
 * One student floods one micro-internship that is on offer to someone else with refused actions
 * (`POST /v1/internships/{id}/offer-response {"accept":false}`, each answered 404), keeping
 * `inFlight` of them open at once; meanwhile the student who holds the offer accepts it. Measures
 * what the people involved and the operator would notice: how the refused calls were answered and
 * how fast, how many Temporal requests the API made for them (its /metrics), how long the real
 * accept took, and the API process's resident memory sampled every 50 ms.
 *
 * Each refused action in flight asks for a connection of its own, as that many clients would (the
 * API keeps CONNECTIONS_PER_ADDRESS of them and answers the others 429). Used by `npm run flood`
 * (scripts/prove/flood.ts, full size) and test/reliability/flood.test.ts.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { expectStatus, request, samplePosting, waitForStatus, type HttpOptions } from './lifecycle';
import { firstAdmin, signUpEmployer, signUpStudent } from './people';
import { rssMiB } from './stack';

export interface FloodTarget {
  apiUrl: string;
  /** The API's metrics (their own port): the Temporal requests it made. */
  metricsUrl: string;
  /** The API process, for its resident memory. */
  apiPid: number;
  /** Break-glass: makes the staff admin who makes the employer. */
  opsToken: string;
  /** maildev's web address: everyone signs in with the code their email carries. */
  inboxUrl: string;
}

export interface FloodOptions {
  /** Refused actions kept open at once. */
  inFlight: number;
  /** How long the flood runs at full size before the offered student accepts. */
  floodMs: number;
  /** The attacker's own address (any of 127.0.0.0/8 on one machine), so per-address limits tell it apart. */
  fromAddress?: string;
  /**
   * The share of time the API process may run while the flood lasts (0–1; 1, the default, leaves it
   * alone): it is stopped (SIGSTOP) for the rest of every 30 ms, as on a machine that slow. A flood
   * that is harmless on a fast machine starves the accept queue on a slow one.
   */
  apiShare?: number;
  log?: (line: string) => void;
}

export interface FloodReport {
  inFlight: number;
  /** `FloodOptions.apiShare`: the share of time the API ran during the flood. */
  apiShare: number;
  /** Refused actions sent, and how they were answered (status → count; 0 = no answer). */
  refused: {
    sent: number;
    byStatus: Record<string, number>;
    perSecond: number;
    p50Ms: number;
    p99Ms: number;
  };
  /** Temporal requests the API made while only refused actions arrived. */
  temporalRequestsForRefused: number;
  accept: { status: number; ms: number; internshipStatus: string };
  apiRssMiB: { before: number; max: number; after: number };
  /**
   * The kernel's side (Linux; -1 elsewhere): the cap on every listening socket's accept queue, and
   * how many connections it turned away during the flood because that queue was full. Each one
   * turned away waits out TCP's retries (seconds, then tens of seconds), so when the accept was slow
   * these say whether the API or the machine held it back.
   */
  kernel: { somaxconn: number; listenOverflows: number };
  seconds: number;
}

/** A file under /proc, or undefined off Linux. */
function procText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Linux's TcpExt ListenOverflows counter (every listening socket on the machine), or -1. */
function listenOverflows(): number {
  const lines = procText('/proc/net/netstat')?.split('\n') ?? [];
  const i = lines.findIndex((l) => l.startsWith('TcpExt:'));
  if (i < 0 || !lines[i + 1]) return -1;
  return Number(lines[i + 1]!.split(' ')[lines[i]!.split(' ').indexOf('ListenOverflows')] ?? -1);
}

const somaxconn = () => Number(procText('/proc/sys/net/core/somaxconn') ?? -1);

/**
 * Lets `pid` run `share` of every 30 ms and stops it for the rest, until the returned call: from a
 * process of its own, whose timers no busy event loop of ours delays.
 */
function throttle(pid: number, share: number): () => void {
  if (share >= 1) return () => undefined;
  const runMs = Math.max(1, Math.round(30 * share));
  // Lets the API run and ends when told (SIGTERM) or when the program that started it is gone.
  const script = `
    const [pid, runMs, stopMs, parent] = process.argv.slice(1).map(Number);
    const end = () => { try { process.kill(pid, 'SIGCONT'); } catch {} process.exit(0); };
    const flip = (stopped) => {
      if (process.ppid !== parent) return end();
      try { process.kill(pid, stopped ? 'SIGSTOP' : 'SIGCONT'); } catch { process.exit(0); }
      setTimeout(flip, stopped ? stopMs : runMs, !stopped);
    };
    process.on('SIGTERM', end);
    flip(true);`;
  const args = [pid, runMs, 30 - runMs, process.pid].map(String);
  const child = spawn(process.execPath, ['-e', script, ...args], { stdio: 'ignore' });
  return () => {
    child.kill('SIGTERM');
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // gone
    }
  };
}

/** The sum of the API's `temporal_requests_total` counters. */
async function temporalRequests(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('temporal_requests_total')) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;

/** An employer's posting, offered to one student (who applied and was selected), and an attacker. */
async function scene(http: HttpOptions, target: FloodTarget) {
  const tag = randomUUID().slice(0, 8);
  const inbox = { url: target.inboxUrl };
  const admin = await firstAdmin(http, inbox, target.opsToken, `flood-${tag}`);
  const employer = await signUpEmployer(http, inbox, admin, `flood-${tag}`);
  const signUp = (who: string) =>
    signUpStudent(http, inbox, {
      name: `${who} ${tag}`,
      email: `${who}-${tag}@students.test`,
      school: 'Lakeside State University',
      major: 'Economics',
      graduationYear: 2027,
      skills: ['Excel'],
    });
  const offered = await signUp('offered');
  const attacker = await signUp('attacker');
  const { id } = await expectStatus(http, 'POST /v1/internships', '/v1/internships', 201, {
    token: employer.token,
    key: `flood-post-${tag}`,
    body: samplePosting,
  });
  const { applicationId } = await expectStatus(
    http,
    'POST /v1/internships/:id/applications',
    `/v1/internships/${id}/applications`,
    201,
    {
      token: offered.token,
      key: `flood-apply-${tag}`,
      body: { pitch: 'I clean messy spreadsheets and document every step.', answers: [] },
    },
  );
  await expectStatus(http, 'POST /v1/internships/:id/selection', `/v1/internships/${id}/selection`, 202, {
    token: employer.token,
    key: `flood-select-${tag}`,
    body: { applicationIds: [applicationId] },
  });
  await waitForStatus({ http, statusTimeoutMs: 60_000 }, employer.token, id as string, ['Offered']);
  return { id: id as string, employer: employer.token, offered, attacker };
}

/**
 * The attacker, in a thread of its own so that its event loop never delays the offered student's
 * request or the figures: `inFlight` loops, each sending the refused action again as soon as it is
 * answered, on a connection of its own (kept alive, or a new one when the API closed it). Posts 'full' once as many answers came as there are loops
 * (every connection is open: the storm of connecting is over), and its counts when told 'stop'. Plain JavaScript (run with `eval`), so it loads the same under jest and tsx.
 */
const ATTACKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { Agent, request } = require('node:http');
const { url, token, inFlight, fromAddress } = workerData;
const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: Infinity });
const body = '{"accept":false}';
const headers = { authorization: 'Bearer ' + token, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
const byStatus = {};
const latencies = [];
let stop = false;
const once = () => new Promise((resolve) => {
  const req = request(url, { method: 'POST', agent, localAddress: fromAddress, timeout: 60000, headers }, (res) => {
    res.resume();
    res.on('end', () => resolve(res.statusCode || 0));
    res.on('error', () => resolve(0));
  });
  req.on('timeout', () => req.destroy());
  req.on('error', () => resolve(0));
  req.end(body);
});
async function loop() {
  while (!stop) {
    const t = performance.now();
    const status = await once();
    latencies.push(performance.now() - t);
    if (latencies.length === inFlight) parentPort.postMessage({ full: true });
    byStatus[status] = (byStatus[status] || 0) + 1;
    await new Promise(setImmediate); // lets 'stop' in: answers on open connections chain without end
  }
}
const loops = Array.from({ length: inFlight }, loop);
parentPort.on('message', async () => {
  stop = true;
  await Promise.all(loops);
  agent.destroy();
  parentPort.postMessage({ byStatus, latencies });
  parentPort.close();
});
`;

export async function floodOneInternship(target: FloodTarget, options: FloodOptions): Promise<FloodReport> {
  const say = options.log ?? (() => undefined);
  const http: HttpOptions = { baseUrl: target.apiUrl, record: () => undefined, retryForMs: 0 };
  const { id, employer, offered, attacker } = await scene(http, target);
  say(`internship ${id} is on offer; flooding it with ${options.inFlight} refused actions in flight`);

  const memory = { before: rssMiB(target.apiPid).rss, max: 0 };
  const sampler = setInterval(() => {
    memory.max = Math.max(memory.max, rssMiB(target.apiPid).rss);
  }, 50);
  const temporalBefore = await temporalRequests(target.metricsUrl);
  const overflowsBefore = listenOverflows();
  const began = performance.now();
  const apiShare = options.apiShare ?? 1;
  const release = throttle(target.apiPid, apiShare);
  const attack = new Worker(ATTACKER, {
    eval: true,
    workerData: {
      url: `${target.apiUrl}/v1/internships/${id}/offer-response`,
      token: attacker.token,
      inFlight: options.inFlight,
      fromAddress: options.fromAddress,
    },
  });
  const messages: { full?: true; byStatus?: Record<string, number>; latencies?: number[] }[] = [];
  let wake = () => undefined as void;
  attack.on('message', (m) => (messages.push(m), wake()));
  const failed = new Promise<never>((_, reject) => attack.once('error', reject));
  const next = async () => {
    while (!messages.length) await Promise.race([new Promise<void>((r) => (wake = r)), failed]);
    return messages.shift()!;
  };
  const flood = async () => {
    await next(); // as many answers as loops: the flood is at full size
    await new Promise((r) => setTimeout(r, options.floodMs));
    const temporalDuring = await temporalRequests(target.metricsUrl);

    say('the offered student accepts');
    const t = performance.now();
    const accept = await request(
      http,
      'POST /v1/internships/:id/offer-response',
      `/v1/internships/${id}/offer-response`,
      { token: offered.token, key: `flood-accept-${id}`, body: { accept: true } },
    );
    const acceptMs = performance.now() - t;
    await new Promise((r) => setTimeout(r, 1_000)); // the flood goes on after the accept too
    attack.postMessage('stop');
    const { byStatus = {}, latencies = [] } = await next();
    release();
    return {
      temporalDuring,
      accept,
      acceptMs,
      byStatus,
      latencies,
      floodSeconds: (performance.now() - began) / 1000,
      overflows: overflowsBefore < 0 ? -1 : listenOverflows() - overflowsBefore,
    };
  };
  // Whatever happens, the API runs at full speed again and the attacker and the sampler stop.
  const { temporalDuring, accept, acceptMs, byStatus, latencies, floodSeconds, overflows } =
    await flood().finally(async () => {
      release();
      clearInterval(sampler);
      await attack.terminate();
    });
  const after = await waitForStatus({ http, statusTimeoutMs: 30_000 }, employer, id, [
    'Funding',
    'InProgress',
  ]).catch(
    async () =>
      (await request(http, 'GET /v1/internships/:id', `/v1/internships/${id}`, { token: employer })).body,
  );

  latencies.sort((a, b) => a - b);
  const sent = latencies.length;
  return {
    inFlight: options.inFlight,
    apiShare,
    refused: {
      sent,
      byStatus,
      perSecond: Math.round(sent / floodSeconds),
      p50Ms: Math.round(percentile(latencies, 50)),
      p99Ms: Math.round(percentile(latencies, 99)),
    },
    temporalRequestsForRefused: temporalDuring - temporalBefore,
    accept: { status: accept.status, ms: Math.round(acceptMs), internshipStatus: String(after?.status) },
    apiRssMiB: {
      before: Math.round(memory.before),
      max: Math.round(Math.max(memory.max, memory.before)),
      after: Math.round(rssMiB(target.apiPid).rss),
    },
    kernel: { somaxconn: somaxconn(), listenOverflows: overflows },
    seconds: Math.round(floodSeconds * 10) / 10,
  };
}

/** The report as the lines `npm run flood` prints and docs/BENCHMARKS.md keeps. */
export function describeFlood(r: FloodReport): string[] {
  const statuses = Object.entries(r.refused.byStatus)
    .map(([status, n]) => `${n} × ${status === '0' ? 'no answer' : status}`)
    .join(', ');
  const slowed = r.apiShare < 1 ? ` (the API slowed to ${Math.round(r.apiShare * 100)} % of its speed)` : '';
  return [
    `refused actions in flight: ${r.inFlight}${slowed}; sent ${r.refused.sent} in ${r.seconds} s (${r.refused.perSecond}/s): ${statuses}`,
    `refused answer time: p50 ${r.refused.p50Ms} ms, p99 ${r.refused.p99Ms} ms`,
    `Temporal requests made for the refused actions: ${r.temporalRequestsForRefused}`,
    `the offered student's accept: ${r.accept.status} in ${r.accept.ms} ms (internship then ${r.accept.internshipStatus})`,
    `API resident memory: ${r.apiRssMiB.before} MiB before, ${r.apiRssMiB.max} MiB at most, ${r.apiRssMiB.after} MiB after`,
    `kernel: accept queues capped at ${r.kernel.somaxconn} (net.core.somaxconn); connections turned away from a full one during the flood: ${r.kernel.listenOverflows}`,
  ];
}
