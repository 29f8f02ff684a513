/**
 * Who is calling: the identity a verified certificate of this cluster proves (secure mode). The signer
 * (ca/certificate-profiles.ts) sets every subject from what a join token allows, never from the request,
 * so the subject alone is trustworthy once the chain verified up to this cluster's root CA:
 *
 *   kind      subject                                              issued to
 *   scm       CN=scm-sub@<host>, OU=<scmUuid>, O=<clusterId>, CA   an SCM (its sub-CA; --init / --bootstrap)
 *   admin     CN=admin@<host>[, OU=<scmUuid>], O=<clusterId>       operator tools on that host (0600 files); the
 *                                                                  OU names the SCM it was issued with (revoked with it)
 *   datanode  CN=dn@<host>, O=<clusterId>                          the datanodes of that host
 *   om        CN=om@<host>, O=<clusterId>                          an Ozone Manager
 *
 * A certificate of another cluster (O), an unknown CN form, a CA flag on a non-SCM identity or a missing
 * CA flag on an SCM identity proves nothing: `identityOf` returns undefined and the connection is closed.
 * Without TLS (security off) every caller is `anonymous`.
 */

export type IdentityKind = 'scm' | 'admin' | 'datanode' | 'om';

export type PeerIdentity =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'scm'; readonly scmUuid: string; readonly host: string; readonly serial: string }
  | { readonly kind: 'admin' | 'datanode' | 'om'; readonly host: string; readonly serial: string };

export const ANONYMOUS: PeerIdentity = { kind: 'anonymous' };

const CN_PREFIX: Readonly<Record<IdentityKind, string>> = { scm: 'scm-sub@', admin: 'admin@', datanode: 'dn@', om: 'om@' };

export interface SubjectName {
  readonly CN: string;
  readonly OU?: string;
  readonly O?: string;
}

/**
 * The subject a certificate of `kind` for `host` carries: an SCM's scmUuid as OU; an admin identity issued
 * together with an SCM carries that SCM's scmUuid too (so decommissioning the SCM revokes both).
 */
export function subjectFor(kind: IdentityKind, host: string, clusterId: string, scmUuid?: string): SubjectName {
  const CN = commonNameFor(kind, host);
  if (kind === 'scm') return { CN, OU: scmUuid ?? '', O: clusterId };
  if (kind === 'admin' && scmUuid !== undefined) return { CN, OU: scmUuid, O: clusterId };
  return { CN, O: clusterId };
}

/** The CN of an identity of `kind` for `host`: `scm-sub@h`, `admin@h`, `dn@h`, `om@h`. */
export function commonNameFor(kind: IdentityKind, host: string): string {
  return `${CN_PREFIX[kind]}${host}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const one = (v: string | readonly string[] | undefined): string | undefined => (Array.isArray(v) ? (v.length === 1 ? v[0] : undefined) : (v as string | undefined));

/** A certificate's serial in decimal (Node gives it in hex), as the SCM records serials; '' when absent. */
export function serialOf(cert: { readonly serialNumber?: string }): string {
  return cert.serialNumber ? BigInt(`0x${cert.serialNumber}`).toString(10) : '';
}

/** The identity a verified certificate proves in this cluster, or undefined when it proves none. */
export function identityOf(
  cert: { readonly subject?: Readonly<Record<string, string | readonly string[] | undefined>>; readonly ca?: boolean; readonly serialNumber?: string },
  clusterId: string,
): PeerIdentity | undefined {
  const subject = cert.subject ?? {};
  const cn = one(subject['CN']);
  if (one(subject['O']) !== clusterId || cn === undefined) return undefined;
  const serial = serialOf(cert);
  for (const kind of ['scm', 'admin', 'datanode', 'om'] as const) {
    const prefix = CN_PREFIX[kind];
    if (!cn.startsWith(prefix) || cn.length === prefix.length) continue;
    const host = cn.slice(prefix.length);
    if (kind === 'scm') {
      const ou = one(subject['OU']);
      if (cert.ca !== true || ou === undefined || !UUID.test(ou)) return undefined;
      return { kind, scmUuid: ou, host, serial };
    }
    const ou = subject['OU'];
    if (cert.ca === true || (ou !== undefined && !(kind === 'admin' && typeof one(ou) === 'string' && UUID.test(one(ou)!)))) return undefined;
    return { kind, host, serial };
  }
  return undefined;
}

export function describeIdentity(id: PeerIdentity): string {
  switch (id.kind) {
    case 'anonymous':
      return 'an unauthenticated caller';
    case 'scm':
      return `SCM ${id.scmUuid} (${id.host}, certificate ${id.serial})`;
    default:
      return `${id.kind} ${id.host} (certificate ${id.serial})`;
  }
}
