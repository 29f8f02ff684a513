/**
 * A file that is not a topology (notes.txt, a binary, a YAML list under another extension) is called one:
 * TOPOLOGY_NOT_A_TOPOLOGY naming the file, what it holds and what is accepted. The content decides: a .txt
 * holding a topology loads; a .yaml keeps the schema's own messages.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTopology } from '../../../src/provisioner/topology/load.js';
import { codes, load, threeNodes } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'scmctl-not-topology-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TOPOLOGY_NOT_A_TOPOLOGY', () => {
  it('a .txt of prose: one error naming the file, what it holds and what is accepted', async () => {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'hello world\nthese are my notes\n');
    const r = await loadTopology(file, { displayName: 'notes.txt' });
    expect(r.topology).toBeUndefined();
    expect(codes(r)).toEqual(['TOPOLOGY_NOT_A_TOPOLOGY']);
    const d = r.diagnostics[0]!;
    expect(d.summary).toContain('notes.txt is not a topology: it holds plain text ("hello world these are my notes")');
    expect(d.summary).toContain('apiVersion: scmctl.io/v1alpha1');
    expect(d.summary).toContain('ozone-site.xml');
    expect(d.summary).toContain('the content decides');
    expect(d.hint).toContain('scmctl init');
    expect([d.range.start.line, d.range.start.column]).toEqual([1, 1]);
  });

  it('says what else a file holds: empty, a list, a mapping without apiVersion/kind, unparsable text, binary data', () => {
    const summary = (text: string, name = 'x.txt'): string => {
      const r = load(text, name);
      expect(codes(r)).toEqual(['TOPOLOGY_NOT_A_TOPOLOGY']);
      return r.diagnostics[0]!.summary;
    };
    expect(summary('')).toContain('it holds nothing (it is empty)');
    expect(summary('# only a comment\n')).toContain('it holds only comments');
    expect(summary('- a\n- b\n')).toContain('it holds a list (2 items), not a mapping');
    expect(summary('services:\n  web: {}\nvolumes: {}\n', 'docker-compose')).toContain('a mapping without apiVersion or kind (keys: services, volumes)');
    expect(summary('a: b: c\n')).toContain('text that is not YAML');
    expect(summary('\u001f\u008b\u0008\u0000binary', 'bundle.tar.gz')).toContain('it holds binary data');
  });

  it('a .txt holding a topology is one: the content decides, not the extension', async () => {
    const file = join(dir, 'cluster.txt');
    writeFileSync(file, readFileSync('examples/local-ha.yaml', 'utf8'));
    const r = await loadTopology(file);
    expect(r.diagnostics).toEqual([]);
    expect(r.topology?.name).toBe('local-ha');
    // a mistyped topology under another name is still judged as one (the schema names what is wrong)
    expect(codes(load(threeNodes().replace('kind: ScmCluster', 'kind: ScmClustr'), 'cluster.txt'))).toEqual(['TOPOLOGY_KIND']);
  });

  it('a .yaml or .yml file keeps the schema messages (its author meant a topology)', () => {
    expect(codes(load('- a\n- b\n', 'list.yaml'))).toEqual(['TOPOLOGY_TYPE']);
    expect(codes(load('services: [a]\n', 'compose.yml'))).toContain('TOPOLOGY_MISSING_KEY');
  });
});
