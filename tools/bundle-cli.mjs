/**
 * `npm run build`'s second step: the scmctl CLI (and its SSH connection keeper) as a few ESM files in
 * dist/cli, made by esbuild from tsc's output in dist/src. Loading one bundle instead of ~230 modules and
 * their packages' files takes a third less time at every start (issue 13; BENCHMARKS.md, CLI start).
 * bin/scmctl runs dist/cli/cli.js when it exists, else dist/src/provisioner/cli.js (same code, unbundled).
 *
 * Packages with native parts (ssh2's optional bindings, classic-level) stay outside and load from
 * node_modules as usual. CommonJS packages inside the bundle get a `require` made for the bundle's location.
 */
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'cli');
await rm(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { cli: 'dist/src/provisioner/cli.js', 'keeper-main': 'dist/src/provisioner/keeper-main.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['ssh2', 'classic-level', 'cpu-features'],
  banner: { js: "import { createRequire as __scmctlRequire } from 'node:module'; const require = __scmctlRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});
