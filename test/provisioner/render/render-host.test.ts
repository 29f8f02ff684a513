import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isCodedError } from '../../../src/common/coded-error.js';
import { exportXml as exportXmlOf } from '../../../src/provisioner/render/export-xml.js';
import { readManagedHeader } from '../../../src/provisioner/render/managed-header.js';
import { renderAll, renderHost, type RenderedFile } from '../../../src/provisioner/render/render-host.js';
import { threeNodes, valid } from '../topology/helpers.js';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const example = (f: string): string => readFileSync(`examples/${f}`, 'utf8');

/** name → value of a rendered ozone-site.xml (the renderer writes one property per fixed 4-line block). */
function props(file: RenderedFile): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of file.content.matchAll(/<name>([^<]*)<\/name>\n\s*<value>([^<]*)<\/value>/g)) out.set(m[1]!, m[2]!);
  return out;
}

function site(files: readonly RenderedFile[], nodeId?: string): RenderedFile {
  return files.find((f) => f.kind === 'ozone-site' && f.scm?.nodeId === nodeId)!;
}

describe('three-node.yaml (golden files; REWRITE=1 regenerates them)', () => {
  const t = valid(example('three-node.yaml'), 'three-node.yaml');
  const all = renderAll(t);

  it.each(['scm1', 'scm2', 'scm3'])('%s matches its golden files', (host) => {
    const files = all.get(host)!;
    expect(files.map((f) => [f.path, f.kind, f.mode.toString(8)])).toEqual([
      [`/tmp/scmctl-e2e/${host}/conf/ozone-site.xml`, 'ozone-site', '644'],
      [`/tmp/scmctl-e2e/${host}/conf/scm.env`, 'scm-env', '644'],
      [`/tmp/scmctl-e2e/${host}/conf/ozone-scm.service`, 'systemd-unit', '644'],
    ]);
    for (const f of files) {
      const golden = join(GOLDEN, 'three-node', host, basename(f.path));
      if (process.env['REWRITE'] === '1') {
        mkdirSync(dirname(golden), { recursive: true });
        writeFileSync(golden, f.content);
      }
      expect(existsSync(golden), `${golden} is missing: run REWRITE=1 npx vitest run ${basename(fileURLToPath(import.meta.url))}`).toBe(true);
      expect(f.content).toBe(readFileSync(golden, 'utf8'));
    }
  });

  it('writes exactly the SCM HA keys of docs/ozone-scm-ha.md §1 for scm2', () => {
    const p = props(site(all.get('scm2')!, 'scm2'));
    const scmKeys = [...p.keys()].filter((k) => k.startsWith('ozone.scm.') || k === 'ozone.metadata.dirs');
    expect(scmKeys.sort()).toEqual(
      [
        'ozone.metadata.dirs',
        'ozone.scm.service.ids',
        'ozone.scm.default.service.id',
        'ozone.scm.nodes.scmservice',
        'ozone.scm.address.scmservice.scm1',
        'ozone.scm.address.scmservice.scm2',
        'ozone.scm.address.scmservice.scm3',
        'ozone.scm.node.id',
        'ozone.scm.primordial.node.id',
        'ozone.scm.ratis.enable',
        'ozone.scm.db.dirs',
        'ozone.scm.ha.ratis.storage.dir',
        'ozone.scm.ha.ratis.snapshot.dir',
        // listen: address → this node binds its own address only
        ...['client.bind.host', 'block.client.bind.host', 'datanode.bind.host', 'security.service.bind.host', 'http-bind-host', 'https-bind-host'].map((k) => `ozone.scm.${k}.scmservice.scm2`),
      ].sort(),
    );
    expect(p.get('ozone.scm.nodes.scmservice')).toBe('scm1,scm2,scm3');
    expect(p.get('ozone.scm.address.scmservice.scm3')).toBe('127.0.1.3');
    expect(p.get('ozone.scm.node.id')).toBe('scm2');
    expect(p.get('ozone.scm.primordial.node.id')).toBe('scm1');
    expect(p.get('ozone.scm.ratis.enable')).toBe('true');
    expect(p.get('ozone.scm.ha.ratis.storage.dir')).toBe('/tmp/scmctl-e2e/scm2/metadata/scm.ratis');
    expect(p.get('ozone.scm.client.bind.host.scmservice.scm2')).toBe('127.0.1.2');
  });

  it('sorts properties by name and is byte-for-byte deterministic', () => {
    const names = [...props(site(all.get('scm1')!, 'scm1')).keys()];
    expect(names).toEqual([...names].sort());
    expect(renderAll(valid(example('three-node.yaml'), 'again.yaml'))).toEqual(all);
  });

  it('carries a managed-by header with the sha256 of the rest of the file', () => {
    for (const f of all.get('scm1')!) {
      const header = readManagedHeader(f.content, f.kind === 'ozone-site' ? 'xml' : 'hash');
      expect(header).toEqual({ managed: true, intact: true, sha256: f.sha256 });
      const edited = f.content.replace('scm1', 'scmX');
      expect(readManagedHeader(edited, f.kind === 'ozone-site' ? 'xml' : 'hash').intact).toBe(false);
    }
    expect(readManagedHeader('<configuration/>', 'xml')).toEqual({ managed: false, intact: false });
  });

  it('writes the env file and unit of docs/design.md §4.2', () => {
    const [, env, unit] = all.get('scm1')!;
    expect(env!.content.split('\n').slice(1)).toEqual([
      'OZONE_HOME=/tmp/scmctl-e2e/scm1/install/current',
      'OZONE_CONF_DIR=/tmp/scmctl-e2e/scm1/conf',
      'OZONE_LOG_DIR=/tmp/scmctl-e2e/scm1/logs',
      'OZONE_PID_DIR=/tmp/scmctl-e2e/scm1/logs',
      '',
    ]);
    expect(unit!.content).toContain('EnvironmentFile=/tmp/scmctl-e2e/scm1/conf/scm.env\nExecStart=/tmp/scmctl-e2e/scm1/install/current/bin/ozone scm\n');
    expect(unit!.content).not.toContain('User=');
  });
});

describe('other hosts and settings', () => {
  const multi = valid(example('multi-service.yaml'), 'multi-service.yaml');

  it('gives OM/datanode/client hosts the client keys only', () => {
    const [file, ...rest] = renderHost(multi, 'om1');
    expect(rest).toEqual([]);
    expect(file!.path).toBe('/etc/ozone/ozone-site.xml');
    expect(file!.scm).toBeUndefined();
    const p = props(file!);
    expect(p.has('ozone.scm.node.id')).toBe(false);
    expect(p.has('ozone.scm.primordial.node.id')).toBe(false);
    expect(p.has('ozone.scm.db.dirs')).toBe(false);
    expect(p.get('ozone.scm.default.service.id')).toBe('scm-east');
    expect(p.get('ozone.scm.service.ids')).toBe('scm-east,scm-west');
    expect(p.get('ozone.scm.nodes.scm-west')).toBe('west1,west2,west3');
    expect(p.get('ozone.scm.http-address.scm-west.west3')).toBe('0.0.0.0:9976');
    expect(p.get('ozone.metadata.dirs')).toBe('/data/ozone/metadata');
    expect(p.get('ozone.scm.container.size')).toBe('5GB');
  });

  it('gives client hosts with different metadata directories different files', () => {
    const t = valid(threeNodes('  hosts:\n    - { name: scm1 }\n    - { name: scm2 }\n    - { name: scm3 }\n    - { name: c1, roles: [client] }\n    - { name: c2, roles: [client], directories: { metadata: /other } }\n    - { name: c3, roles: [datanode] }\n'));
    const [c1, c2, c3] = ['c1', 'c2', 'c3'].map((h) => props(renderHost(t, h)[0]!).get('ozone.metadata.dirs'));
    expect([c1, c2, c3]).toEqual(['/var/lib/ozone/metadata', '/other', '/var/lib/ozone/metadata']);
  });

  it('makes each SCM default to its own service and name its own primordial', () => {
    const p = props(site(renderHost(multi, 'scm-w1'), 'west1'));
    expect(p.get('ozone.scm.default.service.id')).toBe('scm-west');
    expect(p.get('ozone.scm.primordial.node.id')).toBe('scm-w1.west.example.com');
    expect(props(site(renderHost(multi, 'scm-e3'), 'east3')).get('ozone.scm.ha.ratis.storage.dir')).toBe('/nvme/ozone/scm.ratis');
  });

  it('renders the security keys of docs/ozone-scm-ha.md §7 when security is on', () => {
    const secure = valid(example('secure-three-node.yaml'), 'secure.yaml');
    const p = props(site(renderHost(secure, 'scm1'), 'scm1'));
    expect(p.get('ozone.security.enabled')).toBe('true');
    expect(p.get('hdds.grpc.tls.enabled')).toBe('true');
    expect(p.get('hdds.metadata.dir')).toBe('/tmp/scmctl-e2e-secure/scm1/metadata');
    const k = valid(threeNodes('  security: { enabled: true, tls: true, kerberos: { principal: scm/_HOST@R, keytab: /k/scm.keytab } }\n'));
    const kp = props(site(renderHost(k, 'scm1'), 'scm1'));
    expect([kp.get('hadoop.security.authentication'), kp.get('hdds.scm.kerberos.principal'), kp.get('hdds.scm.kerberos.keytab.file')]).toEqual(['kerberos', 'scm/_HOST@R', '/k/scm.keytab']);
    expect(props(site(renderHost(multi, 'scm-e1'), 'east1')).has('ozone.security.enabled')).toBe(false);
  });

  it('renders ozone.scm.ratis.enable=false for a standalone SCM', () => {
    const t = valid(example('standalone.yaml'), 'standalone.yaml');
    expect(props(site(renderHost(t, 'scm1'), 'scm1')).get('ozone.scm.ratis.enable')).toBe('false');
  });

  it('writes per-node ports as <portKey>.<sid>.<nid> and spec.ports unsuffixed', () => {
    const t = valid(threeNodes('  ports: { grpc: 9995, https: 9977 }\n', '  services:\n    - serviceId: s\n      nodes: [{ nodeId: a, host: h, ports: { ratis: 9900, http: 9000 } }]\n'));
    const p = props(site(renderHost(t, 'h'), 'a'));
    expect(p.get('ozone.scm.ratis.port.s.a')).toBe('9900');
    expect(p.get('ozone.scm.http-address.s.a')).toBe('0.0.0.0:9000');
    expect(p.get('ozone.scm.grpc.port')).toBe('9995');
    expect(p.get('ozone.scm.https-address')).toBe('0.0.0.0:9977');
    expect(p.has('ozone.scm.client.port')).toBe(false);
  });

  it('escapes XML special characters in values', () => {
    const t = valid(threeNodes('  properties:\n    x.y: "a<b & c>d \\"q\\""\n'));
    const f = site(renderHost(t, 'scm1'), 'scm1');
    expect(f.content).toContain('<value>a&lt;b &amp; c&gt;d "q"</value>');
    expect(valid(f.content, 'back.xml').properties).toEqual([{ name: 'x.y', value: 'a<b & c>d "q"' }]);
  });

  it('follows runtime settings in scm.env and the unit', () => {
    const t = valid(threeNodes('  runtime: { node: bundled, user: ozone, group: hadoop }\n'));
    const [, env, unit] = renderHost(t, 'scm1');
    expect(env!.content).toContain('OZONE_NODE=/opt/scmctl/current/node/bin/node\n');
    expect(unit!.content).toContain('User=ozone\nGroup=hadoop\n');
    expect(renderHost(valid(threeNodes('  runtime: { node: system }\n')), 'scm1')[1]!.content).toContain('OZONE_NODE=node\n');
  });

  it('an Apache Ozone release: JAVA_HOME, heap and JVM options in scm.env, no OZONE_NODE; ozone.scm.ratis.enable only for 1.x', () => {
    const rt = (version: string, java: string) => `  runtime:\n    kind: apache-ozone\n    ozone: { tarball: ozone-${version}.tar.gz }\n    java: ${java}\n    heap: 4g\n    jvmOptions: -XX:+UseG1GC -Xlog:gc\n  hosts: [{ name: scm1, address: 10.0.0.1 }, { name: scm2, address: 10.0.0.2 }, { name: scm3, address: 10.0.0.3 }]\n`;
    const two = renderHost(valid(threeNodes(rt('2.2.0', '{ home: /usr/lib/jvm/java-17-openjdk-amd64 }'))), 'scm1');
    expect(two[1]!.content).toContain('JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64\nOZONE_HEAPSIZE_MAX=4g\nOZONE_SCM_OPTS="-XX:+UseG1GC -Xlog:gc"\n');
    expect(two[1]!.content).not.toContain('OZONE_NODE');
    expect(props(two[0]!).has('ozone.scm.ratis.enable')).toBe(false);
    const one = renderHost(valid(threeNodes(rt('1.4.1', '{ tarball: jdk-17.tar.gz }'))), 'scm1');
    expect(one[1]!.content).toContain('JAVA_HOME=/opt/scmctl/current/java\n');
    expect(props(one[0]!).get('ozone.scm.ratis.enable')).toBe('true');
    expect(props(site(renderHost(valid(threeNodes()), 'scm1'), 'scm1')).get('ozone.scm.ratis.enable')).toBe('true');
  });

  it('adds a client file only when a host with other roles has its own config directory', () => {
    const same = valid(threeNodes('  hosts:\n    - { name: scm1, roles: [om] }\n    - { name: scm2 }\n    - { name: scm3 }\n'));
    expect(renderHost(same, 'scm1').map((f) => f.kind)).toEqual(['ozone-site', 'scm-env', 'systemd-unit']);
    const apart = valid(
      threeNodes('  hosts:\n    - { name: scm1, roles: [om] }\n    - { name: scm2 }\n    - { name: scm3 }\n', '  services:\n    - serviceId: s\n      nodes: [{ nodeId: a, host: scm1, directories: { config: /etc/ozone-scm } }, { nodeId: b, host: scm2 }, { nodeId: c, host: scm3 }]\n'),
    );
    expect(renderHost(apart, 'scm1').map((f) => f.path)).toEqual(['/etc/ozone-scm/ozone-site.xml', '/etc/ozone-scm/scm.env', '/etc/ozone-scm/ozone-scm.service', '/etc/ozone/ozone-site.xml']);
  });

  it('renders nothing for a host without roles, and throws a coded error for an unknown host', () => {
    const t = valid(threeNodes('  hosts:\n    - { name: scm1 }\n    - { name: scm2 }\n    - { name: scm3 }\n    - { name: idle }\n'));
    expect(renderHost(t, 'idle')).toEqual([]);
    let caught: unknown;
    try {
      renderHost(t, 'nope');
    } catch (err) {
      caught = err;
    }
    expect(isCodedError(caught, 'TOPOLOGY_HOST_NOT_FOUND')).toBe(true);
  });

  it('brackets IPv6 addresses in host[:port] values', () => {
    const t = valid(threeNodes('  listen: address\n  hosts: [{ name: v6, address: "fd00::1" }]\n', '  services:\n    - serviceId: s\n      nodes: [{ nodeId: a, host: v6, ports: { http: 9000 } }]\n'));
    const p = props(site(renderHost(t, 'v6'), 'a'));
    expect(p.get('ozone.scm.address.s.a')).toBe('[fd00::1]');
    expect(p.get('ozone.scm.http-address.s.a')).toBe('[fd00::1]:9000');
    expect(p.get('ozone.scm.client.bind.host.s.a')).toBe('fd00::1');
    expect(valid(exportXmlOf(t), 'v6.xml')).toEqual(t);
  });
});
