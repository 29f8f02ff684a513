/**
 * One check per answer `scmctl init` takes (from a flag or a question), so a bad value is refused where it is
 * given — with a code and what to write instead — rather than as a diagnostic in the file written later.
 * Each returns the value as the starter uses it, or throws InitError('INIT_BAD_VALUE' | …). Pure, except
 * checkOzoneTarball, which reads the tarball and the checksum beside it as `validate` will.
 */
import { isAbsolute, resolve } from 'node:path';
import { checkAddress } from '../topology/address.js';
import { versionFromTarballName } from '../topology/ozone-release.js';
import { checkReleaseFile } from '../topology/release-files.js';
import { InitError } from './init-error.js';

export type RuntimeChoice = 'embedded' | 'apache-ozone';
export type TransportChoice = 'local' | 'ssh';

const bad = (message: string, hint: string): InitError => new InitError('INIT_BAD_VALUE', message, { hint });

/** metadata.name: the schema's label (letters, digits, `.`, `_`, `-`) */
export function checkName(value: string): string {
  const v = value.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(v)) {
    throw bad(`the cluster name "${value}" is not a name scmctl can use`, 'use 1 to 63 letters, digits, ".", "_" or "-", starting with a letter or digit, e.g. scm-ha');
  }
  return v;
}

/** `a,b c` → the SCM host addresses, in order; each an IP address or DNS name, none twice */
export function parseHosts(value: string): string[] {
  const hosts = value.split(/[\s,]+/).filter((h) => h !== '');
  if (hosts.length === 0) throw bad('no SCM host was given', 'give one address per SCM, comma-separated: 3 (or 5) for a quorum, e.g. 10.0.0.1,10.0.0.2,10.0.0.3');
  const seen = new Set<string>();
  for (const h of hosts) {
    const r = checkAddress(h);
    if (!r.ok) throw bad(`the host "${h}" ${r.why}`, 'give IP addresses or DNS names, comma-separated, e.g. scm1.example.com,scm2.example.com,scm3.example.com');
    if (seen.has(h)) throw bad(`the host "${h}" is given twice`, 'each SCM of a ring needs its own host: the members of a Raft ring must fail independently');
    seen.add(h);
  }
  return hosts;
}

/** whether an address is this machine's loopback (SCMs there share one kernel: own ports and directories) */
export function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || address === 'localhost';
}

export function checkTransport(value: string): TransportChoice {
  if (value === 'local' || value === 'ssh') return value;
  throw bad(`the transport "${value}" is not local or ssh`, 'local runs every command on this machine; ssh logs in to each host');
}

export function checkRuntime(value: string): RuntimeChoice {
  const v = value.trim();
  if (v === 'embedded' || v === 'apache-ozone') return v;
  throw bad(`the runtime "${value}" is not embedded or apache-ozone`, 'embedded runs scmctl\'s own SCM; apache-ozone installs a real Apache Ozone release (needs --ozone-tarball)');
}

/** an SSH user name as the schema takes it */
export function checkSshUser(value: string): string {
  const v = value.trim();
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/.test(v)) throw bad(`the SSH user "${value}" is not a user name`, 'use a login name of the hosts, e.g. root or ozone');
  return v;
}

/** a path written into the topology as given: one line, no spaces (~/ allowed, it is expanded on use) */
export function checkPathValue(what: string, value: string): string {
  const v = value.trim();
  if (v === '' || /[\s'"`\\]/.test(v)) throw bad(`${what} "${value}" is empty or holds spaces, quotes or backslashes`, `give ${what} as a path without spaces or quotes`);
  return v;
}

/** an absolute path on the hosts, safe for scm.env and a systemd unit (the directories rule's characters) */
export function checkAbsolute(what: string, value: string): string {
  const v = value.trim().replace(/(.)\/+$/, '$1');
  if (!v.startsWith('/') || /[\s'"$\\`;&|<>()*?]/.test(v) || /(^|\/)\.\.?(\/|$)/.test(v)) {
    throw bad(`${what} "${value}" is not an absolute path without special characters`, `give ${what} as an absolute path, e.g. /srv/ozone`);
  }
  return v;
}

/** yes/no answers and the values of --security */
export function parseYesNo(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['y', 'yes', 'on', 'true', '1'].includes(v)) return true;
  if (['n', 'no', 'off', 'false', '0'].includes(v)) return false;
  throw bad(`"${value}" is not yes or no`, 'answer y or n');
}

/** hdds.scm.kerberos.principal: `service/instance@REALM` (instance may be _HOST) */
export function checkPrincipal(value: string): string {
  const v = value.trim();
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)?@[A-Za-z0-9._-]+$/.test(v)) {
    throw bad(`the Kerberos principal "${value}" is not service/host@REALM`, 'e.g. scm/_HOST@EXAMPLE.COM (Ozone replaces _HOST with each host\'s FQDN)');
  }
  return v;
}

export interface OzoneRelease {
  /** absolute path on this machine */
  readonly tarball: string;
  readonly version: string;
  /** false when --ozone-version had to say it (it is then written into the topology) */
  readonly versionFromName: boolean;
}

/**
 * The release tarball as `validate` will check it: it exists, a .sha512/.sha256 is beside it and matches,
 * and its version is known (from the name ozone-X.Y.Z.tar.gz, else `version`).
 */
export async function checkOzoneTarball(value: string, cwd: string, version?: string): Promise<OzoneRelease> {
  const given = checkPathValue('the Ozone release tarball', value);
  const tarball = isAbsolute(given) ? given : resolve(cwd, given);
  const r = await checkReleaseFile('the Ozone release', tarball, {});
  if (!r.ok) throw new InitError('INIT_OZONE_TARBALL_INVALID', r.message, { hint: r.hint });
  const fromName = versionFromTarballName(tarball);
  if (version !== undefined && version !== '') {
    if (!/^\d+\.\d+\.\d+([.-][0-9A-Za-z.-]+)?$/.test(version)) throw bad(`the Ozone version "${version}" is not X.Y.Z`, 'e.g. --ozone-version 2.0.0');
    return { tarball, version, versionFromName: version === fromName };
  }
  if (fromName === null) {
    throw new InitError('INIT_OZONE_VERSION_UNKNOWN', `cannot tell the Ozone version from the name of ${tarball}`, {
      hint: 'add --ozone-version X.Y.Z, or keep the release\'s own file name ozone-X.Y.Z.tar.gz',
    });
  }
  return { tarball, version: fromName, versionFromName: true };
}
