/**
 * Directory rules.
 *  - TOPOLOGY_DIRECTORY_NOT_ABSOLUTE: every declared directory is an absolute path.
 *  - TOPOLOGY_INVALID_VALUE: directories hold only characters that need no quoting in scm.env and a systemd
 *    unit (no whitespace, quotes, `$`, backslash, backtick, `;&|<>()*?`), and no `.`/`..` segments.
 *  - TOPOLOGY_DIRECTORY_CONFLICT: within one SCM, the Raft log (ratis), checkpoint (snapshot) and DB
 *    directories are distinct from each other and from config/logs/install (HDDS-7088: a shared Ratis
 *    directory made OM pick up SCM's group); across SCMs and hosts on one machine, config, metadata, db,
 *    ratis, snapshot and logs are not shared (install may be). Paths are compared normalised
 *    (`normalisePath`: `a//b` = `a/b/` = `a/b`).
 *  - TOPOLOGY_DIRECTORY_ROOT: a data directory (metadata, db, ratis, snapshot) is not `/` (nor a path that
 *    normalises to it, like `//`): SCM data would be written into the root of the file system.
 */
import { posix } from 'node:path';
import { DIRECTORY_NAMES, type DirectoryName } from '../model.js';
import { childPointer, pointer } from '../json-pointer.js';
import { nodeKey } from '../normalise.js';
import { machineOf, needsClientConfig } from '../queries.js';
import type { DeclaredDirectories } from '../directories.js';
import type { Rule } from './rule.js';

const UNSAFE = /[\s'"$\\`;&|<>()*?]/;

/** Directories SCM writes its data into. */
const DATA: readonly DirectoryName[] = ['metadata', 'db', 'ratis', 'snapshot'];

/** `/a//b/` → `/a/b`: one spelling per directory, for comparisons. */
export function normalisePath(path: string): string {
  const n = posix.normalize(path);
  return n.length > 1 ? n.replace(/\/+$/, '') : n;
}

function checkDeclared(declared: DeclaredDirectories | undefined, at: string, report: Parameters<Rule>[0]['reporter']): void {
  if (!declared) return;
  for (const name of DIRECTORY_NAMES) {
    const value = declared[name];
    if (value === undefined) continue;
    const p = childPointer(at, name);
    if (!value.startsWith('/')) {
      report.error(p, 'TOPOLOGY_DIRECTORY_NOT_ABSOLUTE', `directories.${name} must be an absolute path, got "${value}"`, {
        hint: `start it with "/", e.g. /var/lib/ozone/${name}`,
      });
    } else if (UNSAFE.test(value) || value.split('/').some((seg) => seg === '.' || seg === '..')) {
      report.error(p, 'TOPOLOGY_INVALID_VALUE', `directories.${name} "${value}" contains characters scmctl does not accept in paths`, {
        hint: 'use letters, digits and / . _ - + @ : = , (no spaces, quotes, $ or . / .. segments)',
      });
    } else if (DATA.includes(name) && normalisePath(value) === '/') {
      report.error(p, 'TOPOLOGY_DIRECTORY_ROOT', `directories.${name} is "${value}", the root of the file system: SCM data would be written there`, {
        hint: `give it a directory of its own, e.g. /var/lib/ozone/${name}`,
      });
    }
  }
}

const PRIVATE: readonly DirectoryName[] = ['config', 'metadata', 'db', 'ratis', 'snapshot', 'logs'];
const DISTINCT: ReadonlyArray<readonly [DirectoryName, DirectoryName]> = [
  ['ratis', 'db'],
  ['ratis', 'metadata'],
  ['ratis', 'snapshot'],
  ['snapshot', 'db'],
  ['snapshot', 'metadata'],
  ...(['metadata', 'db', 'ratis', 'snapshot'] as const).flatMap((d) => (['config', 'logs', 'install'] as const).map((o) => [d, o] as const)),
];

export const directories: Rule = ({ document, topology, provenance, reporter }) => {
  const spec = document.spec;
  const before = reporter.errorCount;
  checkDeclared(spec.directories, '/spec/directories', reporter);
  spec.hosts?.forEach((h, k) => checkDeclared(h.directories, pointer('spec', 'hosts', k, 'directories'), reporter));
  spec.services.forEach((s, i) => s.nodes.forEach((n, j) => checkDeclared(n.directories, pointer('spec', 'services', i, 'nodes', j, 'directories'), reporter)));
  if (reporter.errorCount > before) return;

  // Within one SCM.
  for (const service of topology.services) {
    for (const node of service.nodes) {
      const key = nodeKey(service.serviceId, node.nodeId);
      for (const [a, b] of DISTINCT) {
        if (normalisePath(node.directories[a]) !== normalisePath(node.directories[b])) continue;
        reporter.error(provenance.nodeDirectories.get(`${key}/${a}`) ?? '/spec', 'TOPOLOGY_DIRECTORY_CONFLICT', `SCM ${service.serviceId}/${node.nodeId}: directories ${a} and ${b} are the same (${node.directories[a]})`, {
          hint: `give ${a} a directory of its own`,
        });
      }
    }
  }

  // Across SCMs and client configs on one machine.
  const hostsByName = new Map(topology.hosts.map((h) => [h.name as string, h]));
  const owners = new Map<string, string>();
  const claim = (machine: string, dir: DirectoryName, path: string, owner: string, at: string): void => {
    const k = `${machine}\u0000${normalisePath(path)}`;
    const previous = owners.get(k);
    if (previous !== undefined && previous !== owner) {
      reporter.error(at, 'TOPOLOGY_DIRECTORY_CONFLICT', `${owner} and ${previous} would share ${path} on one machine (${dir})`, {
        hint: 'give each SCM on a machine its own directories (hosts[].directories or nodes[].directories)',
      });
      return;
    }
    owners.set(k, owner);
  };
  for (const service of topology.services) {
    for (const node of service.nodes) {
      const host = hostsByName.get(node.host);
      if (!host) continue;
      const key = nodeKey(service.serviceId, node.nodeId);
      const owner = `SCM ${service.serviceId}/${node.nodeId}`;
      const seen = new Set<string>();
      for (const d of PRIVATE) {
        const path = node.directories[d];
        if (seen.has(normalisePath(path))) continue; // metadata == db is the default, not a conflict
        seen.add(normalisePath(path));
        claim(machineOf(host), d, path, owner, provenance.nodeDirectories.get(`${key}/${d}`) ?? '/spec');
      }
    }
  }
  for (const host of topology.hosts) {
    if (!needsClientConfig(topology, host)) continue;
    const at = provenance.hosts.get(host.name);
    claim(machineOf(host), 'config', host.directories.config, `the client config of ${host.name}`, at ? `${at}/name` : '/spec/hosts');
  }
};
