/**
 * schemas/topology.schema.json and the TypeScript shape the loader casts to (spec-types.ts) describe the same
 * document: a maximal document, typed as TopologyDocument (so TypeScript rejects keys the types lack), sets
 * every property the schema defines and passes the schema.
 */
import { describe, expect, it } from 'vitest';
import { compileSchema } from '../../../src/provisioner/topology/ajv-adapter.js';
import { topologySchema } from '../../../src/provisioner/topology/schema-check.js';
import type { TopologyDocument } from '../../../src/provisioner/topology/spec-types.js';
import { printYaml } from '../../../src/provisioner/topology/yaml-adapter.js';
import { codes, load } from './helpers.js';

const FP = 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU';
const ports = { client: 1, block: 2, datanode: 3, security: 4, ratis: 5, grpc: 6, http: 7, https: 8 };
const dirs = { install: '/i', config: '/c', metadata: '/m', db: '/d', ratis: '/r', snapshot: '/s', logs: '/l' };
const ssh = {
  user: 'u',
  port: 22,
  identityFile: '~/k',
  agent: true,
  knownHosts: 'accept-new' as const,
  knownHostsFile: '~/kh',
  hostKeyFingerprint: FP,
  bastions: [{ host: 'b', port: 22, user: 'u', identityFile: '~/k', hostKeyFingerprint: FP }],
  become: { enabled: true, method: 'sudo' as const, passwordEnv: 'PW' },
};
const maximal: TopologyDocument = {
  apiVersion: 'scmctl.io/v1alpha1',
  kind: 'ScmCluster',
  metadata: { name: 'm', description: 'd' },
  spec: {
    services: [{ serviceId: 's', primordial: 'n', nodes: [{ nodeId: 'n', host: 'h', ports: { ...ports, client: 11 }, directories: { ...dirs, config: '/nc' } }] }],
    defaultServiceId: 's',
    ratis: { enabled: true },
    security: { enabled: true, tls: true, kerberos: { principal: 'p', keytab: '/k', keytabs: [{ host: 'h1', file: 'h1.keytab' }] } },
    ports,
    listen: 'address',
    transport: 'ssh',
    directories: dirs,
    ssh,
    hosts: [{ name: 'h', address: 'h.example.com', transport: 'ssh', listen: 'any', roles: ['om', 'datanode', 'client'], ssh, directories: { ...dirs, config: '/hc' } }],
    properties: { 'a.b': 'x', 'c.d': 1, 'e.f': true },
    timeouts: { connect: '1s', command: '1m', scmStart: '1h', scmInfoWait: '1d' },
    runtime: { kind: 'apache-ozone', node: 'bundled', user: 'ozone', group: 'hadoop', ozone: { tarball: 'ozone-2.2.0.tar.gz', sha256: 'a'.repeat(64), sha512: 'b'.repeat(128), version: '2.2.0' }, java: { home: '/opt/jdk', tarball: 'jdk.tar.gz', sha256: 'c'.repeat(64) }, heap: '4g', jvmOptions: '-XX:+UseG1GC' },
  },
};

type Schema = Record<string, unknown>;

function schemaPaths(schema: Schema, root: Schema, prefix: string, out: Set<string>): void {
  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    schemaPaths((root['$defs'] as Record<string, Schema>)[ref.replace('#/$defs/', '')]!, root, prefix, out);
    return;
  }
  const props = schema['properties'] as Record<string, Schema> | undefined;
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      const p = `${prefix}.${k}`;
      out.add(p);
      schemaPaths(v, root, p, out);
    }
  }
  const items = schema['items'] as Schema | undefined;
  if (items) schemaPaths(items, root, `${prefix}[]`, out);
}

function dataPaths(value: unknown, prefix: string, out: Set<string>, mapKeys: boolean): void {
  if (Array.isArray(value)) {
    for (const v of value) dataPaths(v, `${prefix}[]`, out, false);
    return;
  }
  if (value === null || typeof value !== 'object' || mapKeys) return;
  for (const [k, v] of Object.entries(value)) {
    out.add(`${prefix}.${k}`);
    dataPaths(v, `${prefix}.${k}`, out, prefix.endsWith('.spec') && k === 'properties');
  }
}

describe('topology schema', () => {
  it('is valid JSON Schema 2020-12 with additionalProperties false on every object', () => {
    const schema = topologySchema();
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(() => compileSchema(schema, { checkSchema: true })).not.toThrow();
    expect(() => compileSchema({ ...schema, properties: { x: { type: 'nonsense' } } }, { checkSchema: true })).toThrow();
    const open: string[] = [];
    const visit = (s: unknown, where: string): void => {
      if (s === null || typeof s !== 'object') return;
      const o = s as Schema;
      if (o['type'] === 'object' && o['additionalProperties'] !== false && where !== '$defs.properties') open.push(where);
      for (const [k, v] of Object.entries(o)) visit(v, where ? `${where}.${k}` : k);
    };
    visit(schema, '');
    expect(open).toEqual([]);
  });

  it('accepts a document that sets every property, and the types have every property the schema has', () => {
    expect(codes(load(printYaml(maximal)))).not.toContain('TOPOLOGY_UNKNOWN_KEY');
    const r = load(printYaml(maximal));
    expect(r.diagnostics.filter((d) => d.code.startsWith('TOPOLOGY_') && ['TOPOLOGY_TYPE', 'TOPOLOGY_INVALID_VALUE', 'TOPOLOGY_MISSING_KEY'].includes(d.code))).toEqual([]);
    const fromSchema = new Set<string>();
    schemaPaths(topologySchema() as Schema, topologySchema() as Schema, '', fromSchema);
    const fromData = new Set<string>();
    dataPaths(maximal, '', fromData, false);
    expect([...fromSchema].filter((p) => !fromData.has(p))).toEqual([]);
    expect([...fromData].filter((p) => !fromSchema.has(p) && !p.startsWith('.spec.properties.'))).toEqual([]);
  });
});
