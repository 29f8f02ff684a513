/**
 * The `reach` preflight's probe: from each new host, a TCP connection (bash's /dev/tcp, 5 s per port) to
 * every port the existing SCM listens on now. Read-only: it opens and closes connections, nothing else.
 * Ports the SCM opens only once Ratis runs (Raft, inter-SCM) cannot be tried before the conversion; the
 * bootstrap's health gate proves them.
 */
import type { HostPool } from '../hosts/host-pool.js';
import { sh } from '../hosts/shell-quote.js';
import type { ClusterFacts } from '../plan/cluster-facts.js';
import { SCM_PORT_NAMES, type ScmNode } from '../topology/model.js';
import type { ReachResult } from './migration-planner.js';

/** The existing SCM's ports that something listens on, by its host's facts. */
export function listeningPorts(facts: ClusterFacts, existing: ScmNode): { name: string; port: number }[] {
  const h = facts.hosts[existing.host];
  if (!h || !h.ok) return [];
  return SCM_PORT_NAMES.map((name) => ({ name, port: existing.ports[name] })).filter((p) => h.facts.ports.some((f) => f.port === p.port && f.state === 'in-use'));
}

export function parseReachOutput(stdout: string, address: string, ports: readonly { name: string; port: number }[]): ReachResult[] {
  const ok = new Set(
    stdout
      .split('\n')
      .map((l) => /^(\d+) ok$/.exec(l.trim())?.[1])
      .filter((x): x is string => x !== undefined),
  );
  return ports.map((p) => ({ portName: p.name, target: `${address}:${p.port}`, ok: ok.has(String(p.port)) }));
}

export async function probeReach(pool: HostPool, hosts: readonly string[], existing: ScmNode, facts: ClusterFacts, signal?: AbortSignal): Promise<Record<string, ReachResult[]>> {
  const ports = listeningPorts(facts, existing);
  const out: Record<string, ReachResult[]> = {};
  await Promise.all(
    hosts.map(async (name) => {
      if (!facts.hosts[name]?.ok) return;
      if (ports.length === 0) {
        out[name] = [];
        return;
      }
      const host = await pool.get(name, signal ? { signal } : {});
      const cmd = sh`for p in ${ports.map((p) => String(p.port))}; do if timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1"' ${existing.address} "$p" 2>/dev/null; then echo "$p ok"; else echo "$p fail"; fi; done`;
      const r = await host.exec(cmd, { ...(signal ? { signal } : {}), timeoutMs: 10_000 + 6_000 * ports.length });
      out[name] = parseReachOutput(r.stdout, existing.address, ports);
    }),
  );
  return out;
}
