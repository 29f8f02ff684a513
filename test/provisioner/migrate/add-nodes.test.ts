/** --add-nodes: parsing, and the YAML edit that keeps the operator's file as it was written. */
import { describe, expect, it } from 'vitest';
import { isCodedError } from '../../../src/common/coded-error.js';
import { extendTopology, parseAddNodes, pickService } from '../../../src/provisioner/migrate/add-nodes.js';
import { topologyOf } from '../plan/cluster-fixture.js';

const text = `# the standalone SCM of the lab (keep this comment)
apiVersion: scmctl.io/v1alpha1
kind: ScmCluster
metadata:
  name: lab
spec:
  ratis:
    enabled: false # off until the migration
  services:
    - serviceId: svc
      nodes:
        - nodeId: scm1
          host: scm1
  hosts:
    - name: scm1
      address: 10.0.0.1
    - name: dn2
      address: 10.0.0.2
      roles: [datanode]
`;

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isCodedError(e) ? e.code : String(e);
  }
  return undefined;
}

describe('parseAddNodes', () => {
  it('reads NODE_ID=HOST pairs', () => {
    expect(parseAddNodes('scm2=dn2, scm3=10.0.0.3')).toEqual([
      { nodeId: 'scm2', host: 'dn2' },
      { nodeId: 'scm3', host: '10.0.0.3' },
    ]);
  });
  it('refuses malformed lists with MIGRATE_BAD_ADD_NODES', () => {
    for (const bad of ['', 'scm2', 'scm2=', '=h', 'scm 2=h', 'scm2=h,scm2=i', 'scm2=h,scm3=h']) expect(code(() => parseAddNodes(bad)), bad).toBe('MIGRATE_BAD_ADD_NODES');
  });
});

describe('extendTopology', () => {
  const t = topologyOf(text);
  const svc = pickService(t, undefined);

  it('appends the nodes, turns Ratis on, names the existing node primordial, and keeps comments and the rest of the file', () => {
    const out = extendTopology(text, t, svc, parseAddNodes('scm2=dn2,scm3=10.0.0.3'));
    expect(out.changed).toBe(true);
    expect(out.text).toContain('# the standalone SCM of the lab (keep this comment)');
    expect(out.text).toContain('enabled: true # off until the migration');
    expect(out.text).toMatch(/- nodeId: scm2\n\s+host: dn2\n/);
    expect(out.text).toMatch(/- nodeId: scm3\n\s+host: 10\.0\.0\.3\n/);
    expect(out.text).toContain('primordial: scm1');
    const grown = topologyOf(out.text);
    expect(grown.ratis.enabled).toBe(true);
    expect(grown.services[0]!.nodes.map((n) => `${n.nodeId}@${n.address}`)).toEqual(['scm1@10.0.0.1', 'scm2@10.0.0.2', 'scm3@10.0.0.3']);
    expect(grown.services[0]!.primordial.nodeId).toBe('scm1');
  });

  it('is a no-op when the nodes are already there on the same hosts (a re-run)', () => {
    const once = extendTopology(text, t, svc, parseAddNodes('scm2=dn2,scm3=10.0.0.3')).text;
    const t2 = topologyOf(once);
    expect(extendTopology(once, t2, pickService(t2, 'svc'), parseAddNodes('scm2=dn2,scm3=10.0.0.3'))).toEqual({ text: once, changed: false });
    // a host given by its address names the same host
    expect(extendTopology(once, t2, pickService(t2, 'svc'), parseAddNodes('scm2=10.0.0.2')).changed).toBe(false);
  });

  it('refuses a node id already on another host, and a second node on one host', () => {
    expect(code(() => extendTopology(text, t, svc, parseAddNodes('scm1=dn2')))).toBe('MIGRATE_BAD_ADD_NODES');
    expect(code(() => extendTopology(text, t, svc, parseAddNodes('scm2=scm1')))).toBe('MIGRATE_BAD_ADD_NODES');
  });

  it('asks which service grows when there are several', () => {
    const multi = topologyOf(
      text.replace('  hosts:', '    - serviceId: other\n      nodes:\n        - nodeId: o1\n          host: o1h\n  defaultServiceId: svc\n  hosts:\n    - name: o1h\n      address: 10.0.0.9'),
    );
    expect(code(() => pickService(multi, undefined))).toBe('MIGRATE_SERVICE_UNKNOWN');
    expect(code(() => pickService(multi, 'nope'))).toBe('MIGRATE_SERVICE_UNKNOWN');
    expect(pickService(multi, 'other').serviceId).toBe('other');
  });
});
