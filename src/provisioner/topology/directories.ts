/**
 * Directory inheritance (docs/design.md §4.1): built-in defaults → `spec.directories` → `hosts[].directories`
 * → `services[].nodes[].directories`. `install`, `config`, `metadata` and `logs` are inherited as given.
 * `db`, `ratis` and `snapshot` default to places under the effective metadata directory: a level that sets
 * `metadata` but not one of them moves it under its own metadata; a level that sets neither inherits it.
 * This rule is compositional: a child's effective directories depend only on its parent's effective ones
 * and on what the child itself declares, which is what makes export (to-spec.ts) minimal and exact.
 */
import { DIRECTORY_NAMES, type DirectoryName, type Directories } from './model.js';

export type DeclaredDirectories = Partial<Record<DirectoryName, string>>;

const DERIVED = ['db', 'ratis', 'snapshot'] as const;
type DerivedName = (typeof DERIVED)[number];

export function deriveFromMetadata(name: DerivedName, metadata: string): string {
  const base = metadata.replace(/\/+$/, '') || '/';
  const join = (leaf: string): string => (base === '/' ? `/${leaf}` : `${base}/${leaf}`);
  switch (name) {
    case 'db':
      return metadata;
    case 'ratis':
      return join('scm.ratis');
    case 'snapshot':
      return join('scm.ratis.snapshot');
    default: {
      const unreachable: never = name;
      return unreachable;
    }
  }
}

const BUILTIN_METADATA = '/var/lib/ozone/metadata';

export const BUILTIN_DIRECTORIES: Directories = Object.freeze({
  install: '/opt/scmctl',
  config: '/etc/ozone',
  metadata: BUILTIN_METADATA,
  db: deriveFromMetadata('db', BUILTIN_METADATA),
  ratis: deriveFromMetadata('ratis', BUILTIN_METADATA),
  snapshot: deriveFromMetadata('snapshot', BUILTIN_METADATA),
  logs: '/var/log/ozone',
});

function isDerived(name: DirectoryName): name is DerivedName {
  return (DERIVED as readonly string[]).includes(name);
}

/** The effective directories of a level, given its parent's effective directories and its own declarations. */
export function resolveDirectories(parent: Directories, declared: DeclaredDirectories | undefined): Directories {
  if (declared === undefined) return parent;
  const metadata = declared.metadata ?? parent.metadata;
  const out = {} as Record<DirectoryName, string>;
  for (const name of DIRECTORY_NAMES) {
    const own = declared[name];
    if (own !== undefined) out[name] = own;
    else if (isDerived(name) && declared.metadata !== undefined) out[name] = deriveFromMetadata(name, metadata);
    else out[name] = parent[name];
  }
  return Object.freeze(out);
}

/**
 * The smallest declaration that turns `parent` into `effective` under resolveDirectories (used by export).
 * Keys are decided in DIRECTORY_NAMES order, so `metadata` is settled before the directories derived from it.
 */
export function minimalDirectories(parent: Directories, effective: Directories): DeclaredDirectories {
  const declared: DeclaredDirectories = {};
  for (const name of DIRECTORY_NAMES) {
    const inherited = resolveDirectories(parent, declared)[name];
    if (inherited !== effective[name]) declared[name] = effective[name];
  }
  return declared;
}
