/**
 * Where scmctl's own data files (schemas/, templates/, examples/) are: the directory of the package.json named
 * `scmctl` above this file. Works from src/ (tests run TypeScript) and from dist/src/ (the built CLI).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TopologyError } from './topology-error.js';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown };
        if (pkg.name === 'scmctl') return (cached = dir);
      } catch {
        // not ours; keep looking upwards
      }
    }
    const up = dirname(dir);
    if (up === dir) {
      throw new TopologyError('TOPOLOGY_PACKAGE_FILES_MISSING', 'cannot find the scmctl package directory (schemas/, templates/)', {
        hint: 'run scmctl from an installed or built package',
      });
    }
    dir = up;
  }
}

export function packageFile(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
