/**
 * `scmctl render FILE --out DIR`: writes the files each host would receive, one folder per host, mirroring
 * the paths on the host (`DIR/<host>/<absolute path on host>`), without touching any host. Exit 1 (and
 * nothing written) when the topology is invalid.
 */
import { mkdir, writeFile, chmod } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { CommandSpec } from '../command.js';
import { renderHost } from '../render/render-host.js';
import { loadFromArgs, printDiagnostics } from './topology-io.js';

export const renderCommand: CommandSpec = {
  name: 'render',
  summary: 'write the per-host files (ozone-site.xml, scm.env, systemd unit) into a local folder',
  description:
    'Renders what each host of the topology receives: for an SCM node ozone-site.xml, scm.env and ' +
    'ozone-scm.service in its config directory; for an OM, datanode or client host an ozone-site.xml with the ' +
    'SCM client keys. Files go to DIR/<host>/<path on the host>. Nothing is sent to any host.',
  args: ['<file>'],
  options: [
    { flags: '--out <dir>', description: 'output folder (created if missing; existing files are overwritten)' },
    { flags: '--host <name...>', description: 'render only these hosts' },
  ],
  examples: ['scmctl render examples/three-node.yaml --out out/', 'scmctl render examples/multi-service.yaml --out out/ --host scm-e1 om1'],
  async run(args, options, ctx) {
    const out = options['out'];
    if (typeof out !== 'string' || out === '') {
      ctx.stderr.write('error: --out <dir> is required\n  hint: scmctl render FILE --out out/\n');
      return 1;
    }
    const result = await loadFromArgs(args[0]!, ctx);
    printDiagnostics(ctx.stderr, result);
    const topology = result.topology;
    if (!topology) return 1;
    const only = Array.isArray(options['host']) ? (options['host'] as string[]) : undefined;
    const unknown = only?.filter((h) => !topology.hosts.some((x) => x.name === h)) ?? [];
    if (unknown.length > 0) {
      ctx.stderr.write(`error: no host named ${unknown.join(', ')}\n  hint: hosts: ${topology.hosts.map((h) => h.name).join(', ')}\n`);
      return 1;
    }
    const base = isAbsolute(out) ? out : resolve(ctx.cwd, out);
    const files = topology.hosts
      .filter((host) => !only || only.includes(host.name))
      .flatMap((host) => renderHost(topology, host.name).map((f) => ({ host: host.name, file: f, target: join(base, host.name, f.path) })));
    // each folder made once, the files written a few at a time (libuv's pool), the list printed in one write:
    // a 1,000-host cluster's 1,006 files in a fraction of the time one await per file system call took
    await Promise.all([...new Set(files.map((f) => dirname(f.target)))].map((d) => mkdir(d, { recursive: true })));
    let next = 0;
    const writer = async (): Promise<void> => {
      for (let i = next++; i < files.length; i = next++) {
        const { target, file } = files[i]!;
        await writeFile(target, file.content, 'utf8');
        await chmod(target, file.mode);
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, files.length) }, writer));
    ctx.stdout.write(files.map((f) => `${join(out, f.host, f.file.path)}\n`).join(''));
    return 0;
  },
};
