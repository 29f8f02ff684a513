/**
 * Builds ozone-site.xml content / OzoneConf for test SCM clusters on loopback: nodes scm1..N on the given
 * hosts with every listener bound to the node's own host (so several SCMs share the default ports).
 */
import { OzoneConf } from '../../src/scm/config/ozone-conf.js';

export interface SiteOptions {
  readonly hosts: readonly string[];
  readonly metadataDir: (nodeId: string) => string;
  readonly ratis?: boolean;
  readonly primordial?: string;
  readonly nodeId?: string;
  readonly extra?: Readonly<Record<string, string>>;
  /** per node: port overrides, e.g. { scm1: { 'ozone.scm.block.client.port': 1234 } } */
  readonly nodePorts?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export function siteProperties(o: SiteOptions): Record<string, string> {
  const ids = o.hosts.map((_, i) => `scm${i + 1}`);
  const p: Record<string, string> = {
    'ozone.scm.service.ids': 'scmservice',
    'ozone.scm.nodes.scmservice': ids.join(','),
    'ozone.scm.ratis.enable': String(o.ratis ?? false),
    'hdds.heartbeat.interval': '300ms',
    'hdds.scmclient.failover.retry.interval': '100ms',
    ...(o.primordial ? { 'ozone.scm.primordial.node.id': o.primordial } : {}),
    ...(o.nodeId ? { 'ozone.scm.node.id': o.nodeId } : {}),
  };
  o.hosts.forEach((h, i) => {
    const id = ids[i]!;
    p[`ozone.scm.address.scmservice.${id}`] = h;
    for (const k of ['ozone.scm.client.bind.host', 'ozone.scm.block.client.bind.host', 'ozone.scm.datanode.bind.host', 'ozone.scm.security.service.bind.host']) p[`${k}.scmservice.${id}`] = h;
    p[`ozone.scm.http-address.scmservice.${id}`] = `${h}:${o.nodePorts?.[id]?.['http'] ?? 9876}`;
    p[`ozone.scm.https-address.scmservice.${id}`] = `${h}:${o.nodePorts?.[id]?.['https'] ?? 9877}`;
    p[`ozone.scm.db.dirs.scmservice.${id}`] = o.metadataDir(id);
    for (const [k, v] of Object.entries(o.nodePorts?.[id] ?? {})) if (k !== 'http' && k !== 'https') p[`${k}.scmservice.${id}`] = String(v);
  });
  // ozone.metadata.dirs is per host in real deployments; tests set it for the node in question via nodeId.
  if (o.nodeId) p['ozone.metadata.dirs'] = o.metadataDir(o.nodeId);
  return { ...p, ...o.extra };
}

export function siteXml(props: Readonly<Record<string, string>>): string {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<?xml version="1.0"?>\n<configuration>\n${Object.entries(props)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `  <property><name>${esc(k)}</name><value>${esc(v)}</value></property>`)
    .join('\n')}\n</configuration>\n`;
}

export function siteConf(props: Readonly<Record<string, string>>): OzoneConf {
  return new OzoneConf(Object.entries(props));
}
