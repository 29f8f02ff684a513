/**
 * Fingerprints of the facts a plan was computed from (Terraform's "saved plan is stale" check): per host, the
 * sha256 of a canonical JSON of everything the plan depends on. Volatile readings that do not change what
 * apply would do are left out: the time of gathering, clock skew, free disk bytes, pids, and the ring's
 * roles (leadership may move at any time; apply re-checks roles when it acts and re-checks the refused
 * states on fresh facts).
 */
import { createHash } from 'node:crypto';
import type { ClusterFacts, HostObservation } from './cluster-facts.js';

/** JSON with object keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function relevant(obs: HostObservation): unknown {
  if (!obs.ok) return { unreachable: obs.error.code };
  const f = obs.facts;
  return {
    transport: f.transport,
    address: f.address,
    hostKey: f.hostKeyFingerprint,
    os: { kernel: f.os.kernel, arch: f.os.arch },
    user: f.user.name,
    node: { system: f.runtime.system?.version ?? null, bundled: f.runtime.bundled?.version ?? null },
    files: f.files,
    ports: f.ports.map((p) => [p.port, p.state]),
    directories: f.directories.map((d) => [d.path, d.exists, d.notDirectory, d.writable]),
    initSystem: f.initSystem,
    nodes: Object.fromEntries(
      Object.entries(obs.nodes).map(([k, n]) => [
        k,
        {
          release: n.release?.current ?? null,
          running: n.scm.running,
          version: n.scm.version ? { clusterId: n.scm.version.clusterId, scmUuid: n.scm.version.scmUuid, scmHa: n.scm.version.scmHa } : null,
        },
      ]),
    ),
  };
}

export function hostFingerprint(obs: HostObservation): string {
  return createHash('sha256').update(canonicalJson(relevant(obs))).digest('hex');
}

export function factsFingerprint(facts: ClusterFacts): Record<string, string> {
  return Object.fromEntries(Object.entries(facts.hosts).map(([h, o]) => [h, hostFingerprint(o)]));
}

/** Hosts whose fingerprint differs (or that appear on one side only). */
export function changedHosts(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.filter((n) => before[n] !== after[n]);
}
