/**
 * The alerting rules, the dashboard and the list of exported metrics under ops/, read for
 * scripts/validate-observability.ts and test/api/metrics-for-alerts.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '..', '..');
export const OPS_FILES = {
  alerts: path.join(root, 'ops', 'prometheus', 'alerts.yml'),
  alertTests: path.join(root, 'ops', 'prometheus', 'alerts.test.yml'),
  prometheusConfig: path.join(root, 'ops', 'prometheus', 'prometheus.yml'),
  dashboard: path.join(root, 'ops', 'grafana', 'micro-internships.json'),
  exportedMetrics: path.join(root, 'ops', 'exported-metrics.yml'),
  operations: path.join(root, 'docs', 'OPERATIONS.md'),
};
export const relative = (file: string) => path.relative(root, file);

export type MetricType = 'counter' | 'gauge' | 'histogram';
export type MetricSource = 'api' | 'worker' | 'prometheus';
export interface ExportedMetric {
  name: string;
  type: MetricType;
  source: MetricSource;
}

/** ops/exported-metrics.yml: what the API, the worker and Prometheus itself export. */
export function exportedMetrics(): ExportedMetric[] {
  const file = parse(readFileSync(OPS_FILES.exportedMetrics, 'utf8')) as Record<
    string,
    Record<string, string>
  >;
  return Object.entries(file).flatMap(([source, metrics]) =>
    Object.entries(metrics).map(([name, type]) => {
      if (!['api', 'worker', 'prometheus'].includes(source)) throw new Error(`unknown source ${source}`);
      if (!['counter', 'gauge', 'histogram'].includes(type)) throw new Error(`${name}: unknown type ${type}`);
      return { name, type: type as MetricType, source: source as MetricSource };
    }),
  );
}

/** The series names a metric shows in a scrape: a histogram's _bucket, _count and _sum. */
export const seriesNames = (m: Pick<ExportedMetric, 'name' | 'type'>): string[] =>
  m.type === 'histogram' ? ['_bucket', '_count', '_sum'].map((suffix) => m.name + suffix) : [m.name];

export interface AlertRule {
  group: string;
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The alerting rules of ops/prometheus/alerts.yml (recording rules, if any, are skipped). */
export function alertRules(): AlertRule[] {
  const file = parse(readFileSync(OPS_FILES.alerts, 'utf8')) as {
    groups: { name: string; rules: (Omit<AlertRule, 'group'> & { record?: string })[] }[];
  };
  return file.groups.flatMap((group) =>
    group.rules.filter((rule) => rule.alert).map((rule) => ({ ...rule, group: group.name })),
  );
}

export interface Panel {
  id?: unknown;
  type?: unknown;
  title?: unknown;
  gridPos?: unknown;
  datasource?: { type?: string; uid?: string };
  targets?: { refId?: unknown; expr?: unknown; datasource?: { type?: string; uid?: string } }[];
  panels?: Panel[];
}
export interface Dashboard {
  title?: unknown;
  uid?: unknown;
  schemaVersion?: unknown;
  panels?: Panel[];
  templating?: { list?: { name?: string; type?: string; query?: string }[] };
}

export const readDashboard = (): Dashboard =>
  JSON.parse(readFileSync(OPS_FILES.dashboard, 'utf8')) as Dashboard;

/** Every panel, those inside collapsed rows too. */
export const dashboardPanels = (dashboard: Dashboard): Panel[] =>
  (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);

export interface PanelQuery {
  panelId: number;
  panelTitle: string;
  refId: string;
  expr: string;
}

export const panelQueries = (dashboard: Dashboard): PanelQuery[] =>
  dashboardPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({
      panelId: Number(panel.id),
      panelTitle: String(panel.title),
      refId: String(target.refId),
      expr: typeof target.expr === 'string' ? target.expr : '',
    })),
  );

/** Grafana's interval variables become 5m, so a panel's query is plain PromQL promtool can parse. */
export const withoutGrafanaVariables = (expr: string): string => expr.replace(/\$\{__\w+\}|\$__\w+/g, '5m');

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'start', 'end']);

/**
 * The metric names a PromQL expression reads: identifiers that are neither functions nor
 * aggregations (followed by "("), keywords, label names (in {…}, by (…) and the like), strings,
 * numbers nor durations.
 */
export function metricNamesIn(expr: string): string[] {
  const bare = withoutGrafanaVariables(expr)
    .replace(/#.*$/gm, '')
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of bare.matchAll(/(\d[\w.]*)|([A-Za-z_:][\w:]*)(\s*\()?/g)) {
    const [, number, name, call] = match;
    if (number || !name || call || KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}

/** Every metric name the alerts and the dashboard read, with where each is read. */
export function referencedMetrics(): Map<string, string[]> {
  const readers = new Map<string, string[]>();
  const note = (expr: string, where: string) => {
    for (const name of metricNamesIn(expr)) readers.set(name, [...(readers.get(name) ?? []), where]);
  };
  for (const rule of alertRules()) note(rule.expr, `alert ${rule.alert}`);
  for (const q of panelQueries(readDashboard()))
    note(q.expr, `panel ${q.panelId} "${q.panelTitle}" ${q.refId}`);
  return readers;
}
