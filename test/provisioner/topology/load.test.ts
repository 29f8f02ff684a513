import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../../src/provisioner/topology/load.js';
import { TOPOLOGY_MAX_BYTES } from '../../../src/provisioner/topology/topology-file.js';
import { INVALID_CASES, INVALID_DIR } from './fixtures/invalid-cases.js';
import { codes, errorsOf, load, only, threeNodes, valid } from './helpers.js';

describe('loadTopology: the acceptance cases', () => {
  it.each(INVALID_CASES)('$file fails with $code at $line:$column and a hint', async (c) => {
    const result = await loadTopology(join(INVALID_DIR, c.file));
    expect(result.topology).toBeUndefined();
    const d = result.diagnostics.find((x) => x.code === c.code);
    expect(d, JSON.stringify(result.diagnostics, null, 1)).toBeDefined();
    expect(d!.severity).toBe('error');
    expect(d!.range.filename).toBe(join(INVALID_DIR, c.file));
    expect([d!.range.start.line, d!.range.start.column]).toEqual([c.line, c.column]);
    expect(d!.hint).toContain(c.hint);
    // the range covers the offending token and byte offsets agree with the text
    const text = readFileSync(join(INVALID_DIR, c.file), 'utf8');
    expect(Buffer.from(text).subarray(d!.range.start.byte).toString().startsWith(text.split('\n')[c.line - 1]!.slice(c.column - 1, c.column + 2))).toBe(true);
  });

  it('reports an unreadable file as a diagnostic, not an exception', async () => {
    const r = await loadTopology(join(INVALID_DIR, 'no-such-file.yaml'));
    expect(codes(r)).toEqual(['TOPOLOGY_FILE_UNREADABLE']);
    expect(r.diagnostics[0]!.range.start).toEqual({ line: 1, column: 1, byte: 0 });
  });
});

describe('the size limit', () => {
  const withTemp = async (body: (dir: string) => Promise<void>): Promise<void> => {
    const dir = mkdtempSync(join(tmpdir(), 'scmctl-size-'));
    try {
      await body(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  // valid text padded with a comment (YAML) or an XML comment to exactly `bytes` bytes
  const padded = (text: string, bytes: number, comment: (pad: string) => string): string => text + comment('x'.repeat(bytes - Buffer.byteLength(text) - comment('').length));

  it('is 4 MiB', () => {
    expect(TOPOLOGY_MAX_BYTES).toBe(4 * 1024 * 1024);
  });

  it('refuses a YAML file over the limit with TOPOLOGY_FILE_TOO_LARGE naming the file, its size and the limit', async () => {
    await withTemp(async (dir) => {
      const file = join(dir, 'big.yaml');
      writeFileSync(file, padded(threeNodes(), TOPOLOGY_MAX_BYTES + 1, (x) => `# ${x}\n`));
      const r = await loadTopology(file, { displayName: 'big.yaml' });
      expect(r.topology).toBeUndefined();
      expect(codes(r)).toEqual(['TOPOLOGY_FILE_TOO_LARGE']);
      const d = r.diagnostics[0]!;
      expect(d.summary).toContain('big.yaml');
      expect(d.summary).toContain(String(TOPOLOGY_MAX_BYTES + 1));
      expect(d.summary).toContain(String(TOPOLOGY_MAX_BYTES));
      expect(d.hint).toBeDefined();
      expect(r.text).toBe('');
    });
  });

  it('loads a file of exactly the limit', async () => {
    await withTemp(async (dir) => {
      const file = join(dir, 'edge.yaml');
      writeFileSync(file, padded(threeNodes(), TOPOLOGY_MAX_BYTES, (x) => `# ${x}\n`));
      const r = await loadTopology(file);
      expect(codes(r)).toEqual([]);
      expect(r.topology).toBeDefined();
    });
  });

  it('refuses an ozone-site.xml over the limit the same way', async () => {
    await withTemp(async (dir) => {
      const file = join(dir, 'ozone-site.xml');
      const xml = '<?xml version="1.0"?>\n<configuration>\n</configuration>\n';
      writeFileSync(file, padded(xml, TOPOLOGY_MAX_BYTES + 4096, (x) => `<!-- ${x} -->\n`));
      expect(codes(await loadTopology(file))).toEqual(['TOPOLOGY_FILE_TOO_LARGE']);
    });
  });

  it('refuses text over the limit given to loadTopologyText too', () => {
    expect(codes(load(padded(threeNodes(), TOPOLOGY_MAX_BYTES + 1, (x) => `# ${x}\n`)))).toEqual(['TOPOLOGY_FILE_TOO_LARGE']);
    // multi-byte characters count as bytes: 1.5 M characters of 3 bytes each
    expect(codes(load(`${threeNodes()}# ${'€'.repeat(1_500_000)}\n`))).toEqual(['TOPOLOGY_FILE_TOO_LARGE']);
  });
});

describe('schema diagnostics', () => {
  it('checks apiVersion and kind', () => {
    const r = load(threeNodes().replace('scmctl.io/v1alpha1', 'scmctl.io/v2').replace('ScmCluster', 'OzoneCluster'));
    expect(codes(r).sort()).toEqual(['TOPOLOGY_API_VERSION', 'TOPOLOGY_KIND']);
    expect(only(r, 'TOPOLOGY_API_VERSION').hint).toBe('apiVersion: scmctl.io/v1alpha1');
  });

  it('reports a missing required key at the enclosing key', () => {
    const r = load(threeNodes('', '  services:\n    - serviceId: s\n'));
    const d = only(r, 'TOPOLOGY_MISSING_KEY');
    expect(d.summary).toContain('"nodes"');
    expect(d.pointer).toBe('/spec/services/0');
  });

  it('reports every schema problem at once (allErrors)', () => {
    const r = load(threeNodes('  transport: sssh\n  ratis: { enabled: yes please }\n  timeouts: { connect: 10 }\n'));
    expect(codes(r).sort()).toEqual(['TOPOLOGY_INVALID_VALUE', 'TOPOLOGY_TYPE', 'TOPOLOGY_TYPE']);
    expect(r.diagnostics.find((d) => d.pointer === '/spec/transport')!.hint).toBe('did you mean "ssh"?');
  });

  it('refuses passwords in the file with a pointer to passwordEnv', () => {
    const r = load(threeNodes('  ssh:\n    become:\n      password: hunter2\n'));
    expect(only(r, 'TOPOLOGY_UNKNOWN_KEY').hint).toContain('passwordEnv');
  });

  it('suggests the unquoted number for a quoted port', () => {
    const r = load(threeNodes('  ports:\n    ratis: "9894"\n'));
    expect(only(r, 'TOPOLOGY_TYPE').hint).toContain('ratis: 9894');
  });

  it('rejects ports out of range and bad ids', () => {
    const r = load(threeNodes('  ports: { client: 70000 }\n', '  services:\n    - serviceId: "svc.a"\n      nodes: [{ nodeId: n1, host: h1 }]\n'));
    expect(codes(r)).toEqual(['TOPOLOGY_INVALID_VALUE', 'TOPOLOGY_INVALID_VALUE']);
  });

  it('rejects control characters, which no ozone-site.xml can carry', () => {
    const r = load(threeNodes('  properties:\n    a.b: "x\\u0001y"\n'));
    expect(codes(r)).toEqual(['TOPOLOGY_INVALID_CHARACTER']);
  });
});

describe('YAML syntax', () => {
  it('reports duplicate keys with their own code', () => {
    const r = load(threeNodes('  transport: ssh\n  transport: local\n'));
    const d = only(r, 'TOPOLOGY_YAML_DUPLICATE_KEY');
    expect(d.range.start.line).toBe(13);
  });

  it('reports a duplicate at the second key, naming it, in flow and block mappings and in nested ones', () => {
    const r = load(threeNodes('  ports:\n    client: 1000\n    block: 1001\n    client: 1002\n'));
    const d = only(r, 'TOPOLOGY_YAML_DUPLICATE_KEY');
    expect([d.range.start.line, d.range.start.column]).toEqual([15, 5]);
    expect(d.range.end.column).toBe(11);
    expect(d.summary).toContain('"client"');
    const flow = only(load(threeNodes('  ports: { client: 1000, client: 1001 }\n')), 'TOPOLOGY_YAML_DUPLICATE_KEY');
    expect([flow.range.start.line, flow.range.start.column]).toEqual([12, 26]);
    // keys compare by value and type, as the yaml package does: 1 and "1" differ; merge keys may repeat
    expect(codes(load('a:\n  1: x\n  "1": y\n'))).not.toContain('TOPOLOGY_YAML_DUPLICATE_KEY');
    expect(codes(load('a: &a { x: 1 }\nb: &b { y: 1 }\nc:\n  <<: *a\n  <<: *b\n'))).not.toContain('TOPOLOGY_YAML_DUPLICATE_KEY');
    expect(codes(load('a:\n  - { k: 1, k: 2 }\n  - { k: 1 }\n'))).toContain('TOPOLOGY_YAML_DUPLICATE_KEY');
  });

  it('stays linear in the number of keys of one mapping: 20,000 keys load in well under 3 s, and a duplicate among them is found', () => {
    const props = Array.from({ length: 20_000 }, (_, i) => `    custom.key${i}: v${i}\n`).join('');
    const text = threeNodes(`  properties:\n${props}`);
    const started = performance.now();
    const t = valid(text);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(t.properties).toHaveLength(20_000);
    // the same key again at the very end: reported there
    const dup = threeNodes(`  properties:\n${props}    custom.key7: again\n`);
    const t0 = performance.now();
    const d = only(load(dup), 'TOPOLOGY_YAML_DUPLICATE_KEY');
    expect(performance.now() - t0).toBeLessThan(3000);
    expect([d.range.start.line, d.range.start.column]).toEqual([12 + 20_000 + 1, 5]);
  });

  it('refuses several documents in one file', () => {
    expect(codes(load(threeNodes() + '---\na: 1\n'))).toContain('TOPOLOGY_YAML_SYNTAX');
  });

  it('reports a document that is not a mapping through the schema', () => {
    expect(codes(load('- a\n- b\n'))).toEqual(['TOPOLOGY_TYPE']);
    expect(codes(load(''))).toEqual(['TOPOLOGY_TYPE']);
  });

  it('resolves anchors and << merge keys, and still locates problems in merged entries', () => {
    const text = threeNodes(`  hosts:
    - &base
      name: scm1
      roles: [client]
      directories: { metadata: /m1 }
    - <<: *base
      name: scm2
    - <<: *base
      name: scm3
`);
    const t = valid(text);
    expect(t.hosts.map((h) => [h.name, h.directories.metadata, h.roles.length])).toEqual([
      ['scm1', '/m1', 2],
      ['scm2', '/m1', 2],
      ['scm3', '/m1', 2],
    ]);
    const bad = load(text.replace('      name: scm3\n', '      name: scm3\n      adress: x\n'));
    expect(only(bad, 'TOPOLOGY_UNKNOWN_KEY').range.start.line).toBe(21);
  });

  it('reads files with a byte order mark and CRLF line ends', () => {
    const text = '\uFEFF' + threeNodes('  transport: sssh\n').replace(/\n/g, '\r\n');
    const d = only(load(text), 'TOPOLOGY_INVALID_VALUE');
    expect([d.range.start.line, d.range.start.column]).toEqual([12, 14]);
  });

  it('counts columns in characters and bytes in UTF-8', () => {
    const r = load(threeNodes('  properties:\n    ozone.scm.serviçe.id: x\n'));
    // the key is not a valid property name: reported at the key, after a 4-space indent
    const d = only(r, 'TOPOLOGY_INVALID_VALUE');
    expect(d.range.start.column).toBe(5);
    expect(d.range.end.column - d.range.start.column).toBe('ozone.scm.serviçe.id'.length);
    expect(d.range.end.byte - d.range.start.byte).toBe(Buffer.byteLength('ozone.scm.serviçe.id'));
  });
});

describe('${ENV} references', () => {
  const text = threeNodes('  ssh:\n    user: ${SSH_USER}\n    identityFile: ${KEY:-~/.ssh/id_ed25519}\n    knownHostsFile: /x/$${literal}\n');

  it('expands set variables and defaults', () => {
    const t = valid(text, 'x.yaml', { env: { SSH_USER: 'ozone' } });
    expect(t.defaults.ssh.user).toBe('ozone');
    expect(t.defaults.ssh.identityFile).toBe('~/.ssh/id_ed25519');
    expect(t.defaults.ssh.knownHostsFile).toBe('/x/${literal}');
  });

  it('reports an unset variable at the value that references it', () => {
    const r = load(text, 'x.yaml', { env: {} });
    const d = only(r, 'TOPOLOGY_ENV_UNSET');
    expect(d.summary).toContain('SSH_USER');
    expect([d.range.start.line, d.range.start.column]).toEqual([13, 11]);
    expect(d.pointer).toBe('/spec/ssh/user');
  });

  it('reports malformed references', () => {
    expect(codes(load(threeNodes('  ssh:\n    user: ${not valid}\n')))).toContain('TOPOLOGY_ENV_SYNTAX');
    expect(codes(load(threeNodes('  ssh:\n    user: ${OPEN\n')))).toContain('TOPOLOGY_ENV_SYNTAX');
  });
});

describe('semantic rules', () => {
  const twoServices = (extra: string): string =>
    threeNodes(
      extra,
      `  services:
    - serviceId: a
      nodes: [{ nodeId: a1, host: h1 }, { nodeId: a2, host: h2 }, { nodeId: a3, host: h3 }]
    - serviceId: b
      nodes: [{ nodeId: b1, host: h4 }, { nodeId: b2, host: h5 }, { nodeId: b3, host: h6 }]
`,
    );

  it('requires defaultServiceId with several services, and that it exists', () => {
    expect(codes(load(twoServices('')))).toEqual(['TOPOLOGY_DEFAULT_SERVICE_REQUIRED']);
    const r = load(twoServices('  defaultServiceId: c\n'));
    expect(codes(r)).toEqual(['TOPOLOGY_DEFAULT_SERVICE_UNKNOWN']);
    expect(valid(twoServices('  defaultServiceId: b\n')).defaultServiceId).toBe('b');
  });

  it('rejects duplicate service ids and duplicate host names', () => {
    const r = load(threeNodes('', '  services:\n    - { serviceId: s, nodes: [{ nodeId: n, host: h }] }\n    - { serviceId: s, nodes: [{ nodeId: m, host: g }] }\n'));
    expect(codes(r)).toContain('TOPOLOGY_DUPLICATE_SERVICE_ID');
    const h = load(threeNodes('  hosts:\n    - { name: scm1 }\n    - { name: scm2 }\n    - { name: scm3 }\n    - { name: scm1 }\n'));
    expect(codes(h)).toEqual(['TOPOLOGY_DUPLICATE_HOST_NAME']);
  });

  it('rejects two nodes of one service on one host address', () => {
    const r = load(threeNodes('  hosts:\n    - { name: scm1, address: 10.0.0.1 }\n    - { name: scm2, address: 10.0.0.1 }\n    - { name: scm3 }\n'));
    expect(codes(r)).toContain('TOPOLOGY_DUPLICATE_HOST');
  });

  it('validates addresses as IPv4, IPv6 or DNS names, at the field, with a hint', () => {
    const hosts = (a: string, b: string): string => threeNodes(`  hosts:\n    - { name: scm1, address: "${a}" }\n    - { name: scm2, address: "${b}" }\n    - { name: scm3 }\n`);
    const r = load(hosts('300.1.1.1', ':::::'));
    expect(codes(r)).toEqual(['TOPOLOGY_INVALID_ADDRESS', 'TOPOLOGY_INVALID_ADDRESS']);
    expect(r.diagnostics.map((d) => [d.pointer, d.range.start.line, d.range.start.column])).toEqual([
      ['/spec/hosts/0/address', 13, 30],
      ['/spec/hosts/1/address', 14, 30],
    ]);
    expect(r.diagnostics[0]!.summary).toContain('IPv4');
    expect(r.diagnostics[0]!.hint).toContain('0 to 255');
    expect(r.diagnostics[1]!.summary).toContain('IPv6');
    expect(codes(load(hosts('scm1..example.com', 'scm2-.example.com')))).toEqual(['TOPOLOGY_INVALID_ADDRESS', 'TOPOLOGY_INVALID_ADDRESS']);
    expect(valid(hosts('10.0.0.1', 'fd00::2')).hosts.map((h) => h.address)).toEqual(['10.0.0.1', 'fd00::2', 'scm3']);
    expect(valid(hosts('scm1.example.com', 'SCM-2.example.com')).hosts[1]!.address).toBe('SCM-2.example.com');
  });

  it('validates the other places an address is taken from: host names without address, node hosts without spec.hosts, bastions, listen IPs', () => {
    const noAddress = load(threeNodes('  hosts:\n    - { name: 300.1.1.1 }\n    - { name: scm2 }\n    - { name: scm3 }\n', '  services:\n    - serviceId: s\n      nodes: [{ nodeId: a, host: 300.1.1.1 }, { nodeId: b, host: scm2 }, { nodeId: c, host: scm3 }]\n'));
    expect(only(noAddress, 'TOPOLOGY_INVALID_ADDRESS').pointer).toBe('/spec/hosts/0/name');
    const implied = load(threeNodes('', '  services:\n    - serviceId: s\n      nodes: [{ nodeId: a, host: 10.0.0.256 }, { nodeId: b, host: scm_2 }, { nodeId: c, host: scm3 }]\n'));
    expect(implied.diagnostics.map((d) => [d.code, d.pointer])).toEqual([
      ['TOPOLOGY_INVALID_ADDRESS', '/spec/services/0/nodes/0/host'],
      ['TOPOLOGY_INVALID_ADDRESS', '/spec/services/0/nodes/1/host'],
    ]);
    const bastion = load(threeNodes('  ssh:\n    bastions: [{ host: 1.2.3.999 }]\n  hosts:\n    - { name: scm1, ssh: { bastions: [{ host: "jump..example.com" }] } }\n    - { name: scm2 }\n    - { name: scm3 }\n'));
    expect(bastion.diagnostics.map((d) => d.pointer)).toEqual(['/spec/ssh/bastions/0/host', '/spec/hosts/0/ssh/bastions/0/host']);
    expect(codes(bastion)).toEqual(['TOPOLOGY_INVALID_ADDRESS', 'TOPOLOGY_INVALID_ADDRESS']);
    const listen = load(threeNodes('  listen: 256.0.0.1\n  hosts:\n    - { name: scm1, listen: "1::2::3" }\n    - { name: scm2, listen: "::1" }\n    - { name: scm3, listen: 127.0.0.1 }\n'));
    expect(listen.diagnostics.map((d) => [d.code, d.pointer])).toEqual([
      ['TOPOLOGY_INVALID_ADDRESS', '/spec/listen'],
      ['TOPOLOGY_INVALID_ADDRESS', '/spec/hosts/0/listen'],
    ]);
  });

  it('requires declared hosts once spec.hosts exists, with a did-you-mean', () => {
    const r = load(threeNodes('  hosts:\n    - { name: alpha }\n    - { name: beta }\n    - { name: gamma }\n', '  services:\n    - serviceId: s\n      nodes: [{ nodeId: a, host: alpha }, { nodeId: b, host: beta }, { nodeId: c, host: gama }]\n'));
    const d = only(r, 'TOPOLOGY_UNKNOWN_HOST');
    expect(d.pointer).toBe('/spec/services/0/nodes/2/host');
    expect(d.hint).toBe('did you mean "gamma"?');
  });

  it('accepts the primordial by node id or address, not by host label', () => {
    const base = (p: string): string =>
      threeNodes(`  hosts:\n    - { name: scm1, address: 10.0.0.1 }\n    - { name: scm2 }\n    - { name: scm3 }\n`, `  services:\n    - serviceId: s\n      primordial: ${p}\n      nodes: [{ nodeId: n1, host: scm1 }, { nodeId: n2, host: scm2 }, { nodeId: n3, host: scm3 }]\n`);
    expect(valid(base('n2')).services[0]!.primordial).toEqual({ nodeId: 'n2', given: 'n2' });
    expect(valid(base('10.0.0.1')).services[0]!.primordial).toEqual({ nodeId: 'n1', given: '10.0.0.1' });
    expect(only(load(base('scm1')), 'TOPOLOGY_PRIMORDIAL_NOT_A_NODE').hint).toContain('"n1"');
  });

  it('warns about an even number of voters', () => {
    const r = load(threeNodes('', '  services:\n    - serviceId: s\n      nodes: [{ nodeId: a, host: a }, { nodeId: b, host: b }, { nodeId: c, host: c }, { nodeId: d, host: d }]\n'));
    expect(r.topology).toBeDefined();
    expect(only(r, 'TOPOLOGY_EVEN_VOTERS').severity).toBe('warning');
    expect(codes(load(threeNodes()))).toEqual([]);
  });

  it('refuses several nodes per service without Ratis', () => {
    expect(codes(load(threeNodes('  ratis: { enabled: false }\n')))).toEqual(['TOPOLOGY_RATIS_DISABLED_MULTI_NODE']);
  });

  it('warns on security without TLS and TLS without security', () => {
    const a = load(threeNodes('  security: { enabled: true }\n'));
    expect(a.topology).toBeDefined();
    expect(codes(a)).toEqual(['TOPOLOGY_SECURE_WITHOUT_TLS']);
    expect(codes(load(threeNodes('  security: { tls: true }\n')))).toEqual(['TOPOLOGY_TLS_WITHOUT_SECURITY']);
    expect(codes(load(threeNodes('  security: { enabled: true, tls: true }\n')))).toEqual([]);
  });

  it('finds port collisions between services on one host and inside one node', () => {
    const same = load(threeNodes('', '  defaultServiceId: a\n  services:\n    - { serviceId: a, nodes: [{ nodeId: a1, host: h1 }] }\n    - { serviceId: b, nodes: [{ nodeId: b1, host: h1 }] }\n'));
    const d = only(same, 'TOPOLOGY_PORT_COLLISION');
    expect(d.summary).toContain('9860, 9863, 9861, 9961, 9894, 9895, 9876, 9877');
    expect(d.pointer).toBe('/spec/services/1/nodes/0/host');
    const self = load(threeNodes('', '  services:\n    - { serviceId: a, nodes: [{ nodeId: a1, host: h1, ports: { ratis: 9860 } }] }\n'));
    expect(only(self, 'TOPOLOGY_PORT_COLLISION').pointer).toBe('/spec/services/0/nodes/0/ports/ratis');
  });

  it('treats all local hosts as one machine unless each binds its own address', () => {
    const local = (listen: string): string =>
      threeNodes(`  transport: local\n  listen: ${listen}\n  hosts:\n${[1, 2, 3].map((i) => `    - { name: scm${i}, address: 127.0.0.${i}, directories: { config: /t/${i}/c, metadata: /t/${i}/m, logs: /t/${i}/l } }\n`).join('')}`);
    expect(codes(load(local('any')))).toEqual(['TOPOLOGY_PORT_COLLISION', 'TOPOLOGY_PORT_COLLISION']);
    expect(codes(load(local('address')))).toEqual([]);
  });

  it('counts the default ports of an OM on the same host', () => {
    const r = load(threeNodes('  hosts:\n    - { name: scm1, roles: [om] }\n    - { name: scm2 }\n    - { name: scm3 }\n', '  services:\n    - serviceId: s\n      nodes: [{ nodeId: a, host: scm1, ports: { client: 9862 } }, { nodeId: b, host: scm2 }, { nodeId: c, host: scm3 }]\n'));
    expect(only(r, 'TOPOLOGY_PORT_COLLISION').summary).toContain('OM RPC');
  });

  it('checks directories: absolute, safe characters, distinct within an SCM and across one machine', () => {
    expect(codes(load(threeNodes('  directories: { metadata: data/meta }\n')))).toEqual(['TOPOLOGY_DIRECTORY_NOT_ABSOLUTE']);
    expect(codes(load(threeNodes('  directories: { logs: "/var/log/my ozone" }\n')))).toEqual(['TOPOLOGY_INVALID_VALUE']);
    expect(codes(load(threeNodes('  directories: { metadata: /a/../b }\n')))).toEqual(['TOPOLOGY_INVALID_VALUE']);
    const same = load(threeNodes('  directories: { ratis: /data/meta, metadata: /data/meta }\n'));
    expect(new Set(codes(same))).toEqual(new Set(['TOPOLOGY_DIRECTORY_CONFLICT']));
    const shared = load(
      threeNodes('  transport: local\n  listen: address\n  hosts:\n    - { name: scm1, address: 127.0.0.1 }\n    - { name: scm2, address: 127.0.0.2, directories: { config: /b/c, metadata: /b/m, logs: /b/l } }\n    - { name: scm3, address: 127.0.0.3, directories: { config: /c/c, metadata: /b/m, logs: /c/l } }\n'),
    );
    // metadata (= db), ratis and snapshot all derive from the shared metadata directory
    expect(codes(shared)).toEqual(['TOPOLOGY_DIRECTORY_CONFLICT', 'TOPOLOGY_DIRECTORY_CONFLICT', 'TOPOLOGY_DIRECTORY_CONFLICT']);
    expect(new Set(shared.diagnostics.map((d) => d.pointer))).toEqual(new Set(['/spec/hosts/2/directories/metadata']));
  });

  it('compares directories normalised: a//b and a/b/ are a/b', () => {
    const within = load(threeNodes('  directories: { metadata: /data/meta, snapshot: /data//meta/ }\n'));
    // snapshot = metadata = db, in each of the three SCMs
    expect(codes(within)).toEqual(Array(6).fill('TOPOLOGY_DIRECTORY_CONFLICT'));
    expect(new Set(within.diagnostics.map((d) => d.pointer))).toEqual(new Set(['/spec/directories/snapshot']));
    const across = load(
      threeNodes('  transport: local\n  listen: address\n  hosts:\n    - { name: scm1, address: 127.0.0.1 }\n    - { name: scm2, address: 127.0.0.2, directories: { config: /b/c, metadata: /b/m, logs: /b/l } }\n    - { name: scm3, address: 127.0.0.3, directories: { config: /c/c, metadata: /b//m/, logs: /c/l } }\n'),
    );
    expect(codes(across)).toContain('TOPOLOGY_DIRECTORY_CONFLICT');
    expect(new Set(across.diagnostics.map((d) => d.pointer))).toEqual(new Set(['/spec/hosts/2/directories/metadata']));
    // db given as the metadata directory with a trailing slash is still the default sharing, not a conflict
    expect(codes(load(threeNodes('  directories: { metadata: /data/meta, db: /data/meta/ }\n')))).toEqual([]);
  });

  it('refuses / (and what normalises to it) as a data directory, not as others', () => {
    for (const d of ['metadata', 'db', 'ratis', 'snapshot']) {
      const r = load(threeNodes(`  directories: { ${d}: / }\n`));
      expect(codes(r), d).toEqual(['TOPOLOGY_DIRECTORY_ROOT']);
      expect(r.diagnostics[0]!.pointer).toBe(`/spec/directories/${d}`);
      expect(r.diagnostics[0]!.hint).toContain('/var/lib/ozone/');
    }
    const slashes = load(threeNodes('  hosts:\n    - { name: scm1, directories: { metadata: "//" } }\n    - { name: scm2 }\n    - { name: scm3 }\n'));
    expect(only(slashes, 'TOPOLOGY_DIRECTORY_ROOT').pointer).toBe('/spec/hosts/0/directories/metadata');
    const node = load(threeNodes('', '  services:\n    - serviceId: s\n      nodes: [{ nodeId: a, host: h1, directories: { ratis: /// } }, { nodeId: b, host: h2 }, { nodeId: c, host: h3 }]\n'));
    expect(only(node, 'TOPOLOGY_DIRECTORY_ROOT').pointer).toBe('/spec/services/0/nodes/0/directories/ratis');
    expect(codes(load(threeNodes('  directories: { install: / }\n')))).not.toContain('TOPOLOGY_DIRECTORY_ROOT');
  });

  it('keeps spec.properties away from keys the topology renders and catches mistyped SCM keys', () => {
    const r = load(threeNodes('  properties:\n    ozone.scm.nodes.scmservice: a,b\n    ozone.scm.service.id: x\n    ozone.scm.ratis.port.scmservice.scm9: "1"\n    scmctl.name: x\n    ozone.scm.db.dirs.permissions: "750"\n    ozone.scm.container.size: 5GB\n'));
    expect(codes(r)).toEqual(['TOPOLOGY_MANAGED_PROPERTY', 'TOPOLOGY_UNKNOWN_SCM_KEY', 'TOPOLOGY_UNKNOWN_SCM_KEY', 'TOPOLOGY_MANAGED_PROPERTY']);
    expect(r.diagnostics.map((d) => d.pointer)).toEqual([
      '/spec/properties/ozone.scm.nodes.scmservice',
      '/spec/properties/ozone.scm.service.id',
      '/spec/properties/ozone.scm.ratis.port.scmservice.scm9',
      '/spec/properties/scmctl.name',
    ]);
    expect(r.diagnostics[1]!.hint).toBe('did you mean "ozone.scm.service.ids"?');
    expect(r.diagnostics[2]!.summary).toContain('scm9');
  });

  it('warns about ssh settings on a local host and hosts without roles', () => {
    const r = load(threeNodes('  hosts:\n    - { name: scm1, transport: local, ssh: { user: x } }\n    - { name: scm2 }\n    - { name: scm3 }\n    - { name: idle }\n'));
    expect(r.topology).toBeDefined();
    expect(codes(r)).toEqual(['TOPOLOGY_SSH_IGNORED', 'TOPOLOGY_HOST_WITHOUT_ROLE']);
  });

  it('returns a topology only without errors, and sorts diagnostics by position', () => {
    const r = load(threeNodes('  security: { enabled: true }\n  ratis: { enabled: false }\n'));
    expect(r.topology).toBeUndefined();
    expect(errorsOf(r).length).toBe(1);
    const offsets = r.diagnostics.map((d) => d.range.start.byte);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  });
});
