/**
 * Reads every host of a topology, read-only (the only I/O before planning): HostFacts per host, facts of
 * each further SCM node on a host, and the current text of managed files whose hash differs from what would
 * be rendered (for diffs and for the "is this file ours" decision). A host that cannot be read becomes a
 * failure entry (code + message), never an exception: the plan reports every unreachable host at once.
 */
import type { Clock } from '../../common/clock.js';
import { isCodedError } from '../../common/coded-error.js';
import { gatherFacts } from '../facts/gather-facts.js';
import type { RemoteHost } from '../hosts/remote-host.js';
import { sha256Hex } from '../render/managed-header.js';
import type { RenderedFile } from '../render/render-host.js';
import type { Topology } from '../topology/model.js';
import type { ClusterFacts, FactsFailure, HostObservation, NodeObservation } from './cluster-facts.js';
import { hostSudo, probePlanFor } from './probe-specs.js';

/** The part of HostPool this needs (tests pass fakes). */
export interface HostSource {
  forEach<T>(
    task: (host: RemoteHost, name: string) => Promise<T>,
    options?: { names?: readonly string[]; concurrency?: number; signal?: AbortSignal },
  ): Promise<readonly ({ readonly host: string; readonly ok: true; readonly value: T } | { readonly host: string; readonly ok: false; readonly error: unknown })[]>;
}

export interface GatherClusterOptions {
  /** the user running scmctl (SCMs of `local` hosts run as this user) */
  readonly localUser: string;
  readonly concurrency?: number;
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
}

export function toFailure(error: unknown): FactsFailure {
  if (isCodedError(error)) return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  return { code: 'FACTS_PROBE_FAILED', message: error instanceof Error ? error.message : String(error) };
}

async function observeHost(
  topology: Topology,
  files: readonly RenderedFile[],
  host: RemoteHost,
  name: string,
  options: GatherClusterOptions,
): Promise<HostObservation> {
  const th = topology.hosts.find((h) => h.name === name)!;
  const probe = probePlanFor(topology, th, files, options.localUser);
  const common = { ...(options.clock ? { clock: options.clock } : {}), ...(options.signal ? { signal: options.signal } : {}) };
  const facts = await gatherFacts(host, probe.spec, common);
  const nodes: Record<string, NodeObservation> = {};
  if (probe.firstNode && facts.scm) nodes[probe.firstNode] = { scm: facts.scm, release: facts.release };
  for (const extra of probe.extraNodes) {
    const f = await gatherFacts(host, extra.spec, common);
    if (f.scm) nodes[extra.node] = { scm: f.scm, release: f.release };
  }
  const contents: Record<string, string> = {};
  const sudo = hostSudo(th);
  for (const f of files) {
    const current = facts.files[f.path];
    if (current === null || current === undefined || current === sha256Hex(f.content)) continue;
    const bytes = await host.readFile(f.path, { ...(sudo ? { sudo: true } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    if (bytes) contents[f.path] = bytes.toString('utf8');
  }
  return { ok: true, facts, nodes, contents };
}

export async function gatherClusterFacts(
  topology: Topology,
  rendered: ReadonlyMap<string, readonly RenderedFile[]>,
  hosts: HostSource,
  options: GatherClusterOptions,
): Promise<ClusterFacts> {
  const outcomes = await hosts.forEach((host, name) => observeHost(topology, rendered.get(name) ?? [], host, name, options), {
    names: topology.hosts.map((h) => h.name),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const out: Record<string, HostObservation> = {};
  for (const o of outcomes) out[o.host] = o.ok ? o.value : { ok: false, error: toFailure(o.error) };
  return { hosts: out };
}
