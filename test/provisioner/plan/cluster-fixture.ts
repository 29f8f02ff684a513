/**
 * Facts of a whole cluster, built from a short description, for planner and status tests: what is
 * installed, which files are on each host, each SCM node's VERSION, whether it runs and how the ring looks.
 */
import type { HostFacts, RolePeer } from '../../../src/provisioner/facts/host-facts.js';
import type { ClusterFacts, FactsFailure, HostObservation, NodeObservation } from '../../../src/provisioner/plan/cluster-facts.js';
import { restartMarkerPath } from '../../../src/provisioner/plan/host-paths.js';
import { nodeKey, type PlanBundle } from '../../../src/provisioner/plan/plan-model.js';
import { probePlanFor } from '../../../src/provisioner/plan/probe-specs.js';
import { sha256Hex } from '../../../src/provisioner/render/managed-header.js';
import { renderAll, type RenderedFile } from '../../../src/provisioner/render/render-host.js';
import { loadTopologyText } from '../../../src/provisioner/topology/load.js';
import type { Topology } from '../../../src/provisioner/topology/model.js';
import { SCM_PORT_NAMES } from '../../../src/provisioner/topology/model.js';
import { scmNodesOnHost } from '../../../src/provisioner/topology/queries.js';

export const RELEASE = '0.1.0-aaaaaaaa';
export const OLD_RELEASE = '0.0.9-bbbbbbbb';
export const CID = 'CID-11111111-1111-1111-1111-111111111111';

export const BUNDLE: PlanBundle = { release: RELEASE, sha256: 'f'.repeat(64), platform: 'linux', arch: 'x64', bundledNode: false };

export function topologyOf(text: string): Topology {
  const r = loadTopologyText(text, 'test.yaml', { env: { HOME: '/home/op' } });
  if (!r.topology) throw new Error(JSON.stringify(r.diagnostics, null, 2));
  return r.topology;
}

const dirs = (h: string): string => `      directories:
        install: /srv/${h}/install
        config: /srv/${h}/conf
        metadata: /srv/${h}/meta
        logs: /srv/${h}/logs`;

/** Three SCMs on 10.0.0.1-3 over SSH (as `ozone`), plus an `extraHosts` block (client-only hosts). */
export function threeNodeText(options: { properties?: Record<string, string>; extraHosts?: string; ratisOff?: boolean; become?: boolean; secure?: boolean } = {}): string {
  const props = options.properties ? `  properties:\n${Object.entries(options.properties).map(([k, v]) => `    ${k}: "${v}"`).join('\n')}\n` : '';
  return `apiVersion: scmctl.io/v1alpha1
kind: ScmCluster
metadata:
  name: t3
spec:
  listen: address
${options.secure ? '  security: { enabled: true, tls: true }\n' : ''}  ssh:
    user: ozone
    identityFile: ~/.ssh/id_ed25519
${options.become ? '    become:\n      enabled: true\n      passwordEnv: SUDO_PW\n' : ''}  services:
    - serviceId: svc
      primordial: scm1
      nodes:
        - { nodeId: scm1, host: scm1 }
        - { nodeId: scm2, host: scm2 }
        - { nodeId: scm3, host: scm3 }
  hosts:
    - name: scm1
      address: 10.0.0.1
${dirs('scm1')}
    - name: scm2
      address: 10.0.0.2
${dirs('scm2')}
    - name: scm3
      address: 10.0.0.3
${dirs('scm3')}
${options.extraHosts ?? ''}${props}`;
}

export function standaloneText(): string {
  return `apiVersion: scmctl.io/v1alpha1
kind: ScmCluster
metadata:
  name: solo
spec:
  transport: local
  listen: address
  ratis: { enabled: false }
  services:
    - serviceId: svc
      nodes:
        - { nodeId: scm1, host: scm1 }
  hosts:
    - name: scm1
      address: 127.0.0.1
${dirs('scm1')}
`;
}

export interface NodeState {
  /** null = no VERSION */
  readonly clusterId?: string | null;
  readonly scmUuid?: string;
  readonly running?: boolean;
  readonly marker?: boolean;
  /** the release `current` points at (null = not installed) */
  readonly release?: string | null;
  /** VERSION's scmHA (default true; false = a standalone SCM) */
  readonly scmHa?: boolean;
}

export interface HostState {
  readonly unreachable?: FactsFailure;
  /** 'rendered' (default when the host's nodes are initialised), 'absent', or per path the content on the host (null = absent) */
  readonly files?: 'rendered' | 'absent' | Readonly<Record<string, string | null>>;
  readonly portsInUse?: readonly number[];
  /** directories exist (default: when files are rendered) */
  readonly dirs?: boolean;
  readonly arch?: string;
  readonly systemNode?: string | null;
  readonly skewMs?: number;
  readonly freeBytes?: number;
  readonly hostKey?: string;
  readonly unwritable?: readonly string[];
}

export interface ClusterState {
  readonly hosts?: Readonly<Record<string, HostState>>;
  readonly nodes?: Readonly<Record<string, NodeState>>;
  /** the ring every running node reports; default: every running node, the first running one LEADER */
  readonly ring?: {
    readonly leader: string | null;
    readonly members: readonly string[];
    readonly ids?: Readonly<Record<string, string>>;
    /** the leader's view of a member, as the embedded SCM reports it (role UNREACHABLE, lastContactMs, lagging) */
    readonly health?: Readonly<Record<string, Partial<Pick<RolePeer, 'role' | 'lastContactMs' | 'lagging'>>>>;
  } | null;
  /** members of the ring that are none of the topology's nodes */
  readonly strangers?: readonly RolePeer[];
}

export function uuidOf(key: string): string {
  const n = key.split('/')[1]!.replace(/\D/g, '') || '0';
  return `00000000-0000-4000-8000-${n.padStart(12, '0')}`;
}

/** Everything applied: installed, files rendered, initialised, running, a ring with the first node leading. */
export function appliedState(topology: Topology, overrides: ClusterState = {}): ClusterState {
  const nodes: Record<string, NodeState> = {};
  for (const s of topology.services) for (const n of s.nodes) nodes[nodeKey(s.serviceId, n.nodeId)] = { clusterId: CID, running: true, release: RELEASE };
  return { hosts: { ...overrides.hosts }, nodes: { ...nodes, ...overrides.nodes }, ...(overrides.ring !== undefined ? { ring: overrides.ring } : {}), ...(overrides.strangers ? { strangers: overrides.strangers } : {}) };
}

export function buildFacts(topology: Topology, state: ClusterState = {}): { facts: ClusterFacts; rendered: ReadonlyMap<string, readonly RenderedFile[]> } {
  const rendered = renderAll(topology);
  const allNodes = topology.services.flatMap((s) => s.nodes.map((n) => ({ s, n, key: nodeKey(s.serviceId, n.nodeId) })));
  const nodeState = (key: string): NodeState => state.nodes?.[key] ?? {};
  const runningKeys = allNodes.filter((x) => nodeState(x.key).running).map((x) => x.key);
  const ring =
    state.ring === null
      ? null
      : (state.ring ?? (runningKeys.length > 0 ? { leader: runningKeys[0]!, members: allNodes.filter((x) => nodeState(x.key).clusterId).map((x) => x.key) } : null));
  const peers: RolePeer[] = ring
    ? ring.members.map((k): RolePeer => {
        const x = allNodes.find((a) => a.key === k)!;
        return {
          host: x.n.address,
          address: `${x.n.address}:${x.n.ports.ratis}`,
          role: k === ring.leader ? 'LEADER' : 'FOLLOWER',
          id: ring.ids?.[k] ?? nodeState(k).scmUuid ?? uuidOf(k),
          inetAddress: x.n.address,
          ...('health' in ring ? ring.health?.[k] : {}),
        };
      }).concat(state.strangers ?? [])
    : [];
  const hosts: Record<string, HostObservation> = {};
  for (const h of topology.hosts) {
    const hs = state.hosts?.[h.name] ?? {};
    if (hs.unreachable) {
      hosts[h.name] = { ok: false, error: hs.unreachable };
      continue;
    }
    const files = rendered.get(h.name) ?? [];
    const onHost = scmNodesOnHost(topology, h.name);
    const anyInit = onHost.some((n) => nodeState(nodeKey(n.serviceId, n.nodeId)).clusterId);
    const fileMode = hs.files ?? (anyInit || onHost.length === 0 ? 'rendered' : 'absent');
    const probe = probePlanFor(topology, h, files, 'ozone');
    const hashes: Record<string, string | null> = {};
    const contents: Record<string, string> = {};
    for (const p of probe.spec.managedFiles ?? []) hashes[p] = null;
    for (const f of files) {
      let content: string | null;
      if (fileMode === 'rendered') content = f.content;
      else if (fileMode === 'absent') content = null;
      else content = f.path in fileMode ? fileMode[f.path]! : f.content;
      hashes[f.path] = content === null ? null : sha256Hex(content);
      if (content !== null && content !== f.content) contents[f.path] = content;
    }
    const nodes: Record<string, NodeObservation> = {};
    for (const n of onHost) {
      const key = nodeKey(n.serviceId, n.nodeId);
      const ns = nodeState(key);
      if (ns.marker) hashes[restartMarkerPath(n.directories.config)] = 'e'.repeat(64);
      const release = ns.release === undefined ? (ns.clusterId ? RELEASE : null) : ns.release;
      nodes[key] = {
        release: { installDir: n.directories.install, current: release ? `releases/${release}` : null, releaseName: release, ozoneVersion: release ? release.split('-')[0]! : null },
        scm: {
          version: ns.clusterId
            ? {
                path: `${n.directories.db}/scm/current/VERSION`,
                nodeType: 'SCM',
                clusterId: ns.clusterId,
                scmUuid: ns.scmUuid ?? uuidOf(key),
                scmHa: ns.scmHa ?? true,
                primaryScmNodeId: null,
                layoutVersion: 10,
                cTime: 1,
                scmCertSerialId: null,
                properties: {},
              }
            : null,
          running: ns.running === true,
          runningSource: 'daemon-status',
          pid: ns.running ? 4000 : null,
          roles: ns.running ? (peers.length > 0 ? { ok: true, peers } : { ok: false, exitCode: 1, message: 'no leader' }) : null,
        },
      };
    }
    const dirsExist = hs.dirs ?? fileMode !== 'absent';
    const inUse = new Set(hs.portsInUse ?? []);
    const ports = [...new Set(onHost.flatMap((n) => SCM_PORT_NAMES.map((p) => n.ports[p])))];
    const facts: HostFacts = {
      host: h.name,
      transport: h.transport.kind,
      address: h.address,
      hostKeyFingerprint: h.transport.kind === 'ssh' ? (hs.hostKey ?? `SHA256:${h.name}`) : null,
      gatheredAt: '2026-01-01T00:00:00.000Z',
      os: { kernel: 'Linux', kernelRelease: '6.1.0', arch: hs.arch ?? 'x86_64', hostname: h.name, distroId: 'debian', distroVersion: '12', prettyName: 'Debian 12' },
      user: { uid: 1000, name: 'ozone' },
      runtime: {
        minNodeMajor: 20,
        system: hs.systemNode === null ? null : { path: 'node', version: hs.systemNode ?? 'v20.19.1', major: Number.parseInt((hs.systemNode ?? 'v20.19.1').slice(1), 10), satisfies: Number.parseInt((hs.systemNode ?? 'v20.19.1').slice(1), 10) >= 20 },
        bundled: null,
        usable: 'system',
      },
      release: onHost[0] ? nodes[nodeKey(onHost[0].serviceId, onHost[0].nodeId)]!.release : null,
      files: hashes,
      scm: onHost[0] ? nodes[nodeKey(onHost[0].serviceId, onHost[0].nodeId)]!.scm : null,
      ports: ports.map((p) => ({ port: p, address: h.address, state: inUse.has(p) ? 'in-use' : 'free', listeners: inUse.has(p) ? [`${h.address}:${p}`] : [] })),
      directories: (probe.spec.directories ?? []).map((d) => ({
        path: d,
        exists: dirsExist,
        notDirectory: false,
        empty: dirsExist ? false : null,
        owner: dirsExist ? 'ozone' : null,
        group: dirsExist ? 'ozone' : null,
        mode: dirsExist ? 0o755 : null,
        writable: !(hs.unwritable ?? []).includes(d),
        existingAncestor: dirsExist ? null : '/srv',
      })),
      initSystem: 'other',
      clock: { skewMs: hs.skewMs ?? 3, uncertaintyMs: 2 },
      disk: (probe.spec.diskPaths ?? []).map((p) => ({ path: p, measured: '/srv', mountPoint: '/', totalBytes: 100 * 1024 ** 3, availableBytes: hs.freeBytes ?? 50 * 1024 ** 3 })),
    };
    hosts[h.name] = { ok: true, facts, nodes, contents };
  }
  return { facts: { hosts }, rendered };
}
