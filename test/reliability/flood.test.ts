/**
 * One student floods a micro-internship on offer to someone else with 3,000 refused actions in
 * flight (scripts/prove/flood-run.ts, the same run `npm run flood` makes at 5,000), against the
 * real API process with the write and connection limits it ships with: the offered student's accept
 * is answered within a second, the refused calls cost Temporal nothing, and the API's memory stays
 * bounded. Every refused call is answered (404 or 429), none left hanging. Then again with the API
 * slowed to a third of its speed, as on a slower machine, where answering refusals at once let the
 * flood starve the accept queue (the accept unanswered after 30 s; api/connection-limit.ts).
 */
import { freePort } from '../../scripts/stack/processes';
import { floodOneInternship, describeFlood, type FloodReport } from '../../scripts/prove/flood-run';
import { maildevUrl } from '../helpers/env';
import { startApiHarness, type ApiHarness } from '../helpers/harness';
import { startApiProcess } from '../helpers/worker-process';

let h: ApiHarness;
let report: FloodReport;
let slowed: FloodReport;
beforeAll(async () => {
  h = await startApiHarness();
  const [port, metricsPort] = [await freePort(), await freePort()];
  const api = await startApiProcess(h, port, {
    LOG_LEVEL: 'warn',
    METRICS_PORT: String(metricsPort),
    WRITE_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '600',
    WRITE_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: '120',
    CONNECTIONS_PER_ADDRESS: '128',
  });
  const target = {
    apiUrl: `http://127.0.0.1:${port}`,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    apiPid: api.child.pid!,
    opsToken: h.config.OPS_TOKEN,
    inboxUrl: maildevUrl(),
  };
  // Each flood from an address of its own, so the second starts below the write limits too.
  const flood = async (apiShare: number, fromAddress: string) => {
    const r = await floodOneInternship(target, { inFlight: 3_000, floodMs: 5_000, fromAddress, apiShare });
    process.stdout.write(
      describeFlood(r)
        .map((line) => `[flood] ${line}\n`)
        .join(''),
    );
    return r;
  };
  try {
    report = await flood(1, '127.0.0.2');
    slowed = await flood(1 / 3, '127.0.0.3');
  } finally {
    await api.stop();
  }
}, 240_000);
afterAll(() => h?.stop());

// What the accept takes is a benchmark figure (`npm run flood`: 181 ms at 5,000 in flight); here,
// beside the rest of the suite on two cores, it took up to 1.5 s. What the test guards is that it
// is answered at all: starved behind the flood, it got no answer in 30 s.
test("the offered student's accept answers 200 within 5 s, and the internship goes on", () => {
  expect(report.accept.status).toBe(200);
  expect(report.accept.ms).toBeLessThan(5_000);
  expect(['Funding', 'InProgress']).toContain(report.accept.internshipStatus);
});

test('with the API slowed to a third, the accept is still answered, within 5 s', () => {
  expect(slowed.accept.status).toBe(200);
  expect(slowed.accept.ms).toBeLessThan(5_000);
  expect(['Funding', 'InProgress']).toContain(slowed.accept.internshipStatus);
});

test('the refused actions make 0 Temporal requests and are all answered, 404 or 429', () => {
  for (const r of [report, slowed]) {
    expect(r.temporalRequestsForRefused).toBe(0);
    expect(r.refused.sent).toBeGreaterThan(3_000);
    for (const status of Object.keys(r.refused.byStatus)) expect(['404', '429']).toContain(status);
  }
});

test('the API stays under 512 MiB resident', () => {
  expect(Math.max(report.apiRssMiB.max, slowed.apiRssMiB.max)).toBeLessThan(512);
});
