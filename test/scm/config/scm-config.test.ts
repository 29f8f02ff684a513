import { describe, expect, it } from 'vitest';
import { parseDurationMs } from '../../../src/scm/config/duration.js';
import type { HostLocality } from '../../../src/scm/config/host-locality.js';
import { isLoopbackOrAnyLocal, systemHostLocality } from '../../../src/scm/config/host-locality.js';
import { OzoneConf } from '../../../src/scm/config/ozone-conf.js';
import { resolveScmConfig } from '../../../src/scm/config/scm-config.js';
import { clientService, readScmTopology } from '../../../src/scm/config/scm-topology.js';
import { parseStorageSize } from '../../../src/scm/config/storage-size.js';

const conf = (kv: Record<string, string>): OzoneConf => new OzoneConf(Object.entries(kv));
/** hosts listed as local resolve to themselves; every other name is remote but resolvable */
const locality = (localHosts: string[]): HostLocality => ({
  check: async (host) => ({ local: localHosts.includes(host), ip: host === 'nowhere' ? undefined : host }),
});

const ha = {
  'ozone.scm.service.ids': 'svc',
  'ozone.scm.nodes.svc': 'scm1, scm2 ,scm3',
  'ozone.scm.address.svc.scm1': '10.9.0.1',
  'ozone.scm.address.svc.scm2': '10.9.0.2',
  'ozone.scm.address.svc.scm3': '10.9.0.3',
  'ozone.metadata.dirs': '/data/meta',
};

describe('OzoneConf from ozone-site.xml', () => {
  it('reads properties, later definitions win, expands ${key} and ${env.X}', () => {
    const xml = `<?xml version="1.0"?>
<configuration>
  <property><name>a</name><value> one </value><description>x</description></property>
  <property><name>b</name><value>\${a}/two</value><final>true</final></property>
  <property><name>a</name><value>1</value></property>
  <property><name>c</name><value>\${env.HOME_X}/d \${missing}</value></property>
</configuration>`;
    const c = OzoneConf.fromXml(xml, 'test.xml', { HOME_X: '/h' });
    expect(c.get('a')).toBe('1');
    expect(c.get('b')).toBe('1/two');
    expect(c.get('c')).toBe('/h/d ${missing}');
  });

  it('rejects broken XML and XInclude with CONFIG_XML', () => {
    expect(() => OzoneConf.fromXml('<configuration><property>', 'x')).toThrow(expect.objectContaining({ code: 'CONFIG_XML' }));
    expect(() => OzoneConf.fromXml('<other/>', 'x')).toThrow(expect.objectContaining({ code: 'CONFIG_XML' }));
    expect(() => OzoneConf.fromXml('<configuration><xi:include href="a.xml"/></configuration>', 'x')).toThrow(expect.objectContaining({ code: 'CONFIG_XML' }));
  });

  it('parses Ozone durations and storage sizes', () => {
    expect(parseDurationMs('5s', 'ms')).toBe(5000);
    expect(parseDurationMs('10m', 's')).toBe(600_000);
    expect(parseDurationMs('600', 's')).toBe(600_000);
    expect(parseDurationMs('250', 'ms')).toBe(250);
    expect(parseDurationMs('1d', 'ms')).toBe(86_400_000);
    expect(parseDurationMs('2 seconds', 'ms')).toBe(2000);
    expect(() => parseDurationMs('5 fortnights', 'ms')).toThrow(expect.objectContaining({ code: 'CONFIG_VALUE' }));
    expect(parseStorageSize('5GB', 'b')).toBe(5 * 1024 ** 3);
    expect(parseStorageSize('256', 'mb')).toBe(256 * 1024 ** 2);
    expect(() => parseStorageSize('lots', 'b')).toThrow(expect.objectContaining({ code: 'CONFIG_VALUE' }));
  });
});

describe('SCM topology and port fallback chain', () => {
  it('uses the defaults 9860/9863/9861/9961/9894/9895/9876/9877', () => {
    const t = readScmTopology(conf(ha));
    expect(t.services.get('svc')!.map((n) => n.nodeId)).toEqual(['scm1', 'scm2', 'scm3']);
    expect(t.services.get('svc')![0]!.ports).toEqual({ client: 9860, block: 9863, datanode: 9861, security: 9961, ratis: 9894, grpc: 9895, http: 9876, https: 9877 });
  });

  it('port in <addressKey>.<sid>.<nid> → <portKey>.<sid>.<nid> → <portKey> → default', () => {
    const t = readScmTopology(
      conf({
        ...ha,
        'ozone.scm.client.address.svc.scm1': '10.9.0.1:7001',
        'ozone.scm.client.port.svc.scm1': '7002',
        'ozone.scm.client.port.svc.scm2': '7003',
        'ozone.scm.client.port': '7004',
        'ozone.scm.ratis.port.svc.scm3': '7005',
        'ozone.scm.ratis.port': '7006',
        'ozone.scm.http-address.svc.scm2': '0.0.0.0:7007',
      }),
    );
    const [a, b, c] = t.services.get('svc')!;
    expect([a!.ports.client, b!.ports.client, c!.ports.client]).toEqual([7001, 7003, 7004]);
    expect([a!.ports.ratis, b!.ports.ratis, c!.ports.ratis]).toEqual([7006, 7006, 7005]);
    expect([a!.ports.http, b!.ports.http]).toEqual([9876, 7007]);
  });

  it('names the missing key when a node has no address, or a service no nodes', () => {
    const { 'ozone.scm.address.svc.scm2': _, ...rest } = ha;
    expect(() => readScmTopology(conf(rest))).toThrow(expect.objectContaining({ code: 'CONFIG_NO_ADDRESS', message: expect.stringContaining('ozone.scm.address.svc.scm2') }));
    expect(() => readScmTopology(conf({ 'ozone.scm.service.ids': 'x' }))).toThrow(expect.objectContaining({ code: 'CONFIG_NO_NODES' }));
  });

  it('the default service id selects the service; several without default is an error for clients', () => {
    const two = { ...ha, 'ozone.scm.service.ids': 'svc,other', 'ozone.scm.nodes.other': 'o1', 'ozone.scm.address.other.o1': 'h' };
    expect(() => clientService(readScmTopology(conf(two)))).toThrow(expect.objectContaining({ code: 'CONFIG_MULTIPLE_SERVICES' }));
    expect(clientService(readScmTopology(conf(two)), 'other').nodes.map((n) => n.host)).toEqual(['h']);
    expect(clientService(readScmTopology(conf({ ...two, 'ozone.scm.default.service.id': 'svc' }))).serviceId).toBe('svc');
  });

  it('without service ids is a single non-HA SCM from ozone.scm.names', () => {
    const t = readScmTopology(conf({ 'ozone.scm.names': '10.1.1.1:9860,10.1.1.2', 'ozone.scm.client.port': '1234' }));
    expect(t.ha).toBe(false);
    expect(clientService(t).nodes).toEqual([{ nodeId: 'scm', host: '10.1.1.1', ports: expect.objectContaining({ client: 1234, block: 9863 }) }]);
  });
});

describe('local node identification (§2)', () => {
  it('finds the one local node and copies its suffixed keys over the plain ones', async () => {
    const c = await resolveScmConfig(
      conf({ ...ha, 'ozone.scm.db.dirs.svc.scm2': '/db2', 'ozone.scm.client.bind.host.svc.scm2': '10.9.0.2', 'ozone.scm.primordial.node.id': 'scm1' }),
      locality(['10.9.0.2']),
    );
    expect(c.local.self.nodeId).toBe('scm2');
    expect(c.local.peers.map((p) => p.nodeId)).toEqual(['scm1', 'scm3']);
    expect(c.dirs).toEqual({
      metadata: '/data/meta',
      db: '/db2',
      scmDb: '/db2/scm.db',
      versionFile: '/db2/scm/current/VERSION',
      ratis: '/data/meta/scm.ratis',
      snapshot: '/data/meta/scm.ratis.snapshot',
      security: '/data/meta',
    });
    expect(c.bind.client).toBe('10.9.0.2');
    expect(c.securityEnabled).toBe(false);
    expect(c.limits.client).toMatchObject({ maxFrameBytes: 1024 * 1024, idleTimeoutMs: 120_000 });
    expect(c.limits.datanode.maxFrameBytes).toBe(32 * 1024 * 1024);
    expect(c.bind.block).toBe('0.0.0.0');
    expect(c.isPrimordial).toBe(false);
    expect(c.ratisEnabled).toBe(true);
    expect(c.timing.infoWaitMs).toBe(600_000);
    expect(c.sizing.sequenceIdBatchSize).toBe(1000);
  });

  it('the primordial key matches a node id or a host name', async () => {
    expect((await resolveScmConfig(conf({ ...ha, 'ozone.scm.primordial.node.id': 'scm1' }), locality(['10.9.0.1']))).isPrimordial).toBe(true);
    expect((await resolveScmConfig(conf({ ...ha, 'ozone.scm.primordial.node.id': '10.9.0.1' }), locality(['10.9.0.1']))).isPrimordial).toBe(true);
  });

  it('no local address → CONFIG_NO_LOCAL_NODE listing every node', async () => {
    await expect(resolveScmConfig(conf(ha), locality([]))).rejects.toMatchObject({
      code: 'CONFIG_NO_LOCAL_NODE',
      message: expect.stringContaining('svc.scm3=10.9.0.3'),
    });
  });

  it('several local addresses → CONFIG_MULTIPLE_LOCAL_NODES naming them; ozone.scm.node.id narrows', async () => {
    const err = await resolveScmConfig(conf(ha), locality(['10.9.0.1', '10.9.0.3'])).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CONFIG_MULTIPLE_LOCAL_NODES', hint: expect.stringContaining('ozone.scm.node.id') });
    expect((err as Error).message).toMatch(/svc\.scm1=10\.9\.0\.1, svc\.scm3=10\.9\.0\.3/);
    const c = await resolveScmConfig(conf({ ...ha, 'ozone.scm.node.id': 'scm3' }), locality(['10.9.0.1', '10.9.0.3']));
    expect(c.local.self.nodeId).toBe('scm3');
  });

  it('ozone.scm.node.id does not bypass the locality test, and must name a configured node', async () => {
    await expect(resolveScmConfig(conf({ ...ha, 'ozone.scm.node.id': 'scm2' }), locality(['10.9.0.1']))).rejects.toMatchObject({ code: 'CONFIG_NO_LOCAL_NODE' });
    await expect(resolveScmConfig(conf({ ...ha, 'ozone.scm.node.id': 'scm9' }), locality(['10.9.0.1']))).rejects.toMatchObject({ code: 'CONFIG_UNKNOWN_NODE_ID' });
  });

  it('directories need ozone.metadata.dirs unless each is set', async () => {
    const { 'ozone.metadata.dirs': _, ...rest } = ha;
    await expect(resolveScmConfig(conf(rest), locality(['10.9.0.1']))).rejects.toMatchObject({ code: 'CONFIG_NO_METADATA_DIR' });
    const c = await resolveScmConfig(
      conf({ ...rest, 'ozone.scm.db.dirs': '/d', 'ozone.scm.ha.ratis.storage.dir': '/r', 'ozone.scm.ha.ratis.snapshot.dir': '/s' }),
      locality(['10.9.0.1']),
    );
    expect([c.dirs.db, c.dirs.ratis, c.dirs.snapshot]).toEqual(['/d', '/r', '/s']);
  });

  it('the real locality check treats all of 127/8 as local and unknown hosts as remote', async () => {
    expect(isLoopbackOrAnyLocal('127.0.0.3')).toBe(true);
    expect(isLoopbackOrAnyLocal('::ffff:127.4.5.6')).toBe(true);
    expect(isLoopbackOrAnyLocal('10.0.0.1')).toBe(false);
    expect(await systemHostLocality.check('127.0.0.2')).toEqual({ local: true, ip: '127.0.0.2' });
    expect((await systemHostLocality.check('no-such-host.invalid')).local).toBe(false);
  });
});
