/**
 * `npm run build`'s step between tsc and the bundles: the topology schema's validator as code (ajv standalone),
 * so scmctl does not compile the schema at every start (~55 ms, issue 13). Written beside schema-check.js in
 * dist/src; bundle-cli.mjs copies it beside the bundle's chunks. schema-check.ts loads it only when its
 * sha256 matches schemas/topology.schema.json, and compiles the schema otherwise.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { standaloneValidatorModule } = await import(join(root, 'dist/src/provisioner/topology/ajv-adapter.js'));
const { PRECOMPILED_VALIDATOR, schemaSha256 } = await import(join(root, 'dist/src/provisioner/topology/schema-check.js'));
const bytes = readFileSync(join(root, 'schemas', 'topology.schema.json'));
writeFileSync(join(root, 'dist/src/provisioner/topology', PRECOMPILED_VALIDATOR), standaloneValidatorModule(JSON.parse(bytes.toString('utf8')), schemaSha256(bytes)));
