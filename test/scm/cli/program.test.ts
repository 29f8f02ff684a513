import { describe, expect, it } from 'vitest';
import type { CliActions, FreonCliOptions, LdbScanCliOptions } from '../../../src/scm/cli/cli-types.js';
import { runProgram } from '../../../src/scm/cli/program.js';

function recorder(): { actions: CliActions; calls: Array<[string, ...unknown[]]> } {
  const calls: Array<[string, ...unknown[]]> = [];
  const rec = (name: string) => async (...args: unknown[]): Promise<number> => {
    calls.push([name, ...args]);
    return 0;
  };
  const actions: CliActions = {
    version: rec('version'), scm: rec('scm'), roles: rec('roles'), transfer: rec('transfer'),
    ldbList: rec('ldbList'), ldbScan: rec('ldbScan'), ldbCheckpoint: rec('ldbCheckpoint'), freon: rec('freon'), datanode: rec('datanode'), containerCreate: rec('containerCreate'),
    tokenCreate: rec('tokenCreate'), tokenList: rec('tokenList'), tokenRevoke: rec('tokenRevoke'), decommission: rec('decommission'),
    certList: rec('certList'), certRevoke: rec('certRevoke'), certRequest: rec('certRequest'),
    datanodeList: rec('datanodeList'), pipelineList: rec('pipelineList'), containerList: rec('containerList'), containerInfo: rec('containerInfo'),
    getconf: rec('getconf'), finalizeUpgrade: rec('finalizeUpgrade'), finalizationStatus: rec('finalizationStatus'),
    safeMode: rec('safeMode'),
  };
  return { actions, calls };
}

const run = async (argv: string[]): Promise<{ code: number; calls: Array<[string, ...unknown[]]>; err: string }> => {
  const { actions, calls } = recorder();
  let err = '';
  const code = await runProgram(argv, actions, { out: () => {}, err: (s) => (err += s) });
  return { code, calls, err };
};

describe('ozone command line (commander adapter)', () => {
  it('freon randomkeys: the documented kebab-case options', async () => {
    const { code, calls } = await run(['freon', 'randomkeys', '--num-of-volumes=1', '--num-of-buckets=1', '--num-of-keys=10000', '--key-size=524288', '--type=RATIS', '--num-of-threads=8', '--factor=THREE', '--buffer-size=1048576']);
    expect(code).toBe(0);
    expect(calls[0]![0]).toBe('freon');
    expect(calls[0]![2]).toEqual<FreonCliOptions>({
      numOfThreads: 8, numOfVolumes: 1, numOfBuckets: 1, numOfKeys: 10000, keySize: 524288, bufferSize: 1048576,
      replicationType: 'RATIS', factor: 'THREE', validateWrites: false, json: undefined, cleanObjects: false,
    });
  });

  it('freon randomkeys: the camelCase spellings of the SCM-HA docs give the same options', async () => {
    const camel = await run(['freon', 'randomkeys', '--numOfVolumes=1', '--numOfBuckets=1', '--numOfKeys=10000', '--keySize=524288', '--replicationType=RATIS', '--numOfThreads=8', '--factor=THREE', '--bufferSize=1048576']);
    const kebab = await run(['freon', 'rk', '--num-of-volumes', '1', '--num-of-buckets', '1', '--num-of-keys', '10000', '--key-size', '512KB', '--replication-type', 'ratis', '-t', '8', '-F', '3', '--buffer-size', '1MB']);
    expect(camel.calls[0]![2]).toEqual(kebab.calls[0]![2]);
  });

  it('freon defaults are Ozone\'s; --json without a value means JSON on stdout; bad values are usage errors', async () => {
    const d = await run(['freon', 'rk', '--json']);
    expect(d.calls[0]![2]).toMatchObject({ numOfThreads: 10, numOfVolumes: 10, numOfBuckets: 1000, numOfKeys: 500000, keySize: 10240, bufferSize: 4096, factor: 'THREE', replicationType: 'RATIS', json: '' });
    const bad = await run(['freon', 'rk', '--numOfKeys=zero']);
    expect(bad.code).toBe(2);
    expect(bad.calls).toEqual([]);
    expect(bad.err).toMatch(/num-of-keys must be a positive integer/);
    expect((await run(['freon', 'rk', '--factor=TWO'])).code).toBe(2);
  });

  it('debug ldb scan accepts --column-family, --column_family and --cf, --with-keys[=false], --limit, --compact', async () => {
    for (const flag of ['--column-family=containers', '--column_family=containers', '--cf=containers']) {
      const r = await run(['debug', 'ldb', '--db=/x/scm.db', 'scan', flag]);
      expect(r.calls[0]).toEqual(['ldbScan', {}, { db: '/x/scm.db' }, { columnFamily: 'containers', withKeys: true, limit: -1, compact: false, count: false } satisfies LdbScanCliOptions]);
    }
    const r = await run(['debug', 'ldb', '--db', '/x/scm.db', 'scan', '--cf', 'pipelines', '--with-keys=false', '--limit', '5', '--compact']);
    expect(r.calls[0]![3]).toEqual({ columnFamily: 'pipelines', withKeys: false, limit: 5, compact: true, count: false });
    expect((await run(['debug', 'ldb', '--db=/x', 'ls'])).calls[0]).toEqual(['ldbList', {}, { db: '/x' }]);
    expect((await run(['debug', 'ldb', '--db=/x/scm.db', 'checkpoint', '--output=/backup/scm.db'])).calls[0]).toEqual(['ldbCheckpoint', {}, { db: '/x/scm.db' }, '/backup/scm.db']);
    expect((await run(['debug', 'ldb', '--db=/x/scm.db', 'checkpoint'])).code).toBe(2);
    const missing = await run(['debug', 'ldb', '--db=/x', 'scan']);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--column-family/);
  });

  it('scm, daemon, roles, transfer and datanode options', async () => {
    expect((await run(['scm', '--init', '--clusterid', 'u'])).calls[0]).toEqual(['scm', {}, { init: true, bootstrap: false, genclusterid: false, clusterid: 'u' }]);
    expect((await run(['--conf', '/etc/ozone', '--daemon', 'start', 'scm'])).calls[0]).toEqual(['scm', { conf: '/etc/ozone', daemon: 'start' }, { init: false, bootstrap: false, genclusterid: false }]);
    expect((await run(['--daemon', 'restart', 'scm'])).code).toBe(2);
    expect((await run(['admin', 'scm', 'roles', '--table'])).calls[0]![2]).toEqual({ format: 'table' });
    expect((await run(['admin', 'scm', 'roles', '--json', '--service-id=svc'])).calls[0]![2]).toEqual({ serviceId: 'svc', format: 'json' });
    expect((await run(['admin', 'scm', 'transfer', '-n', 'scm2'])).calls[0]![2]).toEqual({ nodeId: 'scm2', random: false });
    expect((await run(['admin', 'scm', 'transfer'])).code).toBe(2);
    // TransferScmLeaderSubCommand's spellings: -n/--new-leader-id, --newLeaderId (≤2.2); ScmOption's -id
    expect((await run(['admin', 'scm', 'transfer', '--new-leader-id', 'u1', '-id', 'svc'])).calls[0]![2]).toEqual({ serviceId: 'svc', nodeId: 'u1', random: false });
    expect((await run(['admin', 'scm', 'transfer', '--newLeaderId=u2', '-id=svc2'])).calls[0]![2]).toEqual({ serviceId: 'svc2', nodeId: 'u2', random: false });
    expect((await run(['--version'])).calls[0]![0]).toBe('version');
    expect((await run([])).code).toBe(1);
    expect((await run(['datanode', '--count', '4'])).calls[0]![2]).toEqual({ count: 4 });
    expect((await run(['admin', 'container', 'create'])).calls[0]![2]).toEqual({ count: 1, replicationType: 'RATIS', factor: 'THREE', owner: 'admin' });
    expect((await run(['admin', 'container', 'create', '--count', '100000', '-r', 'ONE', '-o', 'load'])).calls[0]![2]).toEqual({ count: 100000, replicationType: 'RATIS', factor: 'ONE', owner: 'load' });
    expect((await run(['admin', 'container', 'create', '--count', '0'])).code).toBe(2);
    expect((await run(['no-such'])).code).toBe(2);
  });
});
