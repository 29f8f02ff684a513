import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTopology } from '../../../../src/provisioner/topology/load.js';
import { hasRatisEnableKey, layoutVersionOf, versionFromTarballName } from '../../../../src/provisioner/topology/ozone-release.js';
import { parseChecksumFile } from '../../../../src/provisioner/topology/release-files.js';
import { codes, load, only, threeNodes, valid } from '../helpers.js';

const RUNTIME = '  runtime:\n    kind: apache-ozone\n    ozone: { tarball: ozone-2.2.0.tar.gz }\n    java: { home: /usr/lib/jvm/java-17-openjdk-amd64 }\n';
const HOSTS = '  hosts:\n    - { name: scm1, address: 10.0.0.1 }\n    - { name: scm2, address: 10.0.0.2 }\n    - { name: scm3, address: 10.0.0.3 }\n';

describe('runtime.kind apache-ozone rules', () => {
  it('accepts a release tarball with an existing JAVA_HOME on separate machines; the version comes from the file name', () => {
    const t = valid(threeNodes(RUNTIME + HOSTS));
    expect(t.runtime).toMatchObject({ kind: 'apache-ozone', ozone: { tarball: 'ozone-2.2.0.tar.gz', version: '2.2.0' }, java: { home: '/usr/lib/jvm/java-17-openjdk-amd64' } });
    expect(valid(threeNodes()).runtime.kind).toBe('embedded');
  });

  it('needs the release, one Java source and a known version', () => {
    expect(codes(load(threeNodes('  runtime: { kind: apache-ozone }\n' + HOSTS))).sort()).toEqual(['TOPOLOGY_JAVA_REQUIRED', 'TOPOLOGY_OZONE_RELEASE_REQUIRED']);
    const both = load(threeNodes('  runtime:\n    kind: apache-ozone\n    ozone: { tarball: ozone-2.2.0.tar.gz }\n    java: { home: /opt/jdk, tarball: jdk.tar.gz }\n' + HOSTS));
    expect(only(both, 'TOPOLOGY_JAVA_AMBIGUOUS').pointer).toBe('/spec/runtime/java');
    const unnamed = load(threeNodes('  runtime:\n    kind: apache-ozone\n    ozone: { tarball: release.tgz }\n    java: { home: /opt/jdk }\n' + HOSTS));
    expect(only(unnamed, 'TOPOLOGY_OZONE_VERSION_UNKNOWN').hint).toMatch(/runtime\.ozone\.version/);
    expect(valid(threeNodes('  runtime:\n    kind: apache-ozone\n    ozone: { tarball: release.tgz, version: 1.4.1 }\n    java: { home: /opt/jdk }\n' + HOSTS)).runtime.ozone?.version).toBe('1.4.1');
  });

  it('refuses security without Kerberos (a real SCM cannot log in), and accepts it with Kerberos', () => {
    const r = load(threeNodes(RUNTIME + HOSTS + '  security: { enabled: true, tls: true }\n'));
    expect(only(r, 'TOPOLOGY_KERBEROS_REQUIRED')).toMatchObject({ severity: 'error', pointer: '/spec/security' });
    expect(r.topology).toBeUndefined();
    valid(threeNodes(RUNTIME + HOSTS + '  security:\n    enabled: true\n    tls: true\n    kerberos: { principal: scm/_HOST@EXAMPLE.COM, keytab: /etc/security/keytabs/scm.keytab }\n'));
    // the embedded SCM authenticates with its own join tokens: no Kerberos needed
    expect(codes(load(threeNodes('  security: { enabled: true, tls: true }\n')))).toEqual([]);
  });

  it('refuses ratis.enabled false on 2.x (the key was removed), allows it on 1.x', () => {
    const one = '  services:\n    - serviceId: s\n      nodes: [{ nodeId: scm1, host: scm1 }]\n';
    const r = load(threeNodes(RUNTIME + '  ratis: { enabled: false }\n  hosts: [{ name: scm1, address: 10.0.0.1 }]\n', one));
    expect(only(r, 'TOPOLOGY_RATIS_REQUIRED').pointer).toBe('/spec/ratis/enabled');
    valid(threeNodes(RUNTIME.replace('2.2.0', '1.4.1') + '  ratis: { enabled: false }\n  hosts: [{ name: scm1, address: 10.0.0.1 }]\n', one));
  });

  it('refuses three SCMs of one service on one machine with the same Ratis/gRPC ports (Ozone binds them on all interfaces)', () => {
    const loopback = '  listen: address\n  hosts:\n    - { name: scm1, address: 127.0.1.1 }\n    - { name: scm2, address: 127.0.1.2 }\n    - { name: scm3, address: 127.0.1.3 }\n';
    const r = load(threeNodes(RUNTIME + loopback));
    const shared = r.diagnostics.filter((d) => d.code === 'TOPOLOGY_OZONE_SHARED_MACHINE');
    expect(shared.length).toBe(4); // scm2 and scm3, ratis and grpc each
    expect(shared[0]!.hint).toMatch(/own ratis and grpc ports/);
    // the embedded SCM binds them to each node's address: fine
    expect(codes(load(threeNodes(loopback)))).toEqual([]);
    // own ports per node make it possible
    const ports = '  services:\n    - serviceId: s\n      nodes:\n        - { nodeId: scm1, host: scm1 }\n        - { nodeId: scm2, host: scm2, ports: { ratis: 9994, grpc: 9995 } }\n        - { nodeId: scm3, host: scm3, ports: { ratis: 10094, grpc: 10095 } }\n';
    expect(codes(load(threeNodes(RUNTIME + loopback, ports)))).toEqual([]);
  });

  it('warns about release settings under the embedded runtime', () => {
    expect(codes(load(threeNodes('  runtime: { java: { home: /opt/jdk }, heap: 2g }\n')))).toEqual(['TOPOLOGY_RUNTIME_IGNORED', 'TOPOLOGY_RUNTIME_IGNORED']);
  });
});

describe('release versions and checksum files', () => {
  it('reads versions from release names, not from source tarballs', () => {
    expect(versionFromTarballName('/x/ozone-2.2.0.tar.gz')).toBe('2.2.0');
    expect(versionFromTarballName('ozone-1.4.1-bin.tar.gz')).toBe('1.4.1');
    expect(versionFromTarballName('ozone-2.0.0-src.tar.gz')).toBeNull();
    expect(versionFromTarballName('hadoop-3.3.6.tar.gz')).toBeNull();
    expect(hasRatisEnableKey('1.4.1')).toBe(true);
    expect(hasRatisEnableKey('2.0.0')).toBe(false);
    expect(layoutVersionOf('2.2.0')).toBe(10);
    expect(layoutVersionOf('1.4.1')).toBe(7);
  });

  it('parses the checksum file formats Apache releases use', () => {
    const hex = 'ab'.repeat(64);
    expect(parseChecksumFile(`${hex}  ozone-2.2.0.tar.gz\n`, 'sha512')).toBe(hex);
    expect(parseChecksumFile(`SHA512(ozone-2.2.0.tar.gz)= ${hex}\n`, 'sha512')).toBe(hex);
    const gpg = `ozone-1.4.0.tar.gz: ${hex.toUpperCase().match(/.{8}/g)!.join(' ').replace(/(.{72})/g, '$1\n')}\n`;
    expect(parseChecksumFile(gpg, 'sha512')).toBe(hex);
    expect(parseChecksumFile('nonsense', 'sha512')).toBeNull();
  });
});

describe('release files, checked when a topology file is loaded', () => {
  const dir = mkdtempSync(join(tmpdir(), 'release-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'cluster.yaml');
  writeFileSync(file, threeNodes(RUNTIME + HOSTS));
  const tarball = join(dir, 'ozone-2.2.0.tar.gz');

  it('refuses a missing tarball, a tarball without a checksum, and one whose checksum does not match', async () => {
    expect(codes(await loadTopology(file))).toEqual(['TOPOLOGY_RELEASE_FILE_MISSING']);
    writeFileSync(tarball, 'release bytes');
    const missing = await loadTopology(file);
    expect(codes(missing)).toEqual(['TOPOLOGY_CHECKSUM_MISSING']);
    expect(missing.diagnostics[0]!.range.start.line).toBeGreaterThan(1); // at runtime.ozone.tarball in the file
    writeFileSync(`${tarball}.sha512`, `${createHash('sha512').update('other bytes').digest('hex')}  ozone-2.2.0.tar.gz\n`);
    const bad = await loadTopology(file);
    expect(only(bad, 'TOPOLOGY_CHECKSUM_MISMATCH').hint).toMatch(/copy it again/);
    expect(bad.topology).toBeUndefined();
    writeFileSync(`${tarball}.sha512`, `${createHash('sha512').update('release bytes').digest('hex')}  ozone-2.2.0.tar.gz\n`);
    const good = await loadTopology(file);
    expect(codes(good)).toEqual([]);
    expect(good.topology?.runtime.kind).toBe('apache-ozone');
  });
});

describe('examples/apache-ozone-*.yaml', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ozone-examples-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const tarball = join(dir, 'ozone-2.2.0.tar.gz');
  writeFileSync(tarball, 'a release');
  writeFileSync(`${tarball}.sha512`, `${createHash('sha512').update('a release').digest('hex')}  ozone-2.2.0.tar.gz\n`);

  it.each(['apache-ozone-three-node.yaml', 'apache-ozone-secure.yaml', 'apache-ozone-local.yaml'])('%s is valid with its release beside it', async (f) => {
    const r = await loadTopology(`examples/${f}`, { env: { OZONE_TARBALL: tarball } });
    expect(codes(r)).toEqual([]);
    expect(r.topology?.runtime).toMatchObject({ kind: 'apache-ozone', ozone: { version: '2.2.0' } });
  });

  it('the secure example without its kerberos block is refused', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync('examples/apache-ozone-secure.yaml', 'utf8').replace(/    kerberos:\n.*\n.*\n/, '');
    const copy = join(dir, 'secure.yaml');
    writeFileSync(copy, text);
    expect(codes(await loadTopology(copy, { env: { OZONE_TARBALL: tarball } }))).toEqual(['TOPOLOGY_KERBEROS_REQUIRED']);
  });
});
