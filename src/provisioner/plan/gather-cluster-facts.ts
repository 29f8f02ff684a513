/**
 * Reads every host of a topology, read-only (the only I/O before planning): HostFacts per host, facts of
 * each further SCM node on a host, and the current text of managed files whose hash differs from what would
 * be rendered (for diffs and for the "is this file ours" decision). A host that cannot be read becomes a
 * failure entry (code + message), never an exception: the plan reports every unreachable host at once.
 * Each service's ring is read through one running SCM (ring-reads.ts).
 */
import type { Clock } from '../../common/clock.js';
import { isCodedError } from '../../common/coded-error.js';
import { gatherFacts, gatherRoles } from '../facts/gather-facts.js';
import type { RemoteHost } from '../hosts/remote-host.js';
import { sha256Hex } from '../render/managed-header.js';
import type { RenderedFile } from '../render/render-host.js';
import type { Topology } from '../topology/model.js';
import type { RolesFacts } from '../facts/host-facts.js';
import type { RolesTurn } from '../facts/scm-probe.js';
import type { ClusterFacts, FactsFailure, HostObservation, NodeObservation } from './cluster-facts.js';
import { nodeKey, type NodeKey } from './plan-model.js';
import { hostSudo, probePlanFor } from './probe-specs.js';
import { RingReads } from './ring-reads.js';

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
  ring: RingReads,
): Promise<HostObservation> {
  const th = topology.hosts.find((h) => h.name === name)!;
  const probe = probePlanFor(topology, th, files, options.localUser);
  const common = commonOptions(options);
  const turn = (key: NodeKey | null): { rolesTurn?: RolesTurn } => (key ? { rolesTurn: ring.turn(key) } : {});
  try {
    const facts = await gatherFacts(host, probe.spec, { ...common, ...turn(probe.firstNode) });
    const nodes: Record<string, NodeObservation> = {};
    if (probe.firstNode && facts.scm) nodes[probe.firstNode] = { scm: facts.scm, release: facts.release };
    for (const extra of probe.extraNodes) {
      const f = await gatherFacts(host, extra.spec, { ...common, ...turn(extra.node) });
      if (f.scm) nodes[extra.node] = { scm: f.scm, release: f.release };
    }
    return { ok: true, facts, nodes, contents: await differingContents(th, files, facts.files, host, options) };
  } finally {
    ring.settle([probe.firstNode, ...probe.extraNodes.map((e) => e.node)].filter((k): k is NodeKey => k !== null));
  }
}

function commonOptions(options: GatherClusterOptions): { clock?: Clock; signal?: AbortSignal } {
  return { ...(options.clock ? { clock: options.clock } : {}), ...(options.signal ? { signal: options.signal } : {}) };
}

/** The current text of the managed files whose hash differs from what would be rendered. */
async function differingContents(
  th: Topology['hosts'][number],
  files: readonly RenderedFile[],
  hashes: Readonly<Record<string, string | null>>,
  host: RemoteHost,
  options: GatherClusterOptions,
): Promise<Record<string, string>> {
  const contents: Record<string, string> = {};
  const sudo = hostSudo(th);
  for (const f of files) {
    const current = hashes[f.path];
    if (current === null || current === undefined || current === sha256Hex(f.content)) continue;
    const bytes = await host.readFile(f.path, { ...(sudo ? { sudo: true } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    if (bytes) contents[f.path] = bytes.toString('utf8');
  }
  return contents;
}

/**
 * The deferred ring reads (ring-reads.ts): per service still without an answer, its deferred nodes asked one
 * by one, in order, until one answers; each answer goes into that node's observation.
 */
async function readDeferredRings(
  topology: Topology,
  rendered: ReadonlyMap<string, readonly RenderedFile[]>,
  hosts: HostSource,
  options: GatherClusterOptions,
  ring: RingReads,
  out: Record<string, HostObservation>,
): Promise<void> {
  const nodeByKey = new Map(topology.services.flatMap((s) => s.nodes.map((n) => [nodeKey(n.serviceId, n.nodeId), n] as const)));
  await Promise.all(
    ring.deferred().map(async (keys) => {
      for (const key of keys) {
        const node = nodeByKey.get(key)!;
        const obs = out[node.host];
        const th = topology.hosts.find((h) => h.name === node.host)!;
        const probe = probePlanFor(topology, th, rendered.get(node.host) ?? [], options.localUser);
        const spec = probe.firstNode === key ? probe.spec : probe.extraNodes.find((e) => e.node === key)?.spec;
        if (!obs?.ok || !obs.nodes[key] || !spec) continue;
        const [r] = await hosts.forEach((host) => gatherRoles(host, spec, commonOptions(options)), {
          names: [node.host],
          ...(options.signal ? { signal: options.signal } : {}),
        });
        const roles: RolesFacts = r!.ok ? r!.value : { ok: false, exitCode: -1, message: toFailure(r!.error).message };
        ring.answered(key, roles);
        const nodes = { ...obs.nodes, [key]: { ...obs.nodes[key]!, scm: { ...obs.nodes[key]!.scm, roles } } };
        out[node.host] = { ...obs, nodes, ...(probe.firstNode === key ? { facts: { ...obs.facts, scm: nodes[key]!.scm } } : {}) };
        if (roles.ok) return;
      }
    }),
  );
}

export async function gatherClusterFacts(
  topology: Topology,
  rendered: ReadonlyMap<string, readonly RenderedFile[]>,
  hosts: HostSource,
  options: GatherClusterOptions,
): Promise<ClusterFacts> {
  const ring = new RingReads(topology);
  const outcomes = await hosts.forEach((host, name) => observeHost(topology, rendered.get(name) ?? [], host, name, options, ring), {
    names: topology.hosts.map((h) => h.name),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const out: Record<string, HostObservation> = {};
  for (const o of outcomes) out[o.host] = o.ok ? o.value : { ok: false, error: toFailure(o.error) };
  await readDeferredRings(topology, rendered, hosts, options, ring, out);
  return { hosts: out };
}
