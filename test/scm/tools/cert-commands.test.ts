/**
 * `ozone admin cert list` in Ozone 2.2's CertCommands format (golden file), and the new operator listings
 * on a real secure in-process SCM (TLS on 127.0.42.1): the command line authenticates with the SCM host's
 * admin identity exactly as the existing admin calls; without it nothing answers; the access policy gives
 * the listings to admin (and OM) identities only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CertificateListing } from '../../../src/scm/protocols/client-protocol.js';
import { authorizer } from '../../../src/scm/security/access-policy.js';
import { formatCertificates } from '../../../src/scm/tools/cert-commands.js';
import { expectGolden, numberMatches } from '../../support/golden.js';
import { runOzone } from '../../support/operator-cluster.js';
import { siteXml } from '../../support/scm-site.js';
import { SecureScmCluster } from '../../support/secure-scm-cluster.js';

const dir = import.meta.dirname;
const CID = 'CID-25f65625-3410-4d77-9655-4d7c4711853a';
const SCM = '6c6a1c55-0f48-4505-ae86-0da54f8d4563';

describe('ozone admin cert list format', () => {
  it('prints the header and %-17s %-30s %-30s %-110s %-110s rows with Java\'s DN and Date renderings', () => {
    const certs: CertificateListing[] = [
      { serial: '1', role: 'SCM', subject: 'CN=scm@127.0.0.1', issuer: 'CN=scm@127.0.0.1', notBefore: '2026-12-06T21:45:51.000Z', notAfter: '2032-01-14T21:45:51.000Z', revoked: null },
      { serial: '2', role: 'SCM', subject: `O=${CID}, OU=${SCM}, CN=scm-sub@127.0.0.1`, issuer: 'CN=scm@127.0.0.1', notBefore: '2026-12-06T21:45:51.000Z', notAfter: '2032-01-14T21:45:51.000Z', revoked: null },
      { serial: '3', role: 'ADMIN', subject: `O=${CID}, CN=admin@127.0.0.1`, issuer: `O=${CID}, OU=${SCM}, CN=scm-sub@127.0.0.1`, notBefore: '2026-12-06T21:45:52.000Z', notAfter: '2027-12-06T21:45:52.000Z', revoked: { reason: 'x', at: 1 } },
    ];
    expectGolden(dir, 'cert-list.txt', `${formatCertificates(certs, 20)}\n`);
    expect(formatCertificates([], 20)).toBe('Certificate list:(BatchSize=20, CertCount=0)\nNo certificates to list');
  });

  it('the new client-port methods are for admin (and OM for the read-only ones) identities', () => {
    const check = authorizer('client', () => false);
    const as = (kind: 'admin' | 'om' | 'datanode'): { kind: typeof kind; host: string; serial: string } => ({ kind, host: 'h', serial: '9' });
    for (const m of ['queryNodes', 'listPipelines', 'listContainerPage', 'getContainerWithReplicas', 'finalizeScmUpgrade', 'queryUpgradeFinalizationProgress']) {
      expect(() => check(m, as('admin'))).not.toThrow();
      expect(() => check(m, as('datanode'))).toThrow(expect.objectContaining({ code: 'ACCESS_DENIED' }));
      expect(() => check(m, { kind: 'anonymous' })).toThrow(expect.objectContaining({ code: 'ACCESS_DENIED' }));
    }
    expect(() => check('listContainerPage', as('om'))).not.toThrow();
    expect(() => check('finalizeScmUpgrade', as('om'))).toThrow(expect.objectContaining({ code: 'ACCESS_DENIED' }));
  });
});

describe('operator commands on a secure SCM (127.0.42.1)', () => {
  const c = new SecureScmCluster(['127.0.42.1'], {}, 1);
  let env: NodeJS.ProcessEnv = {};
  let plainEnv: NodeJS.ProcessEnv = {};
  beforeAll(async () => {
    await c.setup();
    await c.init();
    await c.start('scm1');
    await c.leader();
    // the command line on the SCM host: that SCM's configuration (its admin identity is <metadata>/scm/admin)
    const conf = c.config('scm1').conf;
    const props = Object.fromEntries(conf.keys().map((k) => [k, conf.get(k) ?? '']));
    writeFileSync(join(c.root, 'ozone-site.xml'), siteXml(props));
    env = { OZONE_CONF_DIR: c.root, TZ: 'UTC' };
    const plain = join(c.root, 'plain');
    mkdirSync(plain);
    writeFileSync(join(plain, 'ozone-site.xml'), siteXml({ ...props, 'ozone.security.enabled': 'false' }));
    plainEnv = { OZONE_CONF_DIR: plain, TZ: 'UTC' };
  }, 180_000);
  afterAll(() => c.close());

  it('authenticates with the admin identity: cert list, finalizationstatus, container and pipeline lists answer', async () => {
    const certs = await runOzone(['admin', 'cert', 'list'], env);
    expect({ code: certs.code, err: certs.err }).toEqual({ code: 0, err: '' });
    const lines = certs.out.split('\n');
    expect(lines[0]).toBe('Certificate list:(BatchSize=20, CertCount=3)');
    expect(lines[1]).toBe(`${'SerialNumber'.padEnd(17)} ${'Valid From'.padEnd(30)} ${'Expiry'.padEnd(30)} ${'Subject'.padEnd(110)} ${'Issuer'.padEnd(110)}`);
    expect(numberMatches(lines[3]!, /[0-9a-f]{8}-[0-9a-f-]{27}/g, 'id')).toMatch(/^2 {16} \w{3} \w{3} \d\d \d\d:\d\d:\d\d UTC \d{4} +\w{3} \w{3} \d\d \d\d:\d\d:\d\d UTC \d{4} +CN=scm-sub@127\.0\.42\.1, OU=<id-1>, O=CID-<id-2> +CN=scm@127\.0\.42\.1 +$/);
    expect(await runOzone(['admin', 'scm', 'finalizationstatus'], env)).toEqual({ code: 0, out: 'ALREADY_FINALIZED\n', err: '' });
    expect(await runOzone(['admin', 'container', 'list'], env)).toEqual({ code: 0, out: '[ ]\n', err: '' });
    expect(await runOzone(['admin', 'pipeline', 'list'], env)).toEqual({ code: 0, out: '', err: '' });
    expect(await runOzone(['admin', 'datanode', 'list', '--json'], env)).toEqual({ code: 0, out: '[ ]\n', err: '' });
  });

  it('without a client certificate nothing answers (exit 255)', async () => {
    const r = await runOzone(['admin', 'datanode', 'list'], plainEnv);
    expect({ code: r.code, out: r.out }).toEqual({ code: 255, out: '' });
  });
});
