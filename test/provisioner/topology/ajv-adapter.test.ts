/**
 * The precompiled topology validator (ajv standalone code, written by `npm run build`) reports exactly what
 * the schema compiled at run time reports, for valid documents and for each kind of mistake.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compileSchema, fromStandalone, standaloneValidatorModule } from '../../../src/provisioner/topology/ajv-adapter.js';
import { topologySchema } from '../../../src/provisioner/topology/schema-check.js';
import { parseYaml } from '../../../src/provisioner/topology/yaml-adapter.js';

const dir = mkdtempSync(join(tmpdir(), 'scmctl-ajv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const examples = join(import.meta.dirname, '..', '..', '..', 'examples');

async function precompiled(): Promise<{ module: string; validate: ReturnType<typeof fromStandalone>; sha: unknown }> {
  const module = standaloneValidatorModule(topologySchema(), 'f'.repeat(64));
  // the temporary directory has no node_modules: point the helpers at this package's ajv
  const require = createRequire(import.meta.url);
  const file = join(dir, 'v.mjs');
  writeFileSync(file, module.replace(/require\("(ajv\/dist\/runtime\/[a-z0-9_]+)"\)/g, (_m, p: string) => `require(${JSON.stringify(require.resolve(p))})`));
  const mod = (await import(pathToFileURL(file).href)) as { validate: unknown; schemaSha256: unknown };
  return { module, validate: fromStandalone(mod.validate), sha: mod.schemaSha256 };
}

function documents(): unknown[] {
  const valid = readdirSync(examples)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => parseYaml(readFileSync(join(examples, f), 'utf8')).document!.value as Record<string, unknown>);
  const base = valid[0] as { spec: Record<string, unknown>; metadata: Record<string, unknown> };
  const spec = base.spec;
  return [
    ...valid,
    {},
    { ...base, apiVersion: 'scmctl.io/v2' }, // const
    { ...base, spec: { ...spec, servics: [] } }, // unknown key, missing key
    { ...base, spec: { ...spec, listen: 'everywhere' } }, // enum
    { ...base, spec: { ...spec, hosts: 'none' } }, // type
    { ...base, metadata: { ...base.metadata, name: 'x'.repeat(300) } }, // maxLength (ucs2length)
    { ...base, spec: { ...spec, services: [{ serviceId: 'a b', nodes: [] }] } }, // pattern, minItems
  ];
}

describe('standaloneValidatorModule', () => {
  it('is plain ESM with the schema hash, and validates exactly as the compiled schema', async () => {
    const { module, validate, sha } = await precompiled();
    expect(module).toMatch(/require\("ajv\/dist\/runtime\/equal"\)/);
    expect(sha).toBe('f'.repeat(64));
    const compiled = compileSchema(topologySchema());
    const docs = documents();
    expect(docs.length).toBeGreaterThan(8);
    let failing = 0;
    for (const d of docs) {
      const issues = compiled(d);
      if (issues.length > 0) failing++;
      expect(validate(d)).toEqual(issues);
    }
    expect(failing).toBeGreaterThanOrEqual(7);
  });
});
