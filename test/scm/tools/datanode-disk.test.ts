import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileDatanodeDisks } from '../../../src/scm/tools/datanode-disk.js';

const dir = mkdtempSync(join(tmpdir(), 'dn-disks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FileDatanodeDisks: a simulated datanode keeps its containers and pipelines across processes', () => {
  it('writes what changed and reads it back in a new instance (a restarted `ozone datanode`)', () => {
    const a = new FileDatanodeDisks(join(dir, 'disks'));
    const d = a.of('uuid-1');
    d.pipelines.set('p1', { isLeader: true });
    d.containers.set(7, { state: 'CLOSED', pipelineID: 'p1' });
    a.flush();
    expect(existsSync(join(dir, 'disks', 'uuid-1.json'))).toBe(true);
    const b = new FileDatanodeDisks(join(dir, 'disks'));
    expect([...b.of('uuid-1').pipelines]).toEqual([['p1', { isLeader: true }]]);
    expect([...b.of('uuid-1').containers]).toEqual([[7, { state: 'CLOSED', pipelineID: 'p1' }]]);
    expect(b.of('uuid-2').pipelines.size).toBe(0);
  });
  it('an unreadable file is a lost disk: the datanode comes back empty', () => {
    writeFileSync(join(dir, 'disks', 'uuid-3.json'), '{ not json');
    expect(new FileDatanodeDisks(join(dir, 'disks')).of('uuid-3').containers.size).toBe(0);
  });
});
