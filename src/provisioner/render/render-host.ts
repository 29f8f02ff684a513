/**
 * Rendering: (topology, host) → the files that host needs (docs/design.md §4.2). Pure and deterministic:
 * the same model gives byte-identical files (sorted properties, no timestamps), each with the managed-by
 * header carrying its sha256.
 *  - per SCM node on the host, in the node's config directory: ozone-site.xml, scm.env, ozone-scm.service;
 *  - for an OM/datanode/client role, in the host's config directory: ozone-site.xml with the client keys,
 *    unless that directory is already an SCM node's (whose file carries every client key).
 */
import { posix } from 'node:path';
import type { Host, ScmNode, Topology } from '../topology/model.js';
import { needsClientConfig, requireHost, scmNodesOnHost } from '../topology/queries.js';
import { TopologyError } from '../topology/topology-error.js';
import { withManagedHeader, type CommentStyle } from './managed-header.js';
import { renderTemplate } from './mustache-adapter.js';
import { siteProperties, type SiteVariant } from './site-properties.js';
import { template } from './templates.js';

export type RenderedFileKind = 'ozone-site' | 'scm-env' | 'systemd-unit';

export interface RenderedFile {
  /** absolute path on the host */
  readonly path: string;
  readonly content: string;
  /** permission bits for the file (no secrets are ever rendered) */
  readonly mode: number;
  readonly kind: RenderedFileKind;
  /** the hash in the managed-by header (of the content without the header line) */
  readonly sha256: string;
  /** the SCM node the file configures; absent for a host's client ozone-site.xml */
  readonly scm?: { readonly serviceId: string; readonly nodeId: string };
}

export const FILE_MODE = 0o644;

// Values spliced into scm.env and the unit without quoting; validation guarantees this, rendering re-checks.
const LINE_SAFE = /^[^\s'"$\\`;&|<>()*?]*$/;

function lineSafe(values: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  for (const [k, v] of Object.entries(values)) {
    if (v !== undefined && !LINE_SAFE.test(v)) {
      throw new TopologyError('TOPOLOGY_RENDER_UNSAFE_VALUE', `cannot render ${k}=${JSON.stringify(v)} into an env file or unit`, {
        hint: 'this is a bug in scmctl: validation should have rejected the value',
      });
    }
  }
  return values;
}

function file(
  path: string,
  kind: RenderedFileKind,
  body: string,
  style: CommentStyle,
  scm: { serviceId: string; nodeId: string } | undefined,
): RenderedFile {
  const { content, sha256 } = withManagedHeader(body, style);
  return { path, content, mode: FILE_MODE, kind, sha256, ...(scm ? { scm } : {}) };
}

export function renderSiteXml(topology: Topology, variant: SiteVariant): string {
  return renderTemplate(template('ozone-site.xml'), { properties: siteProperties(topology, variant) }, 'xml');
}

/**
 * What scm.env tells bin/ozone about its runtime: the embedded SCM's Node.js (`OZONE_NODE`), or an Apache
 * Ozone release's Java (`JAVA_HOME`: the hosts' own, or the one installed with the release under
 * `current/java`) and heap (`OZONE_HEAPSIZE_MAX`, read by Ozone's ozone-functions.sh).
 */
function runtimeEnv(topology: Topology, install: string): Record<string, string | undefined> {
  const rt = topology.runtime;
  if (rt.kind === 'apache-ozone') {
    const javaHome = rt.java === undefined ? undefined : 'home' in rt.java ? rt.java.home : `${install}/current/java`;
    return { javaHome, heap: rt.heap };
  }
  return { ozoneNode: rt.node === 'bundled' ? `${install}/current/node/bin/node` : rt.node === 'system' ? 'node' : undefined };
}

/** OZONE_SCM_OPTS, double-quoted in scm.env: the schema keeps quotes, `$`, backslashes and newlines out */
function jvmOptions(topology: Topology): { jvmOptions?: string } {
  const o = topology.runtime.kind === 'apache-ozone' ? topology.runtime.jvmOptions : undefined;
  if (o === undefined) return {};
  if (!/^[^\n\r'"`$\\]*$/.test(o)) {
    throw new TopologyError('TOPOLOGY_RENDER_UNSAFE_VALUE', `cannot render OZONE_SCM_OPTS=${JSON.stringify(o)} into an env file`, { hint: 'this is a bug in scmctl: validation should have rejected the value' });
  }
  return { jvmOptions: o };
}

function scmFiles(topology: Topology, node: ScmNode): RenderedFile[] {
  const dirs = node.directories;
  const scm = { serviceId: node.serviceId, nodeId: node.nodeId };
  const env = { ...lineSafe({ install: dirs.install, config: dirs.config, logs: dirs.logs, ...runtimeEnv(topology, dirs.install) }), ...jvmOptions(topology) };
  const unit = lineSafe({
    serviceId: node.serviceId,
    nodeId: node.nodeId,
    install: dirs.install,
    config: dirs.config,
    user: topology.runtime.user,
    group: topology.runtime.group,
  });
  return [
    file(posix.join(dirs.config, 'ozone-site.xml'), 'ozone-site', renderSiteXml(topology, { kind: 'scm', node }), 'xml', scm),
    file(posix.join(dirs.config, 'scm.env'), 'scm-env', renderTemplate(template('scm.env'), env, 'none'), 'hash', scm),
    file(posix.join(dirs.config, 'ozone-scm.service'), 'systemd-unit', renderTemplate(template('ozone-scm.service'), unit, 'none'), 'hash', scm),
  ];
}

// A client file depends on the host only through its metadata directory, so hosts sharing one share the
// rendering (a 1,000-host cluster renders it once). Keyed by the immutable model.
const clientSiteCache = new WeakMap<Topology, Map<string, string>>();

function clientSiteXml(topology: Topology, host: Host): string {
  let byMetadata = clientSiteCache.get(topology);
  if (!byMetadata) clientSiteCache.set(topology, (byMetadata = new Map()));
  let xml = byMetadata.get(host.directories.metadata);
  if (xml === undefined) {
    xml = renderSiteXml(topology, { kind: 'client', host });
    byMetadata.set(host.directories.metadata, xml);
  }
  return xml;
}

function clientFiles(topology: Topology, host: Host): RenderedFile[] {
  if (!needsClientConfig(topology, host)) return [];
  return [file(posix.join(host.directories.config, 'ozone-site.xml'), 'ozone-site', clientSiteXml(topology, host), 'xml', undefined)];
}

/** The files of one host, SCM nodes first (services order), then the client config. Throws TOPOLOGY_HOST_NOT_FOUND. */
export function renderHost(topology: Topology, hostName: string): readonly RenderedFile[] {
  const host = requireHost(topology, hostName);
  return [...scmNodesOnHost(topology, host.name).flatMap((n) => scmFiles(topology, n)), ...clientFiles(topology, host)];
}

/** Every host's files, in topology host order. */
export function renderAll(topology: Topology): ReadonlyMap<string, readonly RenderedFile[]> {
  return new Map(topology.hosts.map((h) => [h.name as string, renderHost(topology, h.name)]));
}
