/**
 * The identity operator commands (`admin`, `freon`, `debug ldb` against a running SCM) authenticate with
 * on a secure cluster: the admin identity of an SCM host, found from the configuration —
 * `$OZONE_CLIENT_IDENTITY_DIR` if set, else `<hdds.metadata.dir | ozone.metadata.dirs>/scm/admin` — in the
 * identity layout of ca/identity-store.ts. Its private key must be private (security/private-file.ts: a
 * regular file, no group/other permission bits, not a symlink): anything else is
 * refused rather than used. With security off there
 * is no identity and calls are plain TCP.
 */
import { adminIdentityDir } from '../ca/scm-certificates.js';
import { certificateInfo } from '../ca/forge-x509.js';
import { CaError } from '../ca/ca-error.js';
import { loadIdentity, type StoredIdentity } from '../ca/identity-store.js';
import { K } from '../config/config-keys.js';
import type { OzoneConf } from '../config/ozone-conf.js';
import { readPrivateFile } from '../security/private-file.js';
import { SecurityError } from '../security/security-error.js';
import { clientTls } from '../security/tls-identities.js';
import type { ClientTls } from '../transport/tls-options.js';

export function securityEnabled(conf: OzoneConf): boolean {
  return conf.getBoolean(K.securityEnabled, false);
}

/** The metadata directory identities live under: `hdds.metadata.dir`, else the first `ozone.metadata.dirs`. */
export function metadataDirOf(conf: OzoneConf): string | undefined {
  return conf.get(K.hddsMetadataDir) ?? conf.getList(K.metadataDirs)[0];
}

/** Where the client identity is looked for (undefined: no metadata dir configured and no env override). */
export function clientIdentityDir(conf: OzoneConf, env: NodeJS.ProcessEnv): string | undefined {
  if (env.OZONE_CLIENT_IDENTITY_DIR) return env.OZONE_CLIENT_IDENTITY_DIR;
  const meta = metadataDirOf(conf);
  return meta === undefined ? undefined : adminIdentityDir(meta);
}

export function loadClientIdentity(conf: OzoneConf, env: NodeJS.ProcessEnv): StoredIdentity {
  const dir = clientIdentityDir(conf, env);
  const hint = 'run the command on an SCM host as the SCM\'s user with that SCM\'s --conf (its admin identity is <metadata>/scm/admin), or set OZONE_CLIENT_IDENTITY_DIR to an identity obtained with `ozone admin cert request --type admin`';
  if (dir === undefined) throw new SecurityError('NO_CLIENT_IDENTITY', 'this cluster is secure and no client identity is configured (no ozone.metadata.dirs, no OZONE_CLIENT_IDENTITY_DIR)', { hint });
  try {
    return loadIdentity(dir, hint, (path) => readPrivateFile(path));
  } catch (err) {
    const missing = (err instanceof CaError && err.code === 'CA_NOT_INITIALIZED') || (err instanceof SecurityError && err.code === 'SECRET_FILE' && (err.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT');
    if (missing) {
      throw new SecurityError('NO_CLIENT_IDENTITY', `this cluster is secure and there is no readable client identity under ${dir}`, { hint, cause: err });
    }
    throw err;
  }
}

/** TLS for an operator command: undefined with security off. */
export function clientTlsFor(conf: OzoneConf, env: NodeJS.ProcessEnv): ClientTls | undefined {
  if (!securityEnabled(conf)) return undefined;
  const id = loadClientIdentity(conf, env);
  return clientTls(id, id.rootPem, { clusterId: certificateInfo(id.certPem).subject.O, sameHost: true });
}
