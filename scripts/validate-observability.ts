/**
 * Validates ops/: the alerting rules (promtool check rules, and their unit tests), Prometheus's
 * configuration, and the Grafana dashboard (its shape, and every query parsed by promtool). Every
 * metric an alert or a panel reads must be one the platform exports (ops/exported-metrics.yml, which
 * test/api/metrics-for-alerts.test.ts checks against a real API and worker), and every alert must
 * link a runbook section that exists in docs/OPERATIONS.md and be tested firing and silent.
 *
 *   node --import tsx scripts/validate-observability.ts
 *
 * promtool: PROMTOOL, else the PATH, else (as root, with apt-get) Debian's `prometheus` package.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import {
  alertRules,
  dashboardPanels,
  exportedMetrics,
  OPS_FILES,
  panelQueries,
  readDashboard,
  referencedMetrics,
  relative,
  seriesNames,
  withoutGrafanaVariables,
  type Dashboard,
} from './observability/ops-files';

const problems: string[] = [];
const fail = (message: string) => problems.push(message);

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** promtool from PROMTOOL or the PATH; installed from Debian's prometheus package when root. */
function findPromtool(): string {
  const found = process.env.PROMTOOL || onPath('promtool');
  if (found) return found;
  const root = process.getuid?.() === 0;
  if (root && onPath('apt-get')) {
    console.log('== promtool not found: installing Debian package prometheus (apt-get)');
    const install = () =>
      spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'prometheus'], {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      }).status === 0;
    if (!install()) {
      spawnSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'] });
      install();
    }
    const installed = onPath('promtool');
    if (installed) return installed;
  }
  console.error(
    'promtool not found: install it (Debian/Ubuntu: apt-get install prometheus; or a release from ' +
      'https://prometheus.io/download/) and put it on the PATH, or set PROMTOOL=/path/to/promtool' +
      (root ? '' : ' (not root: could not install it here)'),
  );
  process.exit(2);
}

/** Runs promtool, prints what it said; a failure is a problem. */
function promtool(bin: string, args: string[], what: string): boolean {
  const run = spawnSync(bin, args, { encoding: 'utf8' });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`.trimEnd();
  console.log(`== promtool ${args.join(' ')}\n${output}`);
  if (run.status !== 0) fail(`${what}: promtool ${args[0]} ${args[1]} failed (above)`);
  return run.status === 0;
}

/** The dashboard's shape: what Grafana needs to import it, and what keeps it maintainable. */
function checkDashboardShape(dashboard: Dashboard) {
  const where = relative(OPS_FILES.dashboard);
  if (typeof dashboard.title !== 'string' || !dashboard.title) fail(`${where}: no title`);
  if (typeof dashboard.uid !== 'string' || !/^[\w-]{1,40}$/.test(dashboard.uid))
    fail(`${where}: uid missing or not 1–40 letters, digits, - or _`);
  if (typeof dashboard.schemaVersion !== 'number' || dashboard.schemaVersion < 36)
    fail(`${where}: schemaVersion missing or older than 36`);
  const variable = dashboard.templating?.list?.find((v) => v.name === 'DS_PROMETHEUS');
  if (variable?.type !== 'datasource' || variable.query !== 'prometheus')
    fail(`${where}: no datasource variable DS_PROMETHEUS of type prometheus`);
  const panels = dashboardPanels(dashboard);
  if (!panels.some((p) => p.type !== 'row')) fail(`${where}: no panels`);
  const ids = new Set<unknown>();
  for (const panel of panels) {
    const name = `${where}: panel ${String(panel.id)} "${String(panel.title)}"`;
    if (!Number.isInteger(panel.id)) fail(`${name}: id is not an integer`);
    if (ids.has(panel.id)) fail(`${name}: id used twice`);
    ids.add(panel.id);
    if (typeof panel.type !== 'string' || typeof panel.title !== 'string' || !panel.title)
      fail(`${name}: type or title missing`);
    const grid = panel.gridPos as Record<string, unknown> | undefined;
    if (!grid || !['h', 'w', 'x', 'y'].every((k) => Number.isInteger(grid[k])))
      fail(`${name}: gridPos needs integer h, w, x, y`);
    else if ((grid.x as number) + (grid.w as number) > 24) fail(`${name}: wider than the 24-column grid`);
    if (panel.type === 'row' || panel.type === 'text') continue;
    if (panel.datasource?.uid !== '${DS_PROMETHEUS}') fail(`${name}: datasource is not \${DS_PROMETHEUS}`);
    const targets = panel.targets ?? [];
    if (!targets.length) fail(`${name}: no queries`);
    const refIds = new Set<unknown>();
    for (const target of targets) {
      if (typeof target.refId !== 'string' || refIds.has(target.refId))
        fail(`${name}: refId missing or repeated`);
      refIds.add(target.refId);
      if (typeof target.expr !== 'string' || !target.expr.trim()) fail(`${name}: a query without expr`);
      if (target.datasource && target.datasource.uid !== '${DS_PROMETHEUS}')
        fail(`${name} ${String(target.refId)}: datasource is not \${DS_PROMETHEUS}`);
    }
  }
  return panels.length;
}

/** Every panel query parses as PromQL: each becomes a recording rule that promtool checks. */
function checkDashboardQueries(bin: string, dashboard: Dashboard, dir: string) {
  const rules = panelQueries(dashboard).map((q) => ({
    record: `dashboard:panel_${q.panelId}_${q.refId}`,
    expr: withoutGrafanaVariables(q.expr),
  }));
  const file = path.join(dir, 'dashboard-queries.yml');
  writeFileSync(file, stringify({ groups: [{ name: 'dashboard-queries', rules }] }));
  promtool(bin, ['check', 'rules', file], 'dashboard queries (rule dashboard:panel_<id>_<refId>)');
  return rules.length;
}

/** Alerts and panels read only metrics the platform exports; the list holds nothing unread. */
function checkMetricNames() {
  const exported = exportedMetrics();
  const series = new Set(exported.flatMap(seriesNames));
  const referenced = referencedMetrics();
  for (const [name, readers] of referenced) {
    if (!series.has(name))
      fail(
        `${readers.join(', ')} read ${name}, which no process exports (${relative(OPS_FILES.exportedMetrics)})`,
      );
  }
  for (const metric of exported) {
    if (!seriesNames(metric).some((s) => referenced.has(s)))
      fail(`${relative(OPS_FILES.exportedMetrics)}: ${metric.name} is read by no alert and no panel`);
  }
  return referenced.size;
}

/** GitHub's anchor of a Markdown heading. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

/** Every alert: for, severity, summary, description and a runbook that exists; tested firing and silent. */
function checkAlerts() {
  const anchors = new Set(
    readFileSync(OPS_FILES.operations, 'utf8')
      .split('\n')
      .filter((line) => /^#{1,6} /.test(line))
      .map((line) => anchorOf(line.replace(/^#+ /, ''))),
  );
  const tests = (
    parse(readFileSync(OPS_FILES.alertTests, 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
    }
  ).tests.flatMap((t) => t.alert_rule_test ?? []);
  const rules = alertRules();
  for (const rule of rules) {
    const name = `${relative(OPS_FILES.alerts)}: ${rule.alert}`;
    if (!rule.for) fail(`${name}: no for:`);
    if (!['critical', 'warning'].includes(rule.labels?.severity ?? ''))
      fail(`${name}: severity must be critical or warning`);
    for (const key of ['summary', 'description', 'runbook_url'])
      if (!rule.annotations?.[key]) fail(`${name}: no ${key} annotation`);
    const runbook = /^docs\/OPERATIONS\.md#(.+)$/.exec(rule.annotations?.runbook_url ?? '');
    if (!runbook || !anchors.has(runbook[1]!))
      fail(`${name}: runbook_url must be docs/OPERATIONS.md#<a heading there>`);
    const own = tests.filter((t) => t.alertname === rule.alert);
    if (!own.some((t) => t.exp_alerts?.length)) fail(`${name}: no test where it fires`);
    if (!own.some((t) => !t.exp_alerts?.length)) fail(`${name}: no test where it stays silent`);
  }
  return rules.length;
}

const bin = findPromtool();
console.log(`== ${execFileSync(bin, ['--version'], { encoding: 'utf8' }).split('\n')[0]} (${bin})`);
const dir = mkdtempSync(path.join(os.tmpdir(), 'validate-observability-'));
try {
  promtool(bin, ['check', 'rules', OPS_FILES.alerts], 'alerting rules');
  promtool(bin, ['test', 'rules', OPS_FILES.alertTests], 'alert unit tests');
  promtool(bin, ['check', 'config', OPS_FILES.prometheusConfig], 'prometheus.yml');
  let dashboard: Dashboard | undefined;
  try {
    dashboard = readDashboard();
  } catch (err) {
    fail(`${relative(OPS_FILES.dashboard)}: not JSON (${(err as Error).message})`);
  }
  const panels = dashboard ? checkDashboardShape(dashboard) : 0;
  const queries = dashboard ? checkDashboardQueries(bin, dashboard, dir) : 0;
  const metrics = checkMetricNames();
  const alerts = checkAlerts();
  console.log(
    `== ${alerts} alerts, ${panels} panels with ${queries} queries, reading ${metrics} metric series`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (problems.length) {
  for (const problem of problems) console.error(`✗ ${problem}`);
  process.exit(1);
}
console.log('== ops/ is valid: rules, their tests, prometheus.yml, the dashboard and the metric names');
