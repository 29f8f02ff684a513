/**
 * Builds a stand-in Apache Ozone distribution tarball from this repository's embedded SCM, in Ozone's own
 * layout, so that the `apache-ozone` runtime path (topology → bundle → install → JAVA_HOME → bin/ozone) runs
 * end to end on a machine without a real Ozone release:
 *
 *   ozone-<version>/bin/ozone              Ozone's launcher contract: sources libexec/ozone-config.sh, needs a
 *                                          working JAVA_HOME (Ozone's messages and exit 1 otherwise), then runs
 *                                          the embedded SCM's command line
 *   ozone-<version>/libexec/ozone-config.sh  the JAVA_HOME checks of Ozone's hadoop_java_setup
 *   ozone-<version>/etc/hadoop/            ozone-site.xml (empty), ozone-env.sh, log4j.properties
 *   ozone-<version>/share/ozone/lib/scmctl/  the embedded SCM (dist/src, production node_modules, package.json
 *                                          with version <version>, so `ozone version` prints it)
 *   ozone-<version>/share/ozone/node/bin/node  the Node.js that runs it (the hosts need only Java)
 *
 * plus `<tarball>.sha512` in sha512sum format beside it. What it is not: Java code. It honours Ozone's
 * observable host contract (commands, outputs, exit codes, files), which is what scmctl relies on.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rm, symlink, writeFile, chmod } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { collectPackageFiles } from '../../src/provisioner/bundle/package-files.js';
import { createTarGz } from '../../src/provisioner/bundle/tar-archive.js';

const BIN_OZONE = `#!/usr/bin/env bash
# Stand-in for Apache Ozone's bin/ozone (built by scmctl's test/support/standin-ozone.ts): the same
# environment contract (OZONE_HOME, OZONE_CONF_DIR, OZONE_LOG_DIR, OZONE_PID_DIR, JAVA_HOME,
# OZONE_HEAPSIZE_MAX, OZONE_SCM_OPTS), running scmctl's embedded SCM instead of Ozone's Java classes.
this="\${BASH_SOURCE-$0}"
bin=$(cd -P -- "$(dirname -- "\${this}")" >/dev/null && pwd -P)
OZONE_HOME="\${OZONE_HOME:-$(cd -P -- "\${bin}/.." && pwd -P)}"
# shellcheck source=../libexec/ozone-config.sh
. "\${OZONE_HOME}/libexec/ozone-config.sh" || exit 1
export OZONE_CONF_DIR="\${OZONE_CONF_DIR:-\${OZONE_HOME}/etc/hadoop}"
exec "\${OZONE_HOME}/share/ozone/node/bin/node" "\${OZONE_HOME}/share/ozone/lib/scmctl/dist/src/scm/main.js" "$@"
`;

const OZONE_CONFIG = `# Stand-in for Ozone's libexec/ozone-config.sh: the Java checks of hadoop_java_setup
# (hadoop-functions.sh / ozone-functions.sh), with Ozone's messages and exit code.
if [[ -z "\${JAVA_HOME}" ]]; then
  echo "ERROR: JAVA_HOME is not set and could not be found." 1>&2
  exit 1
fi
if [[ ! -d "\${JAVA_HOME}" ]]; then
  echo "ERROR: JAVA_HOME \${JAVA_HOME} does not exist." 1>&2
  exit 1
fi
JAVA="\${JAVA_HOME}/bin/java"
if [[ ! -x "\${JAVA}" ]]; then
  echo "ERROR: \${JAVA} is not executable." 1>&2
  exit 1
fi
`;

const OZONE_ENV = `# Stand-in for Ozone's etc/hadoop/ozone-env.sh. scmctl sets JAVA_HOME, OZONE_HEAPSIZE_MAX and
# OZONE_SCM_OPTS in the SCM's scm.env instead of editing this file.
`;

const EMPTY_SITE = `<?xml version="1.0" encoding="UTF-8"?>\n<configuration>\n</configuration>\n`;

export interface StandinOptions {
  /** the scmctl package root (built: dist/src) */
  readonly packageRoot: string;
  readonly outDir: string;
  /** the Ozone version the stand-in claims (default 2.2.0: the embedded SCM writes HDDS layout 10) */
  readonly version?: string;
  /** the Node.js binary to ship (default: this process's) */
  readonly nodeBinary?: string;
}

export interface Standin {
  readonly tarball: string;
  readonly sha512File: string;
  readonly version: string;
}

export async function buildStandinOzone(o: StandinOptions): Promise<Standin> {
  const version = o.version ?? '2.2.0';
  const top = `ozone-${version}`;
  const stage = join(o.outDir, `.stage-${process.pid}`);
  await rm(stage, { recursive: true, force: true });
  const root = join(stage, top);
  const paths: string[] = [];
  const put = async (rel: string, content: string | Buffer, mode: number): Promise<void> => {
    const p = join(root, rel);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, content);
    await chmod(p, mode);
    paths.push(`${top}/${rel}`);
  };
  try {
    await put('bin/ozone', BIN_OZONE, 0o755);
    await put('libexec/ozone-config.sh', OZONE_CONFIG, 0o644);
    await put('etc/hadoop/ozone-env.sh', OZONE_ENV, 0o644);
    await put('etc/hadoop/ozone-site.xml', EMPTY_SITE, 0o644);
    await put('etc/hadoop/log4j.properties', '# the embedded SCM logs to stderr (OZONE_LOG_DIR/.out with --daemon)\n', 0o644);
    const { entries } = await collectPackageFiles(o.packageRoot, { platform: process.platform, arch: process.arch });
    for (const e of entries) {
      const rel = `share/ozone/lib/scmctl/${e.rel}`;
      if (e.kind === 'symlink') {
        const p = join(root, rel);
        await mkdir(dirname(p), { recursive: true });
        await symlink(e.target, p);
        paths.push(`${top}/${rel}`);
      } else if (e.rel === 'package.json') {
        const pkg = JSON.parse(await readFile(e.abs, 'utf8')) as Record<string, unknown>;
        await put(rel, `${JSON.stringify({ ...pkg, version }, null, 2)}\n`, 0o644);
      } else {
        const p = join(root, rel);
        await mkdir(dirname(p), { recursive: true });
        await copyFile(e.abs, p);
        await chmod(p, e.executable ? 0o755 : 0o644);
        paths.push(`${top}/${rel}`);
      }
    }
    const node = join(root, 'share/ozone/node/bin/node');
    await mkdir(dirname(node), { recursive: true });
    await copyFile(o.nodeBinary ?? process.execPath, node);
    await chmod(node, 0o755);
    paths.push(`${top}/share/ozone/node/bin/node`);
    await mkdir(o.outDir, { recursive: true });
    const tarball = join(o.outDir, `${top}.tar.gz`);
    await createTarGz(tarball, stage, paths.sort(), { mtime: new Date('2000-01-01T00:00:00Z'), gzipLevel: 1 });
    const h = createHash('sha512');
    for await (const chunk of createReadStream(tarball)) h.update(chunk as Buffer);
    const sha512File = `${tarball}.sha512`;
    await writeFile(sha512File, `${h.digest('hex')}  ${top}.tar.gz\n`);
    return { tarball, sha512File, version };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
