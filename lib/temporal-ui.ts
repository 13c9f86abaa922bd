import type { ConnectionLike } from '@temporalio/client';

/**
 * The Temporal UI's page of one workflow run's history. The UI needs the run id: given only the
 * workflow id it shows "400 Bad Request", so the current run is looked up first.
 */
export async function workflowHistoryUrl(
  connection: ConnectionLike,
  ui: { baseUrl: string; namespace: string },
  workflowId: string,
): Promise<string> {
  const { workflowExecutionInfo } = await connection.workflowService.describeWorkflowExecution({
    namespace: ui.namespace,
    execution: { workflowId },
  });
  const runId = workflowExecutionInfo?.execution?.runId;
  if (!runId) throw new Error(`no run of ${workflowId} in namespace ${ui.namespace}`);
  const base = ui.baseUrl.replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(ui.namespace)}/workflows/${encodeURIComponent(workflowId)}/${runId}/history`;
}

/** The UI's list of workflows matching a visibility query (e.g. `InternshipStatus="InReview"`). */
export const workflowListUrl = (ui: { baseUrl: string; namespace: string }, query: string): string =>
  `${ui.baseUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(ui.namespace)}/workflows?query=${encodeURIComponent(query)}`;
