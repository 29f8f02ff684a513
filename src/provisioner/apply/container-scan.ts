/**
 * Reads one SCM node's `containers` column family with the host's own tool (`ozone debug ldb … scan
 * --column-family=containers --compact`, ozone-scm-ha.md §9): on a running SCM the tool reads a consistent
 * checkpoint from it, on a stopped one the database itself. The result is canonical (records sorted by
 * container id), so scans of different nodes compare with `===`.
 */
import { posix } from 'node:path';
import { ApplyError } from './apply-error.js';
import { tail, type OpOptions, type ScmOps } from './scm-ops.js';

export interface ContainerScan {
  /** container ids, ascending */
  readonly ids: readonly string[];
  /** the records as canonical JSON: equal text = equal containers */
  readonly canonical: string;
}

function byId(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) && x !== y ? x - y : a < b ? -1 : a > b ? 1 : 0;
}

/** Parses the tool's output (a JSON object keyed by container id; empty output = no container). */
export function parseContainerScan(stdout: string): ContainerScan | null {
  const text = stdout.trim();
  if (text === '') return { ids: [], canonical: '[]' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const ids = Object.keys(value).sort(byId);
  const records = value as Record<string, unknown>;
  return { ids, canonical: JSON.stringify(ids.map((id) => [id, records[id]])) };
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
