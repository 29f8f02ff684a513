/**
 * The conformance kit: every command and output format the provisioner relies on (src/provisioner/apply/
 * scm-commands.ts, facts/*-probe.ts, container-scan.ts) and the operator commands an SCM-HA operator reaches
 * for, run against a host runtime — one SCM with a one-node Raft ring on 127.0.0.51, driven only through the
 * runtime's `bin/ozone`. Runtimes checked here:
 *  - `embedded`: this repository's bin/ozone;
 *  - `stand-in`: the Ozone-layout distribution built from it (test/support/standin-ozone.ts), unpacked, with
 *    Debian's Java as JAVA_HOME — the tarball scmctl installs for `runtime.kind: apache-ozone`;
 *  - `real`: an Apache Ozone installation when SCMCTL_CONTRACT_OZONE_HOME names one (with JAVA_HOME set);
 *    not available on this machine — see README "What was tested against real Ozone".
 * Each expectation names the Ozone source it follows.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseContainerScan } from '../../src/provisioner/apply/container-scan.js';
import { daemonStatusAnswered } from '../../src/provisioner/facts/scm-probe.js';
import { parseRolesJson } from '../../src/provisioner/facts/roles-json.js';
import { parseVersionBanner } from '../../src/provisioner/facts/version-banner.js';
import { PACKAGE_ROOT } from '../support/apply-e2e.js';
import { OZONE } from '../support/ozone-process.js';
import { siteProperties, siteXml } from '../support/scm-site.js';
import { buildStandinOzone } from '../support/standin-ozone.js';

const HOST = '127.0.0.51';
const JAVA_HOME = realpathSync(execFileSync('sh', ['-c', 'command -v java']).toString().trim()).replace(/\/bin\/java$/, '');

interface Runtime {
  readonly name: string;
  bin: string;
  env: NodeJS.ProcessEnv;
  readonly prepare: (dir: string) => Promise<void>;
}

const runtimes: Runtime[] = [
  { name: 'embedded', bin: OZONE, env: {}, prepare: async () => undefined },
  {
    name: 'stand-in',
    bin: '',
    env: { JAVA_HOME },
    prepare: async function (this: void, dir: string) {
      const s = await buildStandinOzone({ packageRoot: PACKAGE_ROOT, outDir: join(dir, 'dist') });
      execFileSync('tar', ['-xzf', s.tarball, '-C', dir]);
      standin.bin = join(dir, `ozone-${s.version}/bin/ozone`);
    },
  },
];
const standin = runtimes[1]!;
if (process.env['SCMCTL_CONTRACT_OZONE_HOME']) {
  runtimes.push({ name: 'real', bin: join(process.env['SCMCTL_CONTRACT_OZONE_HOME'], 'bin/ozone'), env: {}, prepare: async () => undefined });
}

for (const rt of runtimes) {
  describe(`host contract: ${rt.name} runtime`, () => {
    const dir = mkdtempSync(join(tmpdir(), `host-contract-${rt.name}-`));
    const meta = join(dir, 'meta');
    const conf = join(dir, 'conf');
    const logs = join(dir, 'logs');
    const env = (): NodeJS.ProcessEnv => ({ ...process.env, ...rt.env, OZONE_CONF_DIR: conf, OZONE_LOG_DIR: logs, OZONE_PID_DIR: logs, OZONE_STOP_TIMEOUT: '10' });
    const oz = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
      const r = spawnSync(rt.bin, args, { encoding: 'utf8', env: env(), timeout: 120_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    beforeAll(async () => {
      await rt.prepare(dir);
      mkdirSync(conf, { recursive: true });
      mkdirSync(logs, { recursive: true });
      const props = siteProperties({ hosts: [HOST], metadataDir: () => meta, ratis: true, primordial: 'scm1', nodeId: 'scm1', extra: { 'ozone.scm.ha.ratis.leader.election.timeout': '1s' } });
      writeFileSync(join(conf, 'ozone-site.xml'), siteXml(props));
    }, 180_000);
    afterAll(() => {
      oz('--daemon', 'stop', 'scm');
      rmSync(dir, { recursive: true, force: true });
    });

    it('ozone version: the logo banner ending in <version>(<release>) (OzoneVersionInfo.main)', () => {
      const r = oz('version');
      expect(r.status).toBe(0);
      expect(parseVersionBanner(r.stdout)?.version).toMatch(/^\d+\.\d+\.\d+/);
    });

    it('usage errors exit 2 (picocli), execution errors 255 (GenericCli)', () => {
      expect(oz('admin', 'scm', 'roles', '--no-such-option').status).toBe(2);
      expect(oz('debug', 'ldb', `--db=${join(dir, 'nowhere/scm.db')}`, 'ls').status).toBe(255);
    });

    it('--daemon status before anything: exit 3, no output (hadoop_status_daemon)', () => {
      const r = oz('--daemon', 'status', 'scm');
      expect(r.status).toBe(3);
      expect(r.stdout).toBe('');
      expect(daemonStatusAnswered({ exitCode: r.status!, stdout: r.stdout, stderr: r.stderr })).toBe(true);
    });

    it('scm --init on the primordial node writes VERSION; again keeps the cluster id (StorageContainerManager.scmInit)', () => {
      const first = oz('scm', '--init');
      expect(first.status, first.stderr).toBe(0);
      const version = readFileSync(join(meta, 'scm/current/VERSION'), 'utf8');
      for (const k of ['nodeType=SCM', 'clusterID=CID-', 'scmUuid=', 'layoutVersion=', 'scmHA=true', 'primaryScmNodeId=']) expect(version).toContain(k);
      const again = oz('scm', '--init');
      expect(again.status).toBe(0);
      expect(again.stdout + again.stderr).toMatch(/SCM already initialized\. Reusing existing cluster id/);
      expect(readFileSync(join(meta, 'scm/current/VERSION'), 'utf8').match(/clusterID=.*/)![0]).toBe(version.match(/clusterID=.*/)![0]);
    });

    it('scm --bootstrap on the primordial node is ignored with exit 0 (StorageContainerManager.scmBootstrap)', () => {
      const r = oz('scm', '--bootstrap');
      expect(r.status).toBe(0);
      expect(r.stdout + r.stderr).toMatch(/SCM bootstrap command can only be executed in non-Primordial SCM/);
    });

    it('--daemon start; a second start exits 1 "… Stop it first." (hadoop_start_daemon_wrapper); status 0', () => {
      const r = oz('--daemon', 'start', 'scm');
      expect(r.status, r.stdout + r.stderr).toBe(0);
      const again = oz('--daemon', 'start', 'scm');
      expect(again.status).toBe(1);
      expect(again.stderr).toMatch(/scm is running as process \d+\.\s+Stop it first\./);
      expect(oz('--daemon', 'status', 'scm').status).toBe(0);
    });

    it('admin scm roles --json: host → {address, raftPeerRole, ID, InetAddress} (GetScmRatisRolesSubcommand)', async () => {
      let peers = null;
      for (let i = 0; i < 60 && !peers?.some((p) => p.role === 'LEADER'); i++) {
        const r = oz('admin', 'scm', 'roles', '--json');
        peers = r.status === 0 ? parseRolesJson(r.stdout) : null;
        if (!peers?.some((p) => p.role === 'LEADER')) await new Promise((res) => setTimeout(res, 500));
      }
      expect(peers?.map((p) => p.role)).toEqual(['LEADER']);
      const plain = oz('admin', 'scm', 'roles');
      expect(plain.stdout.trim()).toMatch(new RegExp(`^${HOST.replace(/\./g, '\\.')}:9894:LEADER:[0-9a-f-]{36}:${HOST.replace(/\./g, '\\.')}$`));
    });

    it('admin scm transfer takes -n/--new-leader-id and -id/--service-id (TransferScmLeaderSubCommand, ScmOption)', () => {
      const roles = parseRolesJson(oz('admin', 'scm', 'roles', '--json').stdout)!;
      const self = roles[0]!.id ?? '';
      for (const args of [['-n', self], ['--new-leader-id', self], ['-id', 'scmservice', '-n', self]]) {
        const r = oz('admin', 'scm', 'transfer', ...args);
        // a one-node ring: the leader is already the target; either way the options are accepted (no usage error)
        expect(r.status, `${args.join(' ')}: ${r.stderr}`).not.toBe(2);
      }
    });

    it('debug ldb ls / scan: column families; container keys as ContainerID objects, read by scmctl (DBScanner)', () => {
      const ls = oz('debug', 'ldb', `--db=${join(meta, 'scm.db')}`, 'ls');
      expect(ls.status, ls.stderr).toBe(0);
      expect(ls.stdout.split('\n')).toEqual(expect.arrayContaining(['default', 'containers', 'pipelines', 'meta', 'scmTransactionInfos']));
      const scan = oz('debug', 'ldb', `--db=${join(meta, 'scm.db')}`, 'scan', '--column-family=containers', '--compact');
      expect(scan.status, scan.stderr).toBe(0);
      expect(parseContainerScan(scan.stdout)).not.toBeNull();
    });

    it('operator commands answer in Ozone\'s formats (SafeModeCheckSubcommand, ListInfoSubcommand, ListPipelinesSubcommand, container ListSubcommand, OzoneGetConf, FinalizeScmUpgradeSubcommand)', () => {
      const safe = oz('admin', 'safemode', 'status');
      expect(safe.status, safe.stderr).toBe(0);
      expect(safe.stdout).toMatch(/in safe mode/); // no datanode reported: Ozone stays in safe mode
      expect(oz('admin', 'datanode', 'list').status).toBe(0);
      expect(oz('admin', 'pipeline', 'list').status).toBe(0);
      const containers = oz('admin', 'container', 'list');
      expect(containers.status, containers.stderr).toBe(0);
      expect(Array.isArray(JSON.parse(containers.stdout))).toBe(true);
      expect(oz('getconf', 'storagecontainermanagers').stdout.trim()).toBe(HOST);
      expect(oz('getconf', '-confKey', 'ozone.scm.nodes.scmservice').stdout.trim()).toBe('scm1');
      expect(oz('getconf', '-confKey', 'no.such.key').status).toBe(255);
      const fin = oz('admin', 'scm', 'finalizeupgrade');
      expect(fin.status, fin.stderr).toBe(0);
      expect(fin.stdout).toMatch(/Upgrade has already been finalized\./);
    });

    it('--daemon stop, then status 3 again', () => {
      expect(oz('--daemon', 'stop', 'scm').status).toBe(0);
      expect(oz('--daemon', 'status', 'scm').status).toBe(3);
    });
  });
}
