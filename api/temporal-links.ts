/** Where ops open a workflow's run: its history in the Temporal UI, run id included. */
import { workflowHistoryUrl } from '../lib/temporal-ui';
import type { RouteDeps } from './deps';

/** The run's history in the Temporal UI; null when Temporal does not answer (the page says so). */
export function runInTemporalUi(deps: RouteDeps, workflowId: string): Promise<string | null> {
  const ui = { baseUrl: deps.config.TEMPORAL_UI_URL, namespace: deps.temporal.options.namespace };
  return workflowHistoryUrl(deps.temporal.connection, ui, workflowId).catch(() => null);
}
