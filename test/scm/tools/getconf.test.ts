/**
 * `ozone getconf` (Ozone 2.2's OzoneGetConf) run in process on real configuration directories: confKey
 * values, defaults and the missing-key failure; storagecontainermanagers in the JDK's HashSet order (the
 * expected orders were printed by OpenJDK 17, see java-hash-order.test.ts) with Java's host names.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OzoneConf } from '../../../src/scm/config/ozone-conf.js';
import { storageContainerManagers, type HostResolver } from '../../../src/scm/tools/getconf.js';
import { expectGolden } from '../../support/golden.js';
import { runOzone } from '../../support/operator-cluster.js';
import { siteXml } from '../../support/scm-site.js';

const dir = import.meta.dirname;
function confDir(props: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'getconf-'));
  writeFileSync(join(d, 'ozone-site.xml'), siteXml(props));
  return d;
}
const run = (props: Record<string, string>, argv: string[]): ReturnType<typeof runOzone> => runOzone(argv, { OZONE_CONF_DIR: confDir(props) });

const HA = {
  'ozone.scm.service.ids': 'scmservice',
  'ozone.scm.nodes.scmservice': 'scm1,scm2,scm3',
  'ozone.scm.address.scmservice.scm1': '127.0.0.1',
  'ozone.scm.address.scmservice.scm2': 'localhost',
  'ozone.scm.address.scmservice.scm3': '127.0.20.3',
  'ozone.scm.client.port.scmservice.scm2': '19860',
  'ozone.scm.client.address.scmservice.scm3': '127.0.20.3:29860',
  'ozone.metadata.dirs': '/data/ozone',
  'ozone.scm.db.dirs': '${ozone.metadata.dirs}/db',
  'ozone.scm.names': '  ',
};

describe('ozone getconf', () => {
  it('confKey / -confKey print the trimmed, expanded value; ozone-default.xml fills keys the site leaves out', async () => {
    expect(await run(HA, ['getconf', '-confKey', 'ozone.scm.nodes.scmservice'])).toEqual({ code: 0, out: 'scm1,scm2,scm3\n', err: '' });
    expect((await run(HA, ['getconf', 'confKey', 'ozone.scm.db.dirs'])).out).toBe('/data/ozone/db\n');
    expect((await run(HA, ['getconf', '-confKey', 'ozone.scm.client.port'])).out).toBe('9860\n');
    expect((await run(HA, ['getconf', '-confKey', 'ozone.scm.stale.node.interval'])).out).toBe('5m\n');
    // set but blank, or blank by default: an empty line (Hadoop's getTrimmed gives "")
    expect((await run(HA, ['getconf', '-confKey', 'ozone.scm.names'])).out).toBe('\n');
    expect((await run(HA, ['getconf', '-confKey', 'ozone.scm.primordial.node.id'])).out).toBe('\n');
  });

  it('a key nobody sets: "Configuration <key> is missing." on stderr, exit 255', async () => {
    const r = await run(HA, ['getconf', '-confKey', 'no.such.key']);
    expect({ code: r.code, out: r.out }).toEqual({ code: 255, out: '' });
    expect(r.err).toBe('Configuration no.such.key is missing.\n  code: GETCONF_MISSING_KEY\n');
  });

  it('storagecontainermanagers / -storagecontainermanagers: one host per distinct client address, as Java names them', async () => {
    const r = await run(HA, ['getconf', 'storagecontainermanagers']);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    // 127.0.0.1 reverse-resolves to localhost (/etc/hosts), 127.0.20.3 has no name and stays a literal, scm2
    // is written as a name and printed as written; JDK 17 printed `localhost, localhost, 127.0.20.3` for this set
    expectGolden(dir, 'getconf-storagecontainermanagers.txt', r.out);
    expect(r.out).toBe('localhost\nlocalhost\n127.0.20.3\n');
    expect((await run(HA, ['getconf', '-storagecontainermanagers'])).out).toBe(r.out);
    // the same address and port twice is one HashSet entry
    const dup = await run({ ...HA, 'ozone.scm.address.scmservice.scm2': '127.0.0.1', 'ozone.scm.client.port.scmservice.scm2': '9860' }, ['getconf', '-storagecontainermanagers']);
    expect(dup.out.split('\n').filter(Boolean)).toHaveLength(2);
    expect((await run({ 'ozone.scm.client.address': 'localhost:9999' }, ['getconf', 'storagecontainermanagers'])).out).toBe('localhost\n');
  });

  it('HashSet order of resolved and unresolved addresses (JDK-computed orders)', async () => {
    const ips = ['10.1.2.3', '10.1.2.40', '192.168.7.9', '172.16.0.5', '10.0.0.200'];
    const props: Record<string, string> = { 'ozone.scm.service.ids': 'sid', 'ozone.scm.nodes.sid': ips.map((_, i) => `n${i}`).join(',') };
    ips.forEach((ip, i) => (props[`ozone.scm.address.sid.n${i}`] = ip));
    const noNames: HostResolver = { resolve: async (h) => (/^[\d.]+$/.test(h) ? h : undefined), nameOf: async (ip) => ip };
    expect(await storageContainerManagers(new OzoneConf(Object.entries(props)), noNames)).toEqual(['172.16.0.5', '10.0.0.200', '10.1.2.40', '192.168.7.9', '10.1.2.3']);
    const names = new OzoneConf(Object.entries({ 'ozone.scm.service.ids': 'sid', 'ozone.scm.nodes.sid': 'a,b,c', 'ozone.scm.address.sid.a': 'scm-a.example', 'ozone.scm.address.sid.b': 'scm-b.example', 'ozone.scm.address.sid.c': 'scm-c.example' }));
    expect(await storageContainerManagers(names, noNames)).toEqual(['scm-a.example', 'scm-c.example', 'scm-b.example']);
  });

  it('Ozone\'s configuration errors (exit 255) and usage errors', async () => {
    const none = await run({}, ['getconf', 'storagecontainermanagers']);
    expect({ code: none.code, first: none.err.split('\n')[0] }).toEqual({ code: 255, first: 'Ozone scm client address is not set. Configure one of these config ozone.scm.client.address, ozone.scm.names' });
    expect((await run({ 'ozone.scm.names': 'a,b' }, ['getconf', 'storagecontainermanagers'])).err).toMatch(/^For non-HA SCM ozone.scm.names should be set with single address\n/);
    expect((await run({ 'ozone.scm.service.ids': 'a,b' }, ['getconf', 'storagecontainermanagers'])).err).toMatch(/^When multiple SCM Service Ids are configured,ozone.scm.default.service.id need to be defined\n/);
    expect((await run({ 'ozone.scm.service.ids': 'a', 'ozone.scm.nodes.a': 'x' }, ['getconf', 'storagecontainermanagers'])).err).toMatch(/^ozone.scm.address.a.xis not defined\n/);
    const noKey = await run(HA, ['getconf', '-confKey']);
    expect(noKey.code).toBe(2);
    expect(noKey.err).toMatch(/Missing required parameter: 'confKey'/);
    expect((await run(HA, ['getconf'])).code).toBe(2);
  });
});
