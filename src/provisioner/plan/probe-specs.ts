/**
 * Topology → what facts reads on each host (FactsProbeSpec), pure. Facts never reads the topology model;
 * this file is the one translation: install dir, `bin/ozone` with the environment scm.env gives it, rendered
 * files and restart markers to hash, VERSION location, pid file, the SCM ports on the host's address,
 * directories and disk.
 *
 * A host with several SCM nodes gets its first node probed with the host, the others with a small extra spec
 * each (their own install, VERSION, pid file and roles).
 */
import { posix } from 'node:path';
import type { FactsProbeSpec, OzoneProbe } from '../facts/probe-spec.js';
import type { RenderedFile } from '../render/render-host.js';
import type { Host, ScmNode, Topology } from '../topology/model.js';
import { SCM_PORT_NAMES } from '../topology/model.js';
import { keytabOnHost, scmNodesOnHost } from '../topology/queries.js';
import { restartMarkerPath } from './host-paths.js';
import { nodeKey, type NodeKey } from './plan-model.js';

export interface HostProbePlan {
  readonly host: string;
  readonly spec: FactsProbeSpec;
  /** the node whose SCM section is in `spec` */
  readonly firstNode: NodeKey | null;
  readonly extraNodes: readonly { readonly node: NodeKey; readonly spec: FactsProbeSpec }[];
}

/** Whether privileged steps on this host go through sudo (become), for facts and apply alike. */
export function hostSudo(host: Host): boolean {
  return host.transport.kind === 'ssh' && host.transport.ssh.become.enabled;
}

/** The OS user the SCMs of this host run as (names the pid file): root with sudo, else the login user. */
export function scmRunAs(host: Host, localUser: string): string {
  if (host.transport.kind === 'local') return localUser;
  return host.transport.ssh.become.enabled ? 'root' : host.transport.ssh.user;
}

/** `KEY=value` lines of a rendered scm.env (comments skipped). */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

export function ozoneBin(node: ScmNode): string {
  return posix.join(node.directories.install, 'current', 'bin', 'ozone');
}

function ozoneProbe(node: ScmNode, files: readonly RenderedFile[]): OzoneProbe {
  const envFile = files.find((f) => f.kind === 'scm-env' && f.scm?.serviceId === node.serviceId && f.scm?.nodeId === node.nodeId);
  return { bin: ozoneBin(node), env: envFile ? parseEnvFile(envFile.content) : { OZONE_CONF_DIR: node.directories.config } };
}

function nodeSection(node: ScmNode, files: readonly RenderedFile[], runAs: string): Pick<FactsProbeSpec, 'installDir' | 'ozone' | 'scm'> {
  return {
    installDir: node.directories.install,
    ozone: ozoneProbe(node, files),
    scm: { dbDir: node.directories.db, pidFile: posix.join(node.directories.logs, `ozone-${runAs}-scm.pid`) },
  };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

export function probePlanFor(topology: Topology, host: Host, files: readonly RenderedFile[], localUser: string): HostProbePlan {
  const nodes = scmNodesOnHost(topology, host.name);
  const runAs = scmRunAs(host, localUser);
  const sudo = hostSudo(host);
  const onHost = keytabOnHost(topology, host.name);
  const keytab = onHost ? [onHost.path] : [];
  const managedFiles = unique([...files.map((f) => f.path), ...nodes.map((n) => restartMarkerPath(n.directories.config)), ...keytab]);
  const directories = unique([
    ...nodes.flatMap((n) => (['install', 'config', 'metadata', 'db', 'ratis', 'snapshot', 'logs'] as const).map((d) => n.directories[d])),
    ...files.map((f) => posix.dirname(f.path)),
    ...keytab.map((k) => posix.dirname(k)),
  ]);
  const ports = unique(nodes.flatMap((n) => SCM_PORT_NAMES.map((p) => String(n.ports[p])))).map(Number);
  const first = nodes[0];
  const spec: FactsProbeSpec = {
    ...(sudo ? { sudo: true } : {}),
    ...(first ? nodeSection(first, files, runAs) : {}),
    managedFiles,
    ...(ports.length > 0 ? { ports: { address: host.address, ports } } : {}),
    directories,
    diskPaths: unique(nodes.flatMap((n) => [n.directories.metadata, n.directories.db, n.directories.ratis])),
    // Node.js matters only where an embedded SCM runs (preflight's runtime check, the bundle's Node choice)
    ...(first && topology.runtime.kind === 'embedded' ? {} : { probeNode: false }),
    ...(first && topology.runtime.kind === 'apache-ozone' && topology.runtime.java && 'home' in topology.runtime.java ? { javaHome: topology.runtime.java.home } : {}),
  };
  return {
    host: host.name,
    spec,
    firstNode: first ? nodeKey(first.serviceId, first.nodeId) : null,
    extraNodes: nodes.slice(1).map((n) => ({ node: nodeKey(n.serviceId, n.nodeId), spec: { ...(sudo ? { sudo: true } : {}), ...nodeSection(n, files, runAs) } })),
  };
}
