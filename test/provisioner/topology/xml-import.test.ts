import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codes, load, only, valid } from './helpers.js';

function site(props: Record<string, string>, extra = ''): string {
  const body = Object.entries(props)
    .map(([n, v]) => `  <property>\n    <name>${n}</name>\n    <value>${v}</value>\n  </property>`)
    .join('\n');
  return `<?xml version="1.0"?>\n<configuration>\n${body}\n${extra}</configuration>\n`;
}

const HA = {
  'ozone.scm.service.ids': 'svc',
  'ozone.scm.nodes.svc': 'scm1,scm2,scm3',
  'ozone.scm.address.svc.scm1': 'h1.example.com',
  'ozone.scm.address.svc.scm2': 'h2.example.com',
  'ozone.scm.address.svc.scm3': 'h3.example.com',
  'ozone.metadata.dirs': '/data/meta',
};

describe('ozone-site.xml import', () => {
  it('imports the realistic example: services, ports, directories, extras', () => {
    const t = valid(readFileSync('examples/ozone-site.xml', 'utf8'), 'examples/ozone-site.xml');
    expect(t.services.map((s) => [s.serviceId, s.nodes.map((n) => `${n.nodeId}@${n.address}`)])).toEqual([
      ['scmservice', ['scm1@scm1.dc1.example.com', 'scm2@scm2.dc1.example.com', 'scm3@scm3.dc1.example.com']],
    ]);
    const scm3 = t.services[0]!.nodes[2]!;
    expect(scm3.ports.ratis).toBe(9994);
    expect(scm3.explicitPorts).toEqual(['ratis']);
    expect(t.defaults.directories).toMatchObject({ metadata: '/data/ozone/metadata', db: '/data/ozone/scm-db', ratis: '/data/ozone/scm-ratis', snapshot: '/data/ozone/metadata/scm.ratis.snapshot' });
    expect(t.properties.map((p) => p.name)).toContain('ozone.om.address');
    expect(t.properties.find((p) => p.name === 'hdds.datanode.dir')!.value).toBe('/data/disk1/hdds,/data/disk2/hdds');
  });

  it('maps cluster and per-node ports, http addresses, bind hosts, security, wait duration', () => {
    const t = valid(
      site({
        ...HA,
        'ozone.scm.ratis.port': '9900',
        'ozone.scm.http-address': '0.0.0.0:9999',
        'ozone.scm.client.port.svc.scm2': '19860',
        'ozone.scm.https-address.svc.scm3': 'h3.example.com:19877',
        ...Object.fromEntries(
          ['ozone.scm.client.bind.host', 'ozone.scm.block.client.bind.host', 'ozone.scm.datanode.bind.host', 'ozone.scm.security.service.bind.host', 'ozone.scm.http-bind-host', 'ozone.scm.https-bind-host'].map((k) => [`${k}.svc.scm1`, 'h1.example.com']),
        ),
        'ozone.security.enabled': 'true',
        'hdds.grpc.tls.enabled': 'TRUE',
        'hdds.scm.kerberos.principal': 'scm/_HOST@EXAMPLE.COM',
        'hdds.scm.kerberos.keytab.file': '/etc/security/keytabs/scm.keytab',
        'hadoop.security.authentication': 'kerberos',
        'ozone.scm.info.wait.duration': '120',
      }),
      'x.xml',
    );
    const [n1] = t.services[0]!.nodes;
    expect(n1!.ports).toMatchObject({ ratis: 9900, http: 9999 });
    expect(n1!.bindHost).toBe('h1.example.com');
    expect(t.defaults.ports).toMatchObject({ ratis: 9900, http: 9999 });
    expect(t.security).toEqual({ enabled: true, tls: true, kerberos: { principal: 'scm/_HOST@EXAMPLE.COM', keytab: '/etc/security/keytabs/scm.keytab' } });
    expect(t.timeouts.scmInfoWaitMs).toBe(120_000);
    expect(t.services[0]!.nodes[1]!.explicitPorts).toEqual(['client']);
    expect(t.services[0]!.nodes[2]!.ports.https).toBe(19877);
    const standalone = valid(site({ ...HA, 'ozone.scm.nodes.svc': 'scm1', 'ozone.scm.address.svc.scm2': '', 'ozone.scm.ratis.enable': 'false' }).replace(/<property>\s*<name>ozone.scm.address.svc.scm[23]<\/name>[\s\S]*?<\/property>/g, ''), 'x.xml');
    expect(standalone.ratis.enabled).toBe(false);
  });

  it('reports an unknown per-node key pattern with a did-you-mean, at the name', () => {
    const r = load(site({ ...HA, 'ozone.scm.ratis.prot.svc.scm2': '9894' }), 'x.xml');
    const d = only(r, 'TOPOLOGY_UNKNOWN_SCM_KEY');
    expect(d.hint).toBe('did you mean "ozone.scm.ratis.port.svc.scm2"?');
    expect(d.range.start.column).toBe(11);
  });

  it('reports keys for unknown services and nodes, and near-misses of core keys', () => {
    const r = load(site({ ...HA, 'ozone.scm.nodes.scv': 'a', 'ozone.scm.grpc.port.svc.scm4': '1', 'ozone.scm.service.id': 'svc', 'ozone.scm.primordial.nodeid': 'scm1' }), 'x.xml');
    expect(codes(r)).toEqual(['TOPOLOGY_UNKNOWN_SCM_KEY', 'TOPOLOGY_UNKNOWN_SCM_KEY', 'TOPOLOGY_UNKNOWN_SCM_KEY', 'TOPOLOGY_UNKNOWN_SCM_KEY']);
    expect(r.diagnostics.map((d) => d.hint)).toEqual([
      'did you mean "ozone.scm.nodes.svc"?',
      'did you mean "ozone.scm.grpc.port.svc.scm1"?',
      'did you mean "ozone.scm.service.ids"?',
      'did you mean "ozone.scm.primordial.node.id"?',
    ]);
  });

  it('keeps unrelated keys, including unsuffixed bind hosts and legit ozone.scm.* keys, as extras', () => {
    const t = valid(site({ ...HA, 'ozone.scm.client.bind.host': '0.0.0.0', 'ozone.scm.db.dirs.permissions': '750', 'ozone.om.address': 'om:9862', 'ozone.scm.names': 'x' }), 'x.xml');
    expect(t.properties.map((p) => p.name)).toEqual(['ozone.om.address', 'ozone.scm.client.bind.host', 'ozone.scm.db.dirs.permissions', 'ozone.scm.names']);
  });

  it('requires the keys Ozone requires', () => {
    expect(codes(load(site({ 'ozone.metadata.dirs': '/m' }), 'x.xml'))).toEqual(['TOPOLOGY_XML_NO_SERVICE']);
    const { 'ozone.scm.address.svc.scm2': _, ...noAddress } = HA;
    expect(codes(load(site(noAddress), 'x.xml'))).toEqual(['TOPOLOGY_XML_MISSING_KEY']);
    const { 'ozone.metadata.dirs': __, ...noMeta } = HA;
    expect(codes(load(site(noMeta), 'x.xml'))).toEqual(['TOPOLOGY_DIRECTORY_REQUIRED']);
    const { 'ozone.scm.nodes.svc': ___, ...noNodes } = HA;
    expect(codes(load(site(noNodes), 'x.xml'))).toContain('TOPOLOGY_XML_MISSING_KEY');
  });

  it('applies the semantic rules to imported files too', () => {
    expect(codes(load(site({ ...HA, 'ozone.scm.ratis.port.svc.scm1': 'abc' }), 'x.xml'))).toEqual(['TOPOLOGY_TYPE']);
    const p = load(site({ ...HA, 'ozone.scm.primordial.node.id': 'scm9' }), 'x.xml');
    expect(only(p, 'TOPOLOGY_PRIMORDIAL_NOT_A_NODE').hint).toContain('did you mean');
    const bad = load(site({ ...HA, 'ozone.scm.address.svc.scm3': 'h2.example.com' }), 'x.xml');
    expect(codes(bad)).toContain('TOPOLOGY_DUPLICATE_HOST');
    // an address that is no IPv4 address, reported at the value of the <property> that gave it
    const ip = only(load(site({ ...HA, 'ozone.scm.address.svc.scm2': '300.1.1.1' }), 'x.xml'), 'TOPOLOGY_INVALID_ADDRESS');
    expect(ip.range.start.line).toBe(17);
  });

  it('accepts the primordial by hostname, as Ozone does', () => {
    const t = valid(site({ ...HA, 'ozone.scm.primordial.node.id': 'h2.example.com' }), 'x.xml');
    expect(t.services[0]!.primordial).toEqual({ nodeId: 'scm2', given: 'h2.example.com' });
  });

  it('warns about duplicates, deprecated address ports and ignored values; last definition wins', () => {
    const text = site(
      { ...HA, 'ozone.scm.address.svc.scm1': 'h1.example.com:19860', 'hdds.metadata.dir': '/other' },
      '  <property><name>ozone.metadata.dirs</name><value>/data/meta2</value></property>\n',
    );
    const r = load(text, 'x.xml');
    expect(r.topology).toBeDefined();
    expect(codes(r).sort()).toEqual(['TOPOLOGY_XML_DEPRECATED_KEY', 'TOPOLOGY_XML_DUPLICATE_PROPERTY', 'TOPOLOGY_XML_IGNORED_VALUE']);
    expect(r.topology!.defaults.directories.metadata).toBe('/data/meta2');
    expect(r.topology!.services[0]!.nodes[0]!.ports.client).toBe(19860);
  });

  it('imports a legacy non-HA ozone.scm.names as a one-node standalone service', () => {
    const r = load(site({ 'ozone.scm.names': 'scm.example.com:9861', 'ozone.metadata.dirs': '/m' }), 'x.xml');
    expect(codes(r)).toEqual(['TOPOLOGY_XML_LEGACY_NAMES']);
    expect(r.topology!.ratis.enabled).toBe(false);
    expect(r.topology!.services[0]!.nodes[0]).toMatchObject({ nodeId: 'scm1', address: 'scm.example.com' });
  });

  it('reports structure problems and refuses XInclude and DTD entities', () => {
    expect(codes(load('<?xml version="1.0"?>\n<props/>\n', 'x.xml'))).toEqual(['TOPOLOGY_XML_STRUCTURE']);
    expect(codes(load(site(HA, '<xi:include href="other.xml"/>\n'), 'x.xml'))).toContain('TOPOLOGY_XML_STRUCTURE');
    expect(codes(load(site(HA, '  <property><value>x</value></property>\n'), 'x.xml'))).toEqual(['TOPOLOGY_XML_STRUCTURE']);
    const entity = '<?xml version="1.0"?>\n<!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<configuration><property><name>a</name><value>&x;</value></property></configuration>';
    expect(codes(load(entity, 'x.xml'))).toEqual(['TOPOLOGY_XML_SYNTAX']);
    expect(codes(load('', 'x.xml', { format: 'xml' }))).toEqual(['TOPOLOGY_XML_SYNTAX']);
  });

  it('rejects unknown scmctl.* keys, settings for undeclared nodes and malformed scmctl JSON', () => {
    const r = load(site({ ...HA, 'scmctl.transprot': 'local', 'scmctl.host.h1.example.com': '{not json', 'scmctl.node.svc.scm4': '{"host":"x"}' }), 'x.xml');
    expect(codes(r)).toEqual(['TOPOLOGY_XML_UNKNOWN_SCMCTL_KEY', 'TOPOLOGY_XML_INVALID_VALUE', 'TOPOLOGY_XML_UNKNOWN_SCMCTL_KEY']);
    expect(r.diagnostics[0]!.hint).toBe('did you mean "scmctl.transport"?');
    expect(r.diagnostics[2]!.hint).toBe('did you mean "scmctl.node.svc.scm1"?');
  });

  it('validates scmctl JSON with the schema, at the property', () => {
    const r = load(site({ ...HA, 'scmctl.host.h1.example.com': '{"ssh":{"port":"22x"}}' }), 'x.xml');
    const d = only(r, 'TOPOLOGY_TYPE');
    expect(d.pointer).toBe('/spec/hosts/0/ssh/port');
    expect(d.range.start.line).toBeGreaterThan(20);
  });
});
