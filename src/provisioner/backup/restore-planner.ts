/**
 * planRestore(): the plan of `scmctl restore FILE --from MANIFEST`, pure. Disaster recovery: every host of
 * the service lost its SCM data, and the service comes back from a backup with the same clusterID and
 * containers. It is apply's plan (runtime, files, then the primordial node first, the others bootstrapped
 * one at a time, rolling restart, verify) with `--init` of the primordial replaced by `restore-scm` (the
 * backup unpacked with a new scmUuid; its first start makes a one-node ring of it), plus a check that every
 * node holds every container of the backup.
 *
 * Refused: RESTORE_CLUSTER_RUNNING (an SCM of the service runs and the primordial does not hold the backup's
 * cluster yet — never restore over a running cluster),
 * RESTORE_OTHER_CLUSTER (a node holds another clusterID), RESTORE_SECURE_UNSUPPORTED (a secure service: its
 * CA keys are not in the backup). A restore interrupted after the primordial got its data continues with
 * apply's plan (the primordial then holds the backup's clusterID).
 */
import type { ClusterFacts } from '../plan/cluster-facts.js';
import { nodeKey, type Phase, type Plan, type PlanProblem, type Task } from '../plan/plan-model.js';
import { plan, type PlanInput } from '../plan/planner.js';
import { hostSudo } from '../plan/probe-specs.js';
import type { ScmNode, ScmService } from '../topology/model.js';
import type { BackupManifest } from './backup-manifest.js';

export interface RestoreInput extends PlanInput {
  readonly serviceId: string;
  readonly manifest: BackupManifest;
  /** the archive's local path (checked by readBackup) */
  readonly archivePath: string;
}

function scmOf(facts: ClusterFacts, n: ScmNode) {
  const h = facts.hosts[n.host];
  return h && h.ok ? h.nodes[nodeKey(n.serviceId, n.nodeId)]?.scm : undefined;
}

function refusals(input: RestoreInput, s: ScmService): PlanProblem[] {
  const out: PlanProblem[] = [];
  const { manifest } = input;
  if (input.topology.security.enabled) {
    out.push({
      code: 'RESTORE_SECURE_UNSUPPORTED',
      hosts: [],
      message: `service ${s.serviceId} is secure: a backup holds scm.db, not the root CA's keys, so a restored ring could not issue or check certificates`,
      hint: 'restore the primordial SCM\'s metadata directory (with its CA) from a file-system backup instead',
    });
  }
  const running = s.nodes.filter((n) => scmOf(input.facts, n)?.running);
  // a primordial already holding the backup's cluster is a restore under way (or done): apply's plan goes on
  const primordial = s.nodes.find((n) => n.nodeId === s.primordial.nodeId)!;
  const ours = scmOf(input.facts, primordial)?.version?.clusterId === manifest.clusterId;
  const whole = s.nodes.every((n) => scmOf(input.facts, n)?.version?.clusterId === manifest.clusterId && scmOf(input.facts, n)?.running);
  if (running.length > 0 && (!ours || whole)) {
    out.push({
      code: 'RESTORE_CLUSTER_RUNNING',
      hosts: running.map((n) => n.host),
      message: `service ${s.serviceId}: ${running.map((n) => n.nodeId).join(', ')} ${running.length === 1 ? 'runs' : 'run'}; a restore never overwrites a running cluster`,
      hint: 'restore is for when every SCM of the service is lost; to bring back one SCM use `scmctl repair FILE NODE`',
    });
  }
  const other = s.nodes.filter((n) => {
    const cid = scmOf(input.facts, n)?.version?.clusterId;
    return cid !== undefined && cid !== null && cid !== manifest.clusterId;
  });
  if (other.length > 0) {
    out.push({
      code: 'RESTORE_OTHER_CLUSTER',
      hosts: other.map((n) => n.host),
      message: `service ${s.serviceId}: ${other.map((n) => `${n.nodeId} holds ${scmOf(input.facts, n)!.version!.clusterId}`).join(', ')}, the backup is of ${manifest.clusterId}`,
      hint: 'restore onto hosts without SCM data (move the old metadata directories aside deliberately first)',
    });
  }
  return out;
}

export function planRestore(input: RestoreInput): Plan {
  const base = plan(input);
  const s = input.topology.services.find((x) => x.serviceId === input.serviceId)!;
  const problems = refusals(input, s);
  if (problems.length > 0) return { ...base, problems: [...base.problems, ...problems], phases: base.phases.map((p) => ({ ...p, tasks: [] })), fileChanges: [] };
  const primordial = s.nodes.find((n) => n.nodeId === s.primordial.nodeId)!;
  const pkey = nodeKey(primordial.serviceId, primordial.nodeId);
  const host = input.topology.hosts.find((h) => h.name === primordial.host)!;
  const restore: Task = {
    kind: 'restore-scm',
    id: `restore:${primordial.host}:${pkey}`,
    title: `restore ${pkey} on ${primordial.host} from the backup of ${input.manifest.clusterId} (term#index ${input.manifest.raft.term}#${input.manifest.raft.index}, ${input.manifest.containerIds.length} containers)`,
    host: primordial.host,
    node: pkey,
    archive: input.archivePath,
    sha256: input.manifest.archive.sha256,
    clusterId: input.manifest.clusterId,
    sudo: hostSudo(host),
  };
  const keys = s.nodes.map((n) => nodeKey(n.serviceId, n.nodeId));
  const verify: Task = {
    kind: 'verify-containers',
    id: `verify-containers:${s.serviceId}`,
    title: `verify every node of ${s.serviceId} holds the ${input.manifest.containerIds.length} containers of the backup`,
    host: primordial.host,
    serviceId: s.serviceId,
    nodes: keys,
  };
  const phases: Phase[] = base.phases.map((p) => {
    if (p.id === 'init') return { ...p, tasks: p.tasks.map((t) => (t.kind === 'init-scm' && t.node === pkey ? restore : t)) };
    if (p.id === 'verify') return { ...p, tasks: [...p.tasks, verify] };
    return p;
  });
  return { ...base, phases };
}
