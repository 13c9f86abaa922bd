/**
 * `npm run flood`: one student keeps 5,000 refused actions in flight against a micro-internship on
 * offer to someone else, on a local stack of real processes (see flood-run.ts), while the offered
 * student accepts. Prints the figures and writes them as JSON to bench-results/.
 *
 *   npm run flood -- --in-flight 5000 --seconds 10
 *   npm run flood -- --api-share 0.33     # the API slowed to a third, as on a slower machine
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../stack/tools';
import { describeFlood, floodOneInternship } from './flood-run';
import { OPS_TOKEN, startProveStack } from './stack';

const { values: args } = parseArgs({
  options: {
    'in-flight': { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '10' },
    'api-share': { type: 'string', default: '1' },
    out: { type: 'string', default: path.join(repoRoot, 'bench-results') },
  },
});
const say = (line: string) => process.stdout.write(`[flood] ${line}\n`);

async function main(): Promise<void> {
  // The write and connection limits as shipped (the proving stack lifts them for its other programs).
  const stack = await startProveStack({
    log: say,
    env: {
      LOG_LEVEL: 'warn',
      WRITE_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '600',
      WRITE_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: '120',
      CONNECTIONS_PER_ADDRESS: '128',
    },
  });
  try {
    const report = await floodOneInternship(
      {
        apiUrl: stack.apiUrl,
        metricsUrl: stack.metricsUrl,
        apiPid: stack.groups().api[0]!,
        opsToken: OPS_TOKEN,
        inboxUrl: stack.maildevUrl,
      },
      {
        inFlight: Number(args['in-flight']),
        floodMs: Number(args.seconds) * 1000,
        fromAddress: '127.0.0.2',
        apiShare: Number(args['api-share']),
        log: say,
      },
    );
    for (const line of describeFlood(report)) say(line);
    mkdirSync(args.out, { recursive: true });
    const file = path.join(args.out, `flood-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(report, null, 2));
    say(`wrote ${path.relative(repoRoot, file)}`);
    const held =
      report.temporalRequestsForRefused === 0 &&
      report.accept.status === 200 &&
      report.accept.ms < 1_000 &&
      report.apiRssMiB.max < 512 &&
      Object.keys(report.refused.byStatus).every((s) => s === '404' || s === '429');
    say(held ? 'held: every goal met' : 'NOT held: see the figures above');
    process.exitCode = held ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
