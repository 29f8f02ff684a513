/**
 * Reads one SCM node's `containers` column family with the host's own tool (`ozone debug ldb … scan
 * --column-family=containers --compact`, docs/ozone-scm-ha.md §9): on a running SCM the tool reads a consistent
 * checkpoint from it, on a stopped one the database itself. The result is canonical (records sorted by
 * container id), so scans of different nodes compare with `===`.
 */
import { posix } from 'node:path';
import { containerIdOf, parseScanEntries } from './ldb-scan-output.js';
import { ApplyError } from './apply-error.js';
import { tail, type OpOptions, type ScmOps } from './scm-ops.js';

export interface ContainerScan {
  /** container ids, ascending */
  readonly ids: readonly string[];
  /** the records as canonical JSON: equal text = equal containers */
  readonly canonical: string;
  /** the records by id, as the tool printed them */
  readonly records: Readonly<Record<string, unknown>>;
}

/** Lifecycle order of container states: a trailing replica of the ring may show an earlier one. */
const STATE_ORDER = ['OPEN', 'CLOSING', 'QUASI_CLOSED', 'CLOSED', 'DELETING', 'DELETED'];
/** Fields that change along a container's life (usage, state): the rest must be identical everywhere. */
const LIFECYCLE_FIELDS = new Set(['state', 'usedBytes', 'numberOfKeys', 'stateEnterTime', 'sequenceId', 'deleteTransactionId']);

function fixedPart(record: unknown): string {
  if (typeof record !== 'object' || record === null) return JSON.stringify(record);
  return JSON.stringify(Object.entries(record as Record<string, unknown>).filter(([k]) => !LIFECYCLE_FIELDS.has(k)));
}

function stateRank(record: unknown): number {
  const s = typeof record === 'object' && record !== null ? (record as Record<string, unknown>)['state'] : undefined;
  return typeof s === 'string' ? STATE_ORDER.indexOf(s) : -1;
}

/**
 * Whether the nodes' containers agree: identical, or — while a writer runs — each node holds a consistent
 * earlier view of the most advanced node's containers: the same containers up to its own newest one (none
 * missing, none extra), each with the same identity (pipeline, replication, owner, …) and a state no later
 * in the lifecycle. Anything else (a lost or foreign container, a state ahead of the reference) disagrees.
 */
export function scansAgree(scans: readonly { readonly name: string; readonly scan: ContainerScan }[]): { agree: boolean; detail: string } {
  if (scans.length === 0) return { agree: true, detail: 'no node' };
  const names = scans.map((s) => s.name).join(', ');
  const first = scans[0]!.scan;
  if (scans.every((s) => s.scan.canonical === first.canonical)) return { agree: true, detail: `${first.ids.length} containers, identical on ${names}` };
  const ref = [...scans].sort((a, b) => b.scan.ids.length - a.scan.ids.length)[0]!;
  const problems: string[] = [];
  for (const { name, scan } of scans) {
    if (scan === ref.scan) continue;
    const newest = scan.ids.length > 0 ? Number(scan.ids[scan.ids.length - 1]) : 0;
    const extra = scan.ids.filter((id) => !(id in ref.scan.records));
    const holes = ref.scan.ids.filter((id) => Number(id) <= newest && !(id in scan.records));
    const changed = scan.ids.filter((id) => id in ref.scan.records && (fixedPart(scan.records[id]) !== fixedPart(ref.scan.records[id]) || stateRank(scan.records[id]) > stateRank(ref.scan.records[id])));
    if (extra.length + holes.length + changed.length === 0) continue;
    problems.push(
      `the containers of ${name} differ from ${ref.name}'s (${[
        extra.length > 0 ? `${extra.length} not on ${ref.name}, e.g. ${extra[0]}` : '',
        holes.length > 0 ? `${holes.length} missing, e.g. ${holes[0]}` : '',
        changed.length > 0 ? `${changed.length} different, e.g. ${changed[0]}` : '',
      ]
        .filter((x) => x !== '')
        .join('; ')})`,
    );
  }
  if (problems.length > 0) return { agree: false, detail: problems.join('; ') };
  return { agree: true, detail: `${ref.scan.ids.length} containers on ${ref.name}; ${names} hold consistent views of them (a writer is running)` };
}

function byId(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) && x !== y ? x - y : a < b ? -1 : a > b ? 1 : 0;
}

/** Parses the tool's output (DBScanner entries keyed by ContainerID; empty output = no container). */
export function parseContainerScan(stdout: string): ContainerScan | null {
  const entries = parseScanEntries(stdout);
  if (!entries) return null;
  const records: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    const id = containerIdOf(key);
    if (id === null) return null;
    records[id] = value;
  }
  const ids = Object.keys(records).sort(byId);
  return { ids, canonical: JSON.stringify(ids.map((id) => [id, records[id]])), records };
}

export function containerScanArgs(dbDir: string): string[] {
  return ['debug', 'ldb', `--db=${posix.join(dbDir, 'scm.db')}`, 'scan', '--column-family=containers', '--compact'];
}

export async function scanContainers(ops: ScmOps, o: OpOptions = {}): Promise<ContainerScan> {
  const r = await ops.ozone(containerScanArgs(ops.node.dbDir), o);
  const scan = r.exitCode === 0 ? parseContainerScan(r.stdout) : null;
  if (!scan) {
    throw new ApplyError('APPLY_VERIFY_FAILED', `cannot read the containers of ${ops.node.key} (ozone debug ldb, exit ${r.exitCode}): ${tail(r, 3)}`, {
      host: ops.node.host,
      hint: `run \`ozone debug ldb --db=${posix.join(ops.node.dbDir, 'scm.db')} scan --column-family=containers\` on the host to see why`,
    });
  }
  return scan;
}
