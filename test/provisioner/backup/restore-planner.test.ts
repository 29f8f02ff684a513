/** planRestore and the restored VERSION: refusals, the primordial restored instead of initialised, containers verified. */
import { describe, expect, it } from 'vitest';
import { restoredVersion } from '../../../src/provisioner/apply/tasks/restore-scm.js';
import { BACKUP_FORMAT, type BackupManifest } from '../../../src/provisioner/backup/backup-manifest.js';
import { planRestore } from '../../../src/provisioner/backup/restore-planner.js';
import { allTasks, isRunnable } from '../../../src/provisioner/plan/plan-model.js';
import { appliedState, BUNDLE, buildFacts, CID, threeNodeText, topologyOf, type ClusterState } from '../plan/cluster-fixture.js';

const t3 = topologyOf(threeNodeText());
const manifest: BackupManifest = {
  format: BACKUP_FORMAT,
  cluster: 't3',
  serviceId: 'svc',
  clusterId: CID,
  source: { node: 'svc/scm2', host: 'scm2', scmUuid: 'u2', role: 'FOLLOWER' },
  raft: { term: 4, index: 1234 },
  containerIds: ['1', '2', '3'],
  createdAt: '2026-12-07T00:00:00.000Z',
  archive: { file: 'b.tar.gz', bytes: 10, sha256: 'a'.repeat(64) },
};
const restore = (state: ClusterState, m = manifest) => {
  const { facts, rendered } = buildFacts(t3, state);
  return planRestore({ topology: t3, rendered, facts, bundle: BUNDLE, serviceId: 'svc', manifest: m, archivePath: '/backups/b.tar.gz' });
};

describe('planRestore', () => {
  it('fresh hosts: apply\'s plan with the primordial restored instead of initialised, then every node checked for the backup\'s containers', () => {
    const p = restore({});
    expect(isRunnable(p)).toBe(true);
    const kinds = allTasks(p).map((t) => t.kind);
    expect(kinds).not.toContain('init-scm');
    expect(kinds.indexOf('restore-scm')).toBeLessThan(kinds.indexOf('bootstrap-scm'));
    expect(allTasks(p).find((t) => t.kind === 'restore-scm')).toMatchObject({ host: 'scm1', archive: '/backups/b.tar.gz', clusterId: CID, sha256: 'a'.repeat(64) });
    expect(kinds.at(-1)).toBe('verify-containers');
  });

  it('refuses a running cluster, hosts of another cluster, and a secure service', () => {
    expect(restore(appliedState(t3)).problems.map((x) => x.code)).toEqual(['RESTORE_CLUSTER_RUNNING']);
    expect(restore(appliedState(t3), { ...manifest, clusterId: 'CID-00000000-0000-4000-8000-000000000099' }).problems.map((x) => x.code)).toEqual(['RESTORE_CLUSTER_RUNNING', 'RESTORE_OTHER_CLUSTER']);
    const secure = topologyOf(threeNodeText({ secure: true }));
    const { facts, rendered } = buildFacts(secure, {});
    expect(planRestore({ topology: secure, rendered, facts, bundle: BUNDLE, serviceId: 'svc', manifest, archivePath: '/b' }).problems.map((x) => x.code)).toEqual(['RESTORE_SECURE_UNSUPPORTED']);
  });

  it('an interrupted restore (the primordial holds the backup\'s cluster and runs, the others are empty) goes on: bootstrap the others', () => {
    const p = restore({ nodes: { 'svc/scm1': { clusterId: CID, running: true } } });
    expect(isRunnable(p)).toBe(true);
    expect(allTasks(p).map((t) => t.kind)).not.toContain('restore-scm');
    expect(allTasks(p).filter((t) => t.kind === 'bootstrap-scm').map((t) => t.host)).toEqual(['scm2', 'scm3']);
  });
});

describe('restoredVersion', () => {
  it('keeps the cluster, gives a new scmUuid and drops what belonged to the old ring member', () => {
    const text = `#Mon Dec 07 00:00:00 UTC 2026\nnodeType=SCM\nclusterID=${CID}\ncTime=1\nscmUuid=old\nlayoutVersion=10\nscmHA=true\nprimaryScmNodeId=old\n`;
    expect(restoredVersion(text, CID, 'new')).toBe(`#Mon Dec 07 00:00:00 UTC 2026\nnodeType=SCM\nclusterID=${CID}\ncTime=1\nscmUuid=new\nlayoutVersion=10\n`);
    expect(() => restoredVersion(text, 'CID-other', 'new')).toThrow(/inconsistent|says/);
  });
});
