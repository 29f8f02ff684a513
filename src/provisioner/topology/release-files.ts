/**
 * The files `runtime.kind: apache-ozone` names, checked on the machine running scmctl (validate, plan and
 * apply all load through here): the Ozone release tarball and a Java tarball exist, and each matches its
 * checksum — the topology's `sha256`/`sha512`, else the `.sha512` (Apache's release format) or `.sha256`
 * file beside it. A file without any checksum is refused: an air-gapped site must be able to prove that what
 * it carried is what the project released.
 *   TOPOLOGY_RELEASE_FILE_MISSING, TOPOLOGY_CHECKSUM_MISSING, TOPOLOGY_CHECKSUM_MISMATCH (errors).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Topology } from './model.js';
import type { Reporter } from './reporter.js';

export type ChecksumAlgorithm = 'sha256' | 'sha512';

export interface ExpectedChecksum {
  readonly algorithm: ChecksumAlgorithm;
  readonly hex: string;
  /** where it came from: the topology, or the file beside the tarball */
  readonly source: string;
}

/** a path as written in the topology, resolved against the topology file's directory */
export function releasePath(baseDir: string, p: string): string {
  return isAbsolute(p) ? p : join(baseDir, p);
}

/**
 * The digest in a checksum file: `<hex>  <name>` (sha512sum), `SHA512(<name>)= <hex>` (openssl), or
 * `<name>: 1234 ABCD …` split over lines (gpg --print-md, used by older Apache releases).
 */
export function parseChecksumFile(text: string, algorithm: ChecksumAlgorithm): string | null {
  const want = algorithm === 'sha512' ? 128 : 64;
  const afterName = text.includes(':') && !/^[0-9a-fA-F]{64,128}\s/.test(text) ? text.slice(text.indexOf(':') + 1) : text.includes('=') ? text.slice(text.lastIndexOf('=') + 1) : text;
  const first = /^\s*([0-9a-fA-F]{64,128})\b/.exec(afterName);
  const hex = first ? first[1]! : afterName.replace(/[^0-9a-fA-F]/g, '');
  return hex.length === want ? hex.toLowerCase() : null;
}

export function expectedChecksum(file: string, declared: { sha256?: string; sha512?: string }): ExpectedChecksum | null {
  if (declared.sha512) return { algorithm: 'sha512', hex: declared.sha512, source: 'the topology' };
  if (declared.sha256) return { algorithm: 'sha256', hex: declared.sha256, source: 'the topology' };
  for (const algorithm of ['sha512', 'sha256'] as const) {
    const side = `${file}.${algorithm}`;
    if (!existsSync(side)) continue;
    const hex = parseChecksumFile(readFileSync(side, 'utf8'), algorithm);
    if (hex) return { algorithm, hex, source: side };
  }
  return null;
}

export async function fileDigest(file: string, algorithm: ChecksumAlgorithm): Promise<string> {
  const h = createHash(algorithm);
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

export type FileCheck =
  | { readonly ok: true; readonly digest: string }
  | { readonly ok: false; readonly code: 'TOPOLOGY_RELEASE_FILE_MISSING' | 'TOPOLOGY_CHECKSUM_MISSING' | 'TOPOLOGY_CHECKSUM_MISMATCH'; readonly message: string; readonly detail?: string; readonly hint: string };

/** Checks one release file against its checksum; `digest` is `<algorithm>:<hex>` */
export async function checkReleaseFile(what: string, file: string, declared: { sha256?: string; sha512?: string }): Promise<FileCheck> {
  if (!existsSync(file) || !statSync(file).isFile()) {
    return { ok: false, code: 'TOPOLOGY_RELEASE_FILE_MISSING', message: `${what} ${file} does not exist`, hint: 'copy the file next to the topology (paths are relative to the topology file)' };
  }
  const expected = expectedChecksum(file, declared);
  if (!expected) {
    return { ok: false, code: 'TOPOLOGY_CHECKSUM_MISSING', message: `${what} ${file} has no checksum to check it against`, hint: `copy the release's ${file.split('/').pop()}.sha512 next to it, or set its sha256/sha512 in the topology` };
  }
  const actual = await fileDigest(file, expected.algorithm);
  if (actual !== expected.hex) {
    return {
      ok: false,
      code: 'TOPOLOGY_CHECKSUM_MISMATCH',
      message: `${what} ${file} does not match its ${expected.algorithm} from ${expected.source}`,
      detail: `expected ${expected.hex}, computed ${actual}`,
      hint: 'the copy is damaged or is another file: copy it again from the release and check it with sha512sum -c',
    };
  }
  return { ok: true, digest: `${expected.algorithm}:${actual}` };
}

async function checkOne(reporter: Reporter, pointer: string, what: string, file: string, declared: { sha256?: string; sha512?: string }): Promise<void> {
  const r = await checkReleaseFile(what, file, declared);
  if (!r.ok) reporter.error(pointer, r.code, r.message, { hint: r.hint, ...(r.detail ? { detail: r.detail } : {}) });
}

/** Whether the topology names files on this machine that loading must check (a release, a Java tarball, keytabs). */
export function namesLocalFiles(topology: Topology): boolean {
  return topology.runtime.kind === 'apache-ozone' || topology.security.kerberos?.keytabs !== undefined;
}

/**
 * TOPOLOGY_KEYTAB_MISSING (error), TOPOLOGY_KEYTAB_EXPOSED (warning: readable by group or others on this
 * machine — a keytab is a password).
 */
function checkKeytabs(topology: Topology, baseDir: string, reporter: Reporter): void {
  for (const [i, [host, k]] of Object.entries(topology.security.kerberos?.keytabs ?? {}).entries()) {
    const pointer = `/spec/security/kerberos/keytabs/${i}/file`;
    const file = releasePath(baseDir, k.source);
    if (!existsSync(file) || !statSync(file).isFile()) {
      reporter.error(pointer, 'TOPOLOGY_KEYTAB_MISSING', `the keytab for ${host} (${file}) does not exist`, { hint: 'export it from the KDC (kadmin ktadd -k FILE scm/<host FQDN>@REALM) next to the topology' });
    } else if ((statSync(file).mode & 0o077) !== 0) {
      reporter.warning(pointer, 'TOPOLOGY_KEYTAB_EXPOSED', `the keytab for ${host} (${file}) is readable by others on this machine`, { hint: `chmod 600 ${file}` });
    }
  }
}

export async function checkReleaseFiles(topology: Topology, baseDir: string, reporter: Reporter): Promise<void> {
  checkKeytabs(topology, baseDir, reporter);
  const rt = topology.runtime;
  if (rt.kind !== 'apache-ozone') return;
  if (rt.ozone) await checkOne(reporter, '/spec/runtime/ozone/tarball', 'the Ozone release', releasePath(baseDir, rt.ozone.tarball), rt.ozone);
  if (rt.java && 'tarball' in rt.java) await checkOne(reporter, '/spec/runtime/java/tarball', 'the Java runtime', releasePath(baseDir, rt.java.tarball), rt.java);
}

/**
 * The topology with the paths of its local files made absolute (they are written relative to the topology
 * file), and each keytab's sha256 read (the planner compares it with the host's copy; the content stays here).
 */
export function withAbsoluteReleasePaths(topology: Topology, baseDir: string): Topology {
  const rt = topology.runtime;
  const k = topology.security.kerberos;
  const keytabs = k?.keytabs
    ? Object.fromEntries(
        Object.entries(k.keytabs).map(([h, s]) => {
          const source = releasePath(baseDir, s.source);
          return [h, { source, ...(existsSync(source) ? { sha256: createHash('sha256').update(readFileSync(source)).digest('hex') } : {}) }];
        }),
      )
    : undefined;
  return {
    ...topology,
    ...(k && keytabs ? { security: { ...topology.security, kerberos: { ...k, keytabs } } } : {}),
    runtime: {
      ...rt,
      ...(rt.ozone ? { ozone: { ...rt.ozone, tarball: releasePath(baseDir, rt.ozone.tarball) } } : {}),
      ...(rt.java && 'tarball' in rt.java ? { java: { ...rt.java, tarball: releasePath(baseDir, rt.java.tarball) } } : {}),
    },
  };
}
