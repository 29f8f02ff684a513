/**
 * XML import, security: `ozone.security.enabled`, `hdds.grpc.tls.enabled`, and Kerberos from the SCM
 * principal and keytab (both or neither; `hadoop.security.authentication` is implied by them and warns when
 * it disagrees or stands alone), with scmctl's per-host keytab files (`scmctl.kerberos.keytabs`).
 */
import { KEY } from '../ozone-keys.js';
import { SCMCTL_SCALARS } from '../scmctl-keys.js';
import type { Importer, Json } from './importer.js';
import type { ScmctlKeys } from './scmctl-settings.js';
import { boolValue } from './values.js';

/** spec.security. */
export function importSecurity(im: Importer, keys: ScmctlKeys, spec: Json): void {
  const security: Json = {};
  const secProp = im.take(KEY.securityEnabled);
  if (secProp) {
    security['enabled'] = boolValue(secProp.value);
    im.locate('/spec/security/enabled', secProp);
  }
  const tlsProp = im.take(KEY.grpcTlsEnabled);
  if (tlsProp) {
    security['tls'] = boolValue(tlsProp.value);
    im.locate('/spec/security/tls', tlsProp);
  }
  importKerberos(im, security);
  const keytabsProp = keys.scalars.get(SCMCTL_SCALARS.kerberosKeytabs);
  if (keytabsProp && typeof security['kerberos'] === 'object' && security['kerberos'] !== null) {
    const v = im.json(keytabsProp);
    if (v) {
      (security['kerberos'] as Json)['keytabs'] = Object.entries(v).map(([host, file]) => ({ host, file }));
      im.locate('/spec/security/kerberos/keytabs', keytabsProp);
    }
  }
  if (Object.keys(security).length > 0) spec['security'] = security;
}

/** security.kerberos from the SCM principal and keytab. */
function importKerberos(im: Importer, security: Json): void {
  const principal = im.take(KEY.scmKerberosPrincipal);
  const keytab = im.take(KEY.scmKerberosKeytab);
  const auth = im.take(KEY.hadoopAuthentication);
  if (principal && keytab) {
    security['kerberos'] = { principal: principal.value, keytab: keytab.value };
    im.locate('/spec/security/kerberos/principal', principal);
    im.locate('/spec/security/kerberos/keytab', keytab);
    if (auth && auth.value.toLowerCase() !== 'kerberos') {
      im.warn(auth, 'TOPOLOGY_XML_IGNORED_VALUE', `${KEY.hadoopAuthentication} is "${auth.value}" although a Kerberos principal is set; scmctl renders kerberos`);
    }
  } else if (principal || keytab) {
    const present = (principal ?? keytab)!;
    im.error(present, 'TOPOLOGY_XML_MISSING_KEY', `${present.name} is set without ${principal ? KEY.scmKerberosKeytab : KEY.scmKerberosPrincipal}`, 'set both the SCM Kerberos principal and keytab, or neither', 'name');
  } else if (auth) {
    im.warn(auth, 'TOPOLOGY_XML_IGNORED_VALUE', `${KEY.hadoopAuthentication} is ignored without ${KEY.scmKerberosPrincipal} and ${KEY.scmKerberosKeytab}`, 'set spec.security.kerberos to render Kerberos settings', 'name');
  }
}
