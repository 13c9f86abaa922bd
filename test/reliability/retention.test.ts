/** The namespace's retention is set on purpose by the stack (npm start: TEMPORAL_RETENTION_DAYS). */
import { Connection } from '@temporalio/client';
import { setNamespaceRetention } from '../../scripts/stack/services';
import { temporalTarget } from '../../lib/temporal';

test('closed histories are kept the number of days chosen, as the server reports it', async () => {
  const { address, namespace } = temporalTarget();
  expect(await setNamespaceRetention(address, namespace, 30)).toBe(30);
  const connection = await Connection.connect({ address });
  try {
    const { config } = await connection.workflowService.describeNamespace({ namespace });
    expect(Number(config?.workflowExecutionRetentionTtl?.seconds)).toBe(30 * 86_400);
  } finally {
    await connection.close();
  }
});
