/**
 * `npm run build`'s second step: the two command-line programs as a few ESM files each, made by esbuild from
 * tsc's output in dist/src. Loading one bundle instead of hundreds of modules and their packages' files takes
 * a third less time at every start (issue 13; BENCHMARKS.md, CLI start).
 * - dist/cli: scmctl and its SSH connection keeper; bin/scmctl runs dist/cli/cli.js when it exists, else
 *   dist/src/provisioner/cli.js (same code, unbundled).
 * - dist/ozone: the embedded SCM's operator commands (`ozone admin|getconf|version|debug|freon`: what facts,
 *   health gates and operators run, `admin scm roles` 0.18 → 0.11 s of CPU); bin/ozone runs the server itself
 *   (`ozone scm`, `--daemon`) and the datanode simulators from dist/src/scm/main.js, whose path the daemon's
 *   pid check knows.
 *
 * Packages with native parts (ssh2's optional bindings, classic-level) stay outside and load from
 * node_modules as usual. CommonJS packages inside the bundle get a `require` made for the bundle's location.
 */
import { build } from 'esbuild';
import { copyFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'cli');
const common = {
  absWorkingDir: root,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['ssh2', 'classic-level', 'cpu-features'],
  banner: { js: "import { createRequire as __scmctlRequire } from 'node:module'; const require = __scmctlRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
};
const ozoneOutdir = join(root, 'dist', 'ozone');
await Promise.all([rm(outdir, { recursive: true, force: true }), rm(ozoneOutdir, { recursive: true, force: true })]);
await Promise.all([
  build({ ...common, entryPoints: { cli: 'dist/src/provisioner/cli.js', 'keeper-main': 'dist/src/provisioner/keeper-main.js' }, outdir }),
  build({ ...common, entryPoints: { main: 'dist/src/scm/main.js' }, outdir: ozoneOutdir }),
]);
// the precompiled topology validator (tools/compile-schema.mjs) is loaded from beside the module that asks
const { PRECOMPILED_VALIDATOR } = await import(join(root, 'dist/src/provisioner/topology/schema-check.js'));
await copyFile(join(root, 'dist/src/provisioner/topology', PRECOMPILED_VALIDATOR), join(outdir, PRECOMPILED_VALIDATOR));
