import { describe, expect, it } from 'vitest';
import { BUILTIN_DIRECTORIES, minimalDirectories, resolveDirectories } from '../../../src/provisioner/topology/directories.js';
import { DEFAULT_SCM_PORTS } from '../../../src/provisioner/topology/model.js';
import { scmNodesOnHost } from '../../../src/provisioner/topology/queries.js';
import { threeNodes, valid } from './helpers.js';

describe('defaults', () => {
  const t = valid(threeNodes());

  it('applies Ozone default ports, design-doc directories, ssh transport and listen any', () => {
    const node = t.services[0]!.nodes[0]!;
    expect(node.ports).toEqual(DEFAULT_SCM_PORTS);
    expect(node.explicitPorts).toEqual([]);
    expect(node.bindHost).toBe('0.0.0.0');
    expect(node.directories).toEqual({
      install: '/opt/scmctl',
      config: '/etc/ozone',
      metadata: '/var/lib/ozone/metadata',
      db: '/var/lib/ozone/metadata',
      ratis: '/var/lib/ozone/metadata/scm.ratis',
      snapshot: '/var/lib/ozone/metadata/scm.ratis.snapshot',
      logs: '/var/log/ozone',
    });
    expect(t.hosts[0]!.transport).toEqual({
      kind: 'ssh',
      ssh: { user: 'root', port: 22, agent: true, knownHosts: 'strict', bastions: [], become: { enabled: false, method: 'sudo' } },
    });
    expect(t.ratis.enabled).toBe(true);
    expect(t.security).toEqual({ enabled: false, tls: false });
    expect(t.timeouts).toEqual({ connectMs: 10_000, commandMs: 300_000, scmStartMs: 120_000, scmInfoWaitMs: 600_000 });
    expect(t.runtime).toEqual({ kind: 'embedded', node: 'auto' });
  });

  it('defaults the primordial to the first node and the default service to the only one', () => {
    expect(t.services[0]!.primordial).toEqual({ nodeId: 'scm1', given: 'scm1' });
    expect(t.services[0]!.nodes.map((n) => n.primordial)).toEqual([true, false, false]);
    expect(t.defaultServiceId).toBe('scmservice');
    expect(t.name).toBe('t');
  });

  it('names hosts by address when spec.hosts is absent', () => {
    expect(t.hosts.map((h) => [h.name, h.address])).toEqual([
      ['scm1', 'scm1'],
      ['scm2', 'scm2'],
      ['scm3', 'scm3'],
    ]);
    expect(t.hosts[1]!.roles).toEqual([{ kind: 'scm', serviceId: 'scmservice', nodeId: 'scm2' }]);
  });
});

describe('inheritance', () => {
  it('merges SSH settings field by field; a host list of bastions replaces the cluster one', () => {
    const t = valid(
      threeNodes(`  ssh:
    user: ozone
    identityFile: ~/.ssh/k
    bastions: [{ host: jump1 }]
    become: { enabled: true, passwordEnv: SUDO_PW }
  hosts:
    - { name: scm1, ssh: { port: 2222, become: { enabled: false } } }
    - { name: scm2, ssh: { user: other, bastions: [{ host: jump2, port: 2200 }] } }
    - { name: scm3, transport: local }
`),
    );
    const ssh = (i: number): unknown => (t.hosts[i]!.transport.kind === 'ssh' ? t.hosts[i]!.transport.ssh : undefined);
    expect(ssh(0)).toMatchObject({ user: 'ozone', port: 2222, identityFile: '~/.ssh/k', bastions: [{ host: 'jump1', port: 22, user: 'ozone' }], become: { enabled: false, method: 'sudo', passwordEnv: 'SUDO_PW' } });
    expect(ssh(1)).toMatchObject({ user: 'other', port: 22, bastions: [{ host: 'jump2', port: 2200, user: 'other' }], become: { enabled: true } });
    expect(t.hosts[2]!.transport).toEqual({ kind: 'local' });
  });

  it('moves db/ratis/snapshot with a level that sets metadata, keeps explicit ones', () => {
    const t = valid(
      threeNodes(
        `  directories: { metadata: /m, snapshot: /snap }
  hosts:
    - { name: scm1, directories: { metadata: /h1 } }
    - { name: scm2, directories: { ratis: /fast/ratis } }
    - { name: scm3 }
`,
        `  services:
    - serviceId: s
      nodes:
        - { nodeId: a, host: scm1 }
        - { nodeId: b, host: scm2 }
        - { nodeId: c, host: scm3, directories: { metadata: /n3, db: /n3db } }
`,
      ),
    );
    const [a, b, c] = t.services[0]!.nodes;
    expect(a!.directories).toMatchObject({ metadata: '/h1', db: '/h1', ratis: '/h1/scm.ratis', snapshot: '/h1/scm.ratis.snapshot' });
    expect(b!.directories).toMatchObject({ metadata: '/m', db: '/m', ratis: '/fast/ratis', snapshot: '/snap' });
    expect(c!.directories).toMatchObject({ metadata: '/n3', db: '/n3db', ratis: '/n3/scm.ratis', snapshot: '/n3/scm.ratis.snapshot' });
    expect(t.hosts[2]!.directories.metadata).toBe('/m');
  });

  it('minimalDirectories is the inverse of resolveDirectories', () => {
    const parent = resolveDirectories(BUILTIN_DIRECTORIES, { metadata: '/m', db: '/d' });
    const child = resolveDirectories(parent, { metadata: '/c', snapshot: '/s' });
    const declared = minimalDirectories(parent, child);
    expect(declared).toEqual({ metadata: '/c', snapshot: '/s' });
    expect(resolveDirectories(parent, declared)).toEqual(child);
    expect(minimalDirectories(parent, parent)).toEqual({});
  });

  it('takes ports from the node, then spec.ports, then Ozone, and remembers which the node set', () => {
    const t = valid(threeNodes('  ports: { ratis: 9900, http: 9999 }\n', '  services:\n    - serviceId: s\n      nodes: [{ nodeId: a, host: h, ports: { ratis: 9901, client: 9860 } }]\n'));
    const n = t.services[0]!.nodes[0]!;
    expect(n.ports).toMatchObject({ ratis: 9901, http: 9999, client: 9860, block: 9863 });
    expect(n.explicitPorts).toEqual(['client', 'ratis']);
    expect(t.defaults.ports).toMatchObject({ ratis: 9900, http: 9999, client: 9860 });
  });

  it('binds per the host listen mode', () => {
    const t = valid(threeNodes('  listen: address\n  hosts:\n    - { name: scm1, address: 10.0.0.1 }\n    - { name: scm2, address: 10.0.0.2, listen: any }\n    - { name: scm3, address: 10.0.0.3, listen: 192.168.7.3 }\n'));
    expect(t.services[0]!.nodes.map((n) => n.bindHost)).toEqual(['10.0.0.1', '0.0.0.0', '192.168.7.3']);
  });
});

describe('hosts and roles', () => {
  it('orders hosts as declared, roles scm first then om, datanode, client', () => {
    const t = valid(
      threeNodes(`  hosts:
    - { name: edge, roles: [client] }
    - { name: scm2, roles: [client, om] }
    - { name: scm1 }
    - { name: scm3, roles: [datanode] }
`),
    );
    expect(t.hosts.map((h) => h.name)).toEqual(['edge', 'scm2', 'scm1', 'scm3']);
    expect(t.hosts[1]!.roles.map((r) => r.kind)).toEqual(['scm', 'om', 'client']);
    expect(scmNodesOnHost(t, 'scm3').map((n) => n.nodeId)).toEqual(['scm3']);
    expect(scmNodesOnHost(t, 'edge')).toEqual([]);
  });

  it('produces plain, JSON-serialisable data', () => {
    const t = valid(threeNodes());
    expect(JSON.parse(JSON.stringify(t))).toEqual(t);
  });
});
