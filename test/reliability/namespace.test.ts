/**
 * Deployment is configuration: the real worker process, told only through environment variables,
 * runs internships in another namespace (as it would on a cluster or Temporal Cloud).
 */
import { dataConverterFrom } from '../../lib/data-converter';
import { Client, Connection } from '@temporalio/client';
import Long from 'long';
import { temporal } from '@temporalio/proto';
import {
  internshipStateQuery,
  internshipWorkflowId,
  SEARCH_ATTRIBUTE_DEFINITIONS,
} from '../../workflows/definitions';
import type { internshipWorkflow } from '../../workflows/internship';
import { freePort } from '../../scripts/stack/processes';
import { uniqueSuffix } from '../helpers/env';
import { seedEmployer, seedPosting } from '../helpers/fixtures';
import { startApiHarness, type ApiHarness } from '../helpers/harness';
import { startWorkerProcess } from '../helpers/worker-process';

const { IndexedValueType } = temporal.api.enums.v1;
let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ worker: false });
});
afterAll(async () => {
  await h?.stop();
});

test('a worker given only TEMPORAL_NAMESPACE in its environment serves that namespace', async () => {
  const namespace = `tenant-${uniqueSuffix()}`;
  const connection = await Connection.connect({ address: h.temporalTarget.address });
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(86_400) },
    });
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        Object.keys(SEARCH_ATTRIBUTE_DEFINITIONS).map((name) => [
          name,
          {
            Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
            Datetime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
            Int: IndexedValueType.INDEXED_VALUE_TYPE_INT,
          }[SEARCH_ATTRIBUTE_DEFINITIONS[name]!],
        ]),
      ),
    });
    const metricsPort = await freePort();
    const worker = await startWorkerProcess(h, {
      WORKER_METRICS_PORT: String(metricsPort),
      TEMPORAL_NAMESPACE: namespace,
      OPS_DIGEST_SCHEDULE_ID: `digest-${namespace}`,
    });
    try {
      expect(worker.log()).toContain(`"namespace":"${namespace}"`);
      const client = new Client({ connection, namespace, dataConverter: dataConverterFrom(h.config) });
      const employer = await seedEmployer(h.db);
      const input = await seedPosting(h.db, employer, Date.now());
      const handle = await client.workflow.start<typeof internshipWorkflow>('internshipWorkflow', {
        workflowId: internshipWorkflowId(input.internshipId),
        taskQueue: h.config.TEMPORAL_TASK_QUEUE,
        args: [input],
      });
      // Only a worker polling this namespace can answer the query.
      expect((await handle.query(internshipStateQuery)).status).toBe('Open');
      // The SDK's worker metrics, for Prometheus, labelled with the namespace.
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`temporal_\\w+\\{[^}]*namespace="${namespace}"`));
      await handle.terminate('test finished');
    } finally {
      await worker.stop();
    }
  } finally {
    await connection.close();
  }
});
