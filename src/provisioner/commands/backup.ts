/**
 * `scmctl backup FILE --out DIR [--node NODE] [--service-id ID] [-o json]`: a consistent checkpoint of a
 * running service's scm.db, taken from a follower so the leader keeps serving (no SCM stops), brought to
 * DIR as `<cluster>-<service>-<UTC time>.tar.gz` with its manifest `.json` (clusterID, term#index,
 * containers, sha256; backup/backup-manifest.ts). `scmctl restore` brings a whole service back from it.
 * Exit 0 written, 1 error.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { systemClock } from '../../common/clock.js';
import { compactUtc } from '../apply/scm-backup.js';
import { ScmOps } from '../apply/scm-ops.js';
import { BACKUP_FORMAT, BackupError, type BackupManifest } from '../backup/backup-manifest.js';
import { takeBackup } from '../backup/take-backup.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { serviceRing } from '../plan/dangerous-states.js';
import { nodeKey } from '../plan/plan-model.js';
import { plan } from '../plan/planner.js';
import { peerOf } from '../plan/ring-view.js';
import type { ScmNode, Topology } from '../topology/model.js';
import { loadClusterInput, openSession, parseConcurrency } from './cluster-input.js';
import { pickService } from '../migrate/add-nodes.js';
import { controlledRun } from './run-control.js';
import { shows } from '../verbosity.js';
import type { ClusterFacts } from '../plan/cluster-facts.js';

export const backupCommand: CommandSpec = {
  name: 'backup',
  summary: 'copy a running service\'s SCM database (from a follower, no downtime)',
  description:
    'Takes a consistent checkpoint of scm.db from a follower of the service (or --node), with `ozone debug ldb ' +
    'checkpoint` on its host while it keeps running, and writes it to DIR as <cluster>-<service>-<UTC time>.tar.gz ' +
    'beside a .json manifest holding the clusterID, the Raft term#index the copy holds, its container ids and the ' +
    'archive\'s sha256. `scmctl restore FILE --from MANIFEST` rebuilds the service from it after every host was lost.',
  args: ['<file>'],
  options: [
    { flags: '--out <dir>', description: 'directory to write the backup to (created if missing)' },
    { flags: '--node <node>', description: 'the SCM to copy from (default: a follower that keeps up with the leader)' },
    { flags: '--service-id <id>', description: 'the service, when the topology has several' },
    { flags: '--timeout <duration>', description: 'give up after this long, e.g. 30m' },
    { flags: '-o, --output <format>', description: 'text, or json for the manifest on stdout (a JSON document on errors too)', defaultValue: 'text', choices: ['text', 'json'] },
  ],
  examples: ['scmctl backup examples/local-ha.yaml --out /srv/backups/scm'],
  run: (args, options, ctx) => runBackup(args, options, ctx),
};

/** A running follower that keeps up (the leader only when the service has one SCM), or the one asked for. */
function sourceNode(topology: Topology, serviceId: string, facts: ClusterFacts, wanted: string | undefined): { node: ScmNode; role: string } {
  const s = topology.services.find((x) => x.serviceId === serviceId)!;
  const ring = serviceRing(s, facts);
  const running = (n: ScmNode): boolean => {
    const h = facts.hosts[n.host];
    return !!(h && h.ok && h.nodes[nodeKey(n.serviceId, n.nodeId)]?.scm.running);
  };
  const roleOf = (n: ScmNode): string => (ring ? peerOf({ key: '', address: n.address, ratisPort: n.ports.ratis }, ring) : undefined)?.role.toUpperCase() ?? (s.nodes.length === 1 ? 'LEADER' : '');
  const lagging = (n: ScmNode): boolean => (ring ? peerOf({ key: '', address: n.address, ratisPort: n.ports.ratis }, ring) : undefined)?.lagging === true;
  if (wanted !== undefined) {
    const n = s.nodes.find((x) => x.nodeId === wanted || nodeKey(x.serviceId, x.nodeId) === wanted);
    if (!n) throw new BackupError('BACKUP_NO_SOURCE', `no SCM node ${wanted} in service ${serviceId}`, { hint: `name one of ${s.nodes.map((x) => x.nodeId).join(', ')}` });
    if (!running(n)) throw new BackupError('BACKUP_NO_SOURCE', `${n.nodeId} is not running: a backup is taken from a running SCM`, { hint: 'start it, or leave out --node' });
    return { node: n, role: roleOf(n) };
  }
  const candidates = s.nodes.filter((n) => running(n) && !lagging(n));
  const pick = candidates.find((n) => roleOf(n) === 'FOLLOWER') ?? (s.nodes.length === 1 ? candidates[0] : undefined);
  if (!pick) {
    throw new BackupError('BACKUP_NO_SOURCE', `service ${serviceId} has no running follower that keeps up with the leader to copy from`, {
      hint: 'check `scmctl status FILE`; --node NODE copies from a given SCM (the leader too)',
    });
  }
  return { node: pick, role: roleOf(pick) };
}

export async function runBackup(args: readonly string[], options: Readonly<Record<string, unknown>>, ctx: CommandContext): Promise<number> {
  return controlledRun(ctx, options, async ({ signal, ctx: runCtx, json, say, own }) => {
    if (typeof options['out'] !== 'string') throw new BackupError('BACKUP_FAILED', '--out DIR is required: where to write the backup', { hint: 'scmctl backup FILE --out /srv/backups/scm' });
    const out = isAbsolute(options['out']) ? options['out'] : resolve(ctx.cwd, options['out']);
    const input = await loadClusterInput(args[0]!, runCtx, { json: json ? 'document' : undefined });
    if (!input || input.kind !== 'topology') return 1;
    const { topology } = input;
    const service = pickService(topology, typeof options['serviceId'] === 'string' ? options['serviceId'] : undefined);
    const session = own(openSession(topology, runCtx, parseConcurrency(undefined), undefined));
    const facts = await session.gather(signal);
    const { node, role } = sourceNode(topology, service.serviceId, facts, typeof options['node'] === 'string' ? options['node'] : undefined);
    const planNode = plan({ topology, rendered: session.rendered, facts, bundle: null }).nodes[nodeKey(node.serviceId, node.nodeId)]!;
    const progress = (line: string): void => void (shows(ctx, 'info') && say(line));
    progress(`Copying scm.db of ${planNode.key} on ${node.host} (${role || 'role unknown'}), which keeps running…\n`);
    const ops = new ScmOps(await session.pool.get(node.host, { signal }), planNode);
    const taken = await takeBackup(ops, node.directories.snapshot, systemClock, { signal, timeoutMs: 3_600_000, progress: (m) => progress(`  ${m}\n`) });
    mkdirSync(out, { recursive: true, mode: 0o700 });
    const name = `${topology.name}-${service.serviceId}-${compactUtc(taken.at)}`;
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      cluster: topology.name,
      serviceId: service.serviceId,
      clusterId: taken.clusterId,
      source: { node: planNode.key, host: node.host, scmUuid: taken.scmUuid, role },
      raft: taken.raft,
      containerIds: taken.containerIds,
      createdAt: taken.at.toISOString(),
      archive: { file: `${name}.tar.gz`, bytes: taken.archive.length, sha256: taken.sha256 },
    };
    // archive first, manifest last (each written then renamed): a manifest always has its archive
    const write = (file: string, data: string | Buffer): void => {
      writeFileSync(`${file}.partial`, data, { mode: 0o600 });
      renameSync(`${file}.partial`, file);
    };
    write(join(out, manifest.archive.file), taken.archive);
    write(join(out, `${name}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
    if (json) ctx.stdout.write(`${JSON.stringify({ manifest: join(out, `${name}.json`), ...manifest, containerIds: undefined, containers: manifest.containerIds.length })}\n`);
    else {
      ctx.stdout.write(
        `${join(out, `${name}.json`)}\n` +
          `Backup of ${service.serviceId} (clusterID ${taken.clusterId}) at term#index ${taken.raft.term}#${taken.raft.index}: ${taken.containerIds.length} containers, ` +
          `${taken.archive.length} bytes, sha256 ${taken.sha256}, from ${planNode.key} (${role || 'role unknown'}).\n`,
      );
    }
    return 0;
  }, 'document');
}
