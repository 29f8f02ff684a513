/** Topology → facts probe specs and SSH connection specs. */
import { describe, expect, it } from 'vitest';
import { connectionSpec, expandHome } from '../../../src/provisioner/plan/host-connection.js';
import { parseEnvFile, probePlanFor, scmRunAs } from '../../../src/provisioner/plan/probe-specs.js';
import { renderAll } from '../../../src/provisioner/render/render-host.js';
import { standaloneText, threeNodeText, topologyOf } from './cluster-fixture.js';

describe('probe specs', () => {
  it('an SCM host: install, ozone with scm.env\'s environment, VERSION, pid file of the SCM user, managed files + marker, ports, dirs, disk', () => {
    const t = topologyOf(threeNodeText({ become: true }));
    const h = t.hosts[1]!;
    const plan = probePlanFor(t, h, renderAll(t).get(h.name)!, 'op');
    expect(plan.firstNode).toBe('svc/scm2');
    expect(plan.extraNodes).toEqual([]);
    expect(plan.spec).toMatchObject({
      sudo: true,
      installDir: '/srv/scm2/install',
      ozone: { bin: '/srv/scm2/install/current/bin/ozone', env: { OZONE_HOME: '/srv/scm2/install/current', OZONE_CONF_DIR: '/srv/scm2/conf', OZONE_LOG_DIR: '/srv/scm2/logs', OZONE_PID_DIR: '/srv/scm2/logs' } },
      scm: { dbDir: '/srv/scm2/meta', pidFile: '/srv/scm2/logs/ozone-root-scm.pid' },
      ports: { address: '10.0.0.2', ports: [9860, 9863, 9861, 9961, 9894, 9895, 9876, 9877] },
      managedFiles: ['/srv/scm2/conf/ozone-site.xml', '/srv/scm2/conf/scm.env', '/srv/scm2/conf/ozone-scm.service', '/srv/scm2/conf/.scmctl-restart-pending'],
      diskPaths: ['/srv/scm2/meta', '/srv/scm2/meta/scm.ratis'],
    });
    expect(plan.spec.directories).toEqual(['/srv/scm2/install', '/srv/scm2/conf', '/srv/scm2/meta', '/srv/scm2/meta/scm.ratis', '/srv/scm2/meta/scm.ratis.snapshot', '/srv/scm2/logs']);
  });

  it('the pid file names the user the SCM runs as: root with become, the login user without, the local user for local hosts', () => {
    expect(scmRunAs(topologyOf(threeNodeText({ become: true })).hosts[0]!, 'op')).toBe('root');
    expect(scmRunAs(topologyOf(threeNodeText()).hosts[0]!, 'op')).toBe('ozone');
    expect(scmRunAs(topologyOf(standaloneText()).hosts[0]!, 'op')).toBe('op');
  });

  it('a config-only host: its ozone-site.xml and directory only, no SCM sections', () => {
    const t = topologyOf(threeNodeText({ extraHosts: '    - { name: dn1, address: 10.0.0.9, roles: [datanode], directories: { config: /srv/dn1/conf } }\n' }));
    const h = t.hosts.find((x) => x.name === 'dn1')!;
    const plan = probePlanFor(t, h, renderAll(t).get('dn1')!, 'op');
    expect(plan.firstNode).toBeNull();
    // no embedded SCM here: Node.js is not asked for (each ask would start a Node.js process on the host)
    expect(plan.spec).toEqual({ managedFiles: ['/srv/dn1/conf/ozone-site.xml'], directories: ['/srv/dn1/conf'], diskPaths: [], probeNode: false });
  });

  it('parseEnvFile reads KEY=value lines and skips the header', () => {
    expect(parseEnvFile('# Managed by scmctl\nA=1\nB=/x/y\nnot a line\n')).toEqual({ A: '1', B: '/x/y' });
  });
});

describe('connection specs', () => {
  it('maps SSH settings (keys with ~ expanded, known_hosts, become) and keeps secrets as variable names', () => {
    const t = topologyOf(threeNodeText({ become: true }));
    const spec = connectionSpec(t.hosts[0]!, t.timeouts, { env: { HOME: '/home/op' } });
    expect(spec).toMatchObject({
      transport: 'ssh',
      name: 'scm1',
      address: '10.0.0.1',
      port: 22,
      user: 'ozone',
      auth: { privateKeyPaths: ['/home/op/.ssh/id_ed25519'], agent: true },
      hostKey: { mode: 'strict' },
      connectTimeoutMs: 10_000,
      sudo: { passwordEnv: 'SUDO_PW' },
    });
    expect(JSON.stringify(spec)).not.toContain('password"');
  });

  it('local hosts need no SSH', () => {
    const t = topologyOf(standaloneText());
    expect(connectionSpec(t.hosts[0]!, t.timeouts, { env: {} })).toMatchObject({ transport: 'local', name: 'scm1', address: '127.0.0.1' });
  });

  it('expandHome only touches a leading ~/', () => {
    expect(expandHome('~/k', { HOME: '/h' })).toBe('/h/k');
    expect(expandHome('/a/~/k', { HOME: '/h' })).toBe('/a/~/k');
    expect(expandHome('~/k', {})).toBe('~/k');
  });
});
