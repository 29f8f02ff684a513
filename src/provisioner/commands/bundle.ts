/**
 * `scmctl bundle create [--out DIR] [--with-node]` and `scmctl bundle verify FILE`: the runtime bundle for
 * air-gapped sites (docs/hosts.md §9). Create on a machine like the hosts, carry the .tar.gz and its .sha256,
 * verify there, then `scmctl apply FILE --bundle scmctl-….tar.gz`.
 */
import { isAbsolute, resolve } from 'node:path';
import type { CommandSpec } from '../command.js';
import { createBundle } from '../bundle/create-bundle.js';
import { bundleKind } from '../bundle/bundle-manifest.js';
import { createReleaseBundle } from '../bundle/create-release-bundle.js';
import { verifyBundle } from '../bundle/verify-bundle.js';
import type { CommandContext } from '../command.js';
import { layoutVersionOf, versionFromTarballName } from '../topology/ozone-release.js';
import { checkReleaseFile } from '../topology/release-files.js';
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
    { flags: '--ozone-tarball <file>', description: 'pack this Apache Ozone release (ozone-X.Y.Z.tar.gz, checked against the .sha512 beside it) instead of scmctl' },
    { flags: '--ozone-version <version>', description: 'with --ozone-tarball: its version when the file name does not tell' },
    { flags: '--java-tarball <file>', description: 'with --ozone-tarball: ship this JDK/JRE .tar.gz with the release (checked against a .sha512/.sha256 beside it)' },
  ],
  examples: [
    'scmctl bundle create --out dist-bundle --with-node',
    'scmctl bundle verify dist-bundle/scmctl-0.1.0-linux-x64-node.tar.gz',
    'scmctl bundle create --ozone-tarball ozone-2.0.0.tar.gz --java-tarball OpenJDK17U-jre_x64_linux.tar.gz --out usb/',
  ],
  async run(args, options, ctx) {
    const action = args[0];
    try {
      if (action === 'create' && typeof options['ozoneTarball'] === 'string') return await createOzoneBundle(options, ctx);
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
        const m = b.manifest;
        const runtime =
          bundleKind(m) === 'apache-ozone'
            ? `Apache Ozone ${m.version} (from ${m.ozone?.source}, ${m.ozone?.sourceDigest.split(':')[0]} checked)${m.java ? `, Java ${m.java.version ?? '(version unknown)'} for ${m.platform}-${m.arch}` : ', Java from the hosts (JAVA_HOME)'}`
            : `for ${m.platform}-${m.arch}${m.node ? ` with Node.js ${m.node.version}` : ` (hosts need Node.js ${m.minNodeMajor}+)`}`;
        ctx.stdout.write(`${args[1]}: OK\nrelease ${b.release} ${runtime}, ${m.files.length} files, sha256 ${b.sha256}\n`);
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

/** `bundle create --ozone-tarball`: checks the release (and Java) tarball against its checksum, then packs it */
async function createOzoneBundle(options: Record<string, unknown>, ctx: CommandContext): Promise<number> {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(ctx.cwd, p));
  const tarball = abs(String(options['ozoneTarball']));
  const version = typeof options['ozoneVersion'] === 'string' ? options['ozoneVersion'] : versionFromTarballName(tarball);
  if (!version) {
    ctx.stderr.write(`error[BUNDLE_RELEASE_INVALID]: cannot tell the Ozone version from ${tarball}\n  hint: add --ozone-version X.Y.Z\n`);
    return 1;
  }
  const java = typeof options['javaTarball'] === 'string' ? abs(options['javaTarball']) : undefined;
  const checks = [await checkReleaseFile('the Ozone release', tarball, {}), ...(java ? [await checkReleaseFile('the Java runtime', java, {})] : [])];
  for (const c of checks) {
    if (!c.ok) {
      ctx.stderr.write(`error[${c.code}]: ${c.message}\n${c.detail ? `  ${c.detail}\n` : ''}  hint: ${c.hint}\n`);
      return 1;
    }
  }
  const out = String(options['out'] ?? '.');
  const b = await createReleaseBundle({
    ozoneTarball: tarball,
    ozoneVersion: version,
    ozoneDigest: (checks[0] as { digest: string }).digest,
    ...(java ? { javaTarball: java } : {}),
    layoutVersion: layoutVersionOf(version),
    outDir: abs(out),
    signal: ctx.signal,
  });
  ctx.stdout.write(`${b.path}\nrelease ${b.release} (Apache Ozone ${version}${java ? ' with Java' : ''}), ${b.manifest.files.length} files, ${(b.bytes / 1024 / 1024).toFixed(1)} MiB, sha256 ${b.sha256}\n`);
  return 0;
}
