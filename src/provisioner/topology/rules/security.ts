/**
 * TOPOLOGY_SECURE_WITHOUT_TLS (warning): with security on but `hdds.grpc.tls.enabled` off, Raft and the
 * inter-SCM checkpoint download travel in clear text. TOPOLOGY_TLS_WITHOUT_SECURITY (warning): TLS for gRPC
 * only takes effect together with `ozone.security.enabled` (docs/ozone-scm-ha.md §7).
 */
import type { Rule } from './rule.js';

export const security: Rule = ({ topology, document, reporter }) => {
  const sec = document.spec.security;
  // TOPOLOGY_KEYTAB_HOST_UNKNOWN (error): keytabs go to SCM hosts of this topology only
  const scmHosts = new Set(topology.services.flatMap((s) => s.nodes.map((n) => n.host as string)));
  for (const [i, k] of (document.spec.security?.kerberos?.keytabs ?? []).entries()) {
    const host = k.host;
    if (!scmHosts.has(host)) {
      reporter.error(`/spec/security/kerberos/keytabs/${i}/host`, 'TOPOLOGY_KEYTAB_HOST_UNKNOWN', `keytabs names "${host}", which is not a host with an SCM`, {
        hint: `use the host names of spec.hosts that carry SCMs: ${[...scmHosts].join(', ')}`,
      });
    }
  }
  if (topology.security.enabled && !topology.security.tls) {
    reporter.warning(sec?.tls === undefined ? '/spec/security/enabled' : '/spec/security/tls', 'TOPOLOGY_SECURE_WITHOUT_TLS', 'security is enabled but TLS is not: SCM Raft traffic and checkpoints are not encrypted', {
      hint: 'set spec.security.tls: true (hdds.grpc.tls.enabled)',
    });
  }
  if (topology.security.tls && !topology.security.enabled) {
    reporter.warning('/spec/security/tls', 'TOPOLOGY_TLS_WITHOUT_SECURITY', 'TLS is enabled without security, which Ozone ignores', {
      hint: 'set spec.security.enabled: true as well, or drop tls',
    });
  }
};
