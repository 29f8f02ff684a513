/**
 * `scmctl bundle create [--out DIR] [--with-node]` and `scmctl bundle verify FILE`: the runtime bundle for
 * air-gapped sites (docs/hosts.md §9). Create on a machine like the hosts, carry the .tar.gz and its .sha256,
 * verify there, then `scmctl apply FILE --bundle scmctl-….tar.gz`.
 */
import { isAbsolute, resolve } from 'node:path';
import type { CommandSpec } from '../command.js';
import { createBundle } from '../bundle/create-bundle.js';
import { verifyBundle } from '../bundle/verify-bundle.js';
import { packageRoot } from '../topology/package-root.js';
import { printError } from './cluster-input.js';

export const bundleCommand: CommandSpec = {
  name: 'bundle',
  summary: 'create or verify the runtime bundle for air-gapped hosts',
  description:
    '`bundle create` packs this scmctl (built program, production dependencies, optionally this Node.js) into ' +
    'scmctl-<version>-<platform>-<arch>[-node].tar.gz with a .sha256 next to it. `bundle verify FILE` checks the ' +
    'archive hash, the manifest and every file. Apply installs it with --bundle FILE.',
  args: ['<action>', '[file]'],
  options: [
    { flags: '--out <dir>', description: 'where `create` writes the bundle', defaultValue: '.' },
    { flags: '--with-node', description: 'include the running Node.js binary (hosts without Node.js 20+)' },
  ],
  examples: ['scmctl bundle create --out dist-bundle --with-node', 'scmctl bundle verify dist-bundle/scmctl-0.1.0-linux-x64-node.tar.gz'],
  async run(args, options, ctx) {
    const action = args[0];
    try {
      if (action === 'create') {
        const out = String(options['out'] ?? '.');
        const b = await createBundle({
          packageRoot: packageRoot(),
          outDir: isAbsolute(out) ? out : resolve(ctx.cwd, out),
          ...(options['withNode'] === true ? { nodeBinary: process.execPath, nodeVersion: process.version } : {}),
          signal: ctx.signal,
        });
        ctx.stdout.write(`${b.path}\nrelease ${b.release}, ${b.manifest.files.length} files, ${(b.bytes / 1024 / 1024).toFixed(1)} MiB, sha256 ${b.sha256}\n`);
        return 0;
      }
      if (action === 'verify') {
        if (!args[1]) {
          ctx.stderr.write('error: bundle verify needs a FILE\n  hint: scmctl bundle verify scmctl-0.1.0-linux-x64.tar.gz\n');
          return 1;
        }
        const b = await verifyBundle(isAbsolute(args[1]) ? args[1] : resolve(ctx.cwd, args[1]), { signal: ctx.signal });
        ctx.stdout.write(
          `${args[1]}: OK\nrelease ${b.release} for ${b.manifest.platform}-${b.manifest.arch}${b.manifest.node ? ` with Node.js ${b.manifest.node.version}` : ` (hosts need Node.js ${b.manifest.minNodeMajor}+)`}, ${b.manifest.files.length} files, sha256 ${b.sha256}\n`,
        );
        return 0;
      }
      ctx.stderr.write(`error: unknown bundle action ${JSON.stringify(action)}\n  hint: scmctl bundle create | scmctl bundle verify FILE\n`);
      return 1;
    } catch (err) {
      printError(ctx.stderr, err);
      return 1;
    }
  },
};
