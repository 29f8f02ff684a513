/**
 * Topologies of SCM rings on this machine (`transport: local`), for the Day-2 and upgrade e2e tests and
 * `bench:day2`: each host on its own loopback address with its directories under `root/<host>/`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LocalTopology {
  readonly name: string;
  /** where every host's directories live (`root/<host>/{install,conf,metadata,logs}`) */
  readonly root: string;
  /** node id → host name */
  readonly nodes: Readonly<Record<string, string>>;
  /** host name → loopback address */
  readonly addresses: Readonly<Record<string, string>>;
  /** `spec.properties` (quoted) */
  readonly properties?: Readonly<Record<string, string>>;
  /** `timeouts.scmStart`, e.g. `120s` */
  readonly scmStart?: string;
}

/** Writes `<root>/<name>.yaml` and returns its path. */
export function writeLocalTopology(t: LocalTopology): string {
  const hosts = [...new Set(Object.values(t.nodes))];
  const lines = [
    'apiVersion: scmctl.io/v1alpha1',
    'kind: ScmCluster',
    'metadata:',
    `  name: ${t.name}`,
    'spec:',
    '  transport: local',
    '  listen: address',
    '  services:',
    '    - serviceId: scmservice',
    '      primordial: scm1',
    '      nodes:',
    ...Object.entries(t.nodes).map(([id, h]) => `        - { nodeId: ${id}, host: ${h} }`),
    '  hosts:',
    ...hosts.flatMap((h) => [
      `    - name: ${h}`,
      `      address: ${t.addresses[h]}`,
      '      directories:',
      `        install: ${t.root}/${h}/install`,
      `        config: ${t.root}/${h}/conf`,
      `        metadata: ${t.root}/${h}/metadata`,
      `        logs: ${t.root}/${h}/logs`,
    ]),
    ...(t.properties && Object.keys(t.properties).length > 0 ? ['  properties:', ...Object.entries(t.properties).map(([k, v]) => `    ${k}: "${v}"`)] : []),
    '  timeouts:',
    `    scmStart: ${t.scmStart ?? '120s'}`,
    '',
  ];
  mkdirSync(t.root, { recursive: true });
  const file = join(t.root, `${t.name}.yaml`);
  writeFileSync(file, lines.join('\n'));
  return file;
}
