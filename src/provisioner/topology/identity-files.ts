/**
 * The SSH identity files a topology names (`ssh.identityFile`, a bastion's `identityFile`), checked on the
 * machine running scmctl when a topology is loaded (validate, plan, apply…): a key that does not exist or
 * cannot be read is a warning — TOPOLOGY_SSH_IDENTITY_MISSING / TOPOLOGY_SSH_IDENTITY_UNREADABLE — at the
 * line that names it, instead of a connection failure on every host later. Warnings, not errors: the key
 * may be made before the first `apply`, or only be needed on another machine (CI, a bastion).
 *
 * Paths are resolved as the SSH layer reads them: `~/` from HOME, relative paths from the working directory
 * (plan/host-connection.ts). Only files of hosts that connect over SSH are checked.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { expandHome } from './home-path.js';
import type { Topology } from './model.js';
import type { Reporter } from './reporter.js';
import type { SpecSsh, TopologyDocument } from './spec-types.js';

export interface IdentityCheckOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** the working directory relative paths are read from; without it relative paths are not checked */
  readonly cwd?: string;
}

interface Named {
  readonly pointer: string;
  readonly path: string;
  readonly users: string[];
}

/** Every identityFile the SSH hosts use, by the pointer that declares it (a cluster-level one once, with its hosts). */
function namedFiles(document: TopologyDocument, topology: Topology): Named[] {
  const byPointer = new Map<string, Named>();
  const declared = (at: string, ssh: SpecSsh | undefined): { own?: string; bastions?: ReadonlyArray<{ identityFile?: string }> } => ({
    ...(ssh?.identityFile !== undefined ? { own: `${at}/identityFile` } : {}),
    ...(ssh?.bastions !== undefined ? { bastions: ssh.bastions } : {}),
  });
  const add = (pointer: string, path: string, host: string): void => {
    const n = byPointer.get(pointer) ?? { pointer, path, users: [] };
    n.users.push(host);
    byPointer.set(pointer, n);
  };
  const cluster = declared('/spec/ssh', document.spec.ssh);
  const specHosts = document.spec.hosts ?? [];
  for (const h of topology.hosts) {
    if (h.transport.kind !== 'ssh') continue;
    const ssh = h.transport.ssh;
    const i = specHosts.findIndex((s) => s.name === h.name);
    const own = i >= 0 ? declared(`/spec/hosts/${i}/ssh`, specHosts[i]!.ssh) : {};
    if (ssh.identityFile !== undefined) {
      const pointer = own.own ?? cluster.own;
      if (pointer) add(pointer, ssh.identityFile, h.name);
    }
    const bastionsAt = own.bastions !== undefined ? `/spec/hosts/${i}/ssh/bastions` : '/spec/ssh/bastions';
    ssh.bastions.forEach((b, j) => {
      if (b.identityFile !== undefined) add(`${bastionsAt}/${j}/identityFile`, b.identityFile, h.name);
    });
  }
  return [...byPointer.values()];
}

function hostsText(users: readonly string[]): string {
  const shown = users.slice(0, 3).join(', ');
  return `${users.length === 1 ? 'host' : 'hosts'} ${shown}${users.length > 3 ? ` and ${users.length - 3} more` : ''}`;
}

export function checkIdentityFiles(document: TopologyDocument, topology: Topology, reporter: Reporter, options: IdentityCheckOptions): void {
  for (const n of namedFiles(document, topology)) {
    const expanded = expandHome(n.path, options.env);
    // without HOME (or a working directory for a relative path) there is nothing certain to check
    if (expanded.startsWith('~') || (!isAbsolute(expanded) && options.cwd === undefined)) continue;
    const file = isAbsolute(expanded) ? expanded : resolve(options.cwd!, expanded);
    const shown = file === n.path ? file : `${n.path} (${file})`;
    const who = hostsText(n.users);
    let isFile: boolean;
    try {
      isFile = statSync(file).isFile();
    } catch {
      reporter.warning(n.pointer, 'TOPOLOGY_SSH_IDENTITY_MISSING', `the SSH identity file ${shown} does not exist on this machine; ${who} cannot log in with it`, {
        hint: `create the key (ssh-keygen -t ed25519 -f ${n.path}) and add its .pub to ~/.ssh/authorized_keys on the hosts, or correct the path`,
      });
      continue;
    }
    let readable = isFile;
    if (isFile) {
      try {
        accessSync(file, constants.R_OK);
      } catch {
        readable = false;
      }
    }
    if (!readable) {
      reporter.warning(n.pointer, 'TOPOLOGY_SSH_IDENTITY_UNREADABLE', `the SSH identity file ${shown} ${isFile ? 'cannot be read by this user' : 'is not a file'}; ${who} cannot log in with it`, {
        hint: isFile ? `run scmctl as the key's owner, or give this user read access (chmod 600 and chown to this user)` : 'name the private key file itself, e.g. ~/.ssh/id_ed25519',
      });
    }
  }
}
