import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportCommand } from '../../../src/provisioner/commands/export.js';
import { renderCommand } from '../../../src/provisioner/commands/render.js';
import { renderHost } from '../../../src/provisioner/render/render-host.js';
import { loadTopologyText } from '../../../src/provisioner/topology/load.js';
import { fakeContext } from './fake-context.js';

const dir = mkdtempSync(join(tmpdir(), 'scmctl-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scmctl render', () => {
  it('writes one folder per host mirroring the paths on the host', async () => {
    const ctx = fakeContext();
    expect(await renderCommand.run(['examples/three-node.yaml'], { out: join(dir, 'out') }, ctx)).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['scm1', 'scm2', 'scm3']);
    const file = join(dir, 'out/scm2/tmp/scmctl-e2e/scm2/conf/ozone-site.xml');
    expect(readFileSync(file, 'utf8')).toContain('<name>ozone.scm.node.id</name>\n    <value>scm2</value>');
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(ctx.out().trim().split('\n')).toHaveLength(9);
  });

  it('every printed path is written with its rendered mode, also over an existing file of another mode', async () => {
    const out = join(dir, 'modes');
    const first = fakeContext();
    expect(await renderCommand.run(['examples/local-ha.yaml'], { out }, first)).toBe(0);
    const printed = first.out().trim().split('\n');
    const env = printed.find((p) => p.endsWith('/scm.env'))!;
    chmodSync(env, 0o666);
    const again = fakeContext();
    expect(await renderCommand.run(['examples/local-ha.yaml'], { out }, again)).toBe(0);
    expect(again.out()).toBe(first.out());
    const topology = loadTopologyText(readFileSync('examples/local-ha.yaml', 'utf8'), 'examples/local-ha.yaml').topology!;
    const expected = topology.hosts.flatMap((h) => renderHost(topology, h.name).map((f) => [join(out, h.name, f.path), f.mode] as const));
    expect(printed).toEqual(expected.map(([p]) => p));
    for (const [p, mode] of expected) expect([p, statSync(p).mode & 0o777]).toEqual([p, mode]);
  });

  it('renders only the hosts asked for', async () => {
    const ctx = fakeContext({ cwd: dir });
    expect(await renderCommand.run([join(process.cwd(), 'examples/multi-service.yaml')], { out: 'some', host: ['om1'] }, ctx)).toBe(0);
    expect(readdirSync(join(dir, 'some'))).toEqual(['om1']);
    expect(await renderCommand.run([join(process.cwd(), 'examples/multi-service.yaml')], { out: 'some', host: ['nope'] }, ctx)).toBe(1);
    expect(ctx.err()).toContain('no host named nope');
  });

  it('writes nothing and exits 1 for an invalid topology', async () => {
    const ctx = fakeContext();
    expect(await renderCommand.run(['test/provisioner/topology/fixtures/invalid/duplicate-node-id.yaml'], { out: join(dir, 'bad') }, ctx)).toBe(1);
    expect(ctx.err()).toContain('TOPOLOGY_DUPLICATE_NODE_ID');
    expect(() => statSync(join(dir, 'bad'))).toThrow();
  });
});

describe('scmctl export', () => {
  it('YAML → XML → YAML gives back the same model', async () => {
    const toXml = fakeContext();
    expect(await exportCommand.run(['examples/multi-service.yaml'], { format: 'xml', out: join(dir, 'multi.xml') }, toXml)).toBe(0);
    const toYaml = fakeContext();
    expect(await exportCommand.run([join(dir, 'multi.xml')], { format: 'yaml' }, toYaml)).toBe(0);
    const original = loadTopologyText(readFileSync('examples/multi-service.yaml', 'utf8'), 'a.yaml').topology;
    expect(loadTopologyText(toYaml.out(), 'b.yaml').topology).toEqual(original);
  });

  it('exits 1 with diagnostics on stderr for an invalid file', async () => {
    const ctx = fakeContext();
    expect(await exportCommand.run(['test/provisioner/topology/fixtures/invalid/malformed.xml'], { format: 'yaml' }, ctx)).toBe(1);
    expect(ctx.err()).toContain('error[TOPOLOGY_XML_SYNTAX]');
    expect(ctx.out()).toBe('');
  });
});
