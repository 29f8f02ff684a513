/**
 * Rules of `runtime.kind: apache-ozone` (a real Apache Ozone release), from what such a release does:
 *  - TOPOLOGY_OZONE_RELEASE_REQUIRED / TOPOLOGY_JAVA_REQUIRED / TOPOLOGY_JAVA_AMBIGUOUS (errors): the release
 *    tarball and exactly one Java source (an existing `java.home`, or a `java.tarball`) must be named;
 *  - TOPOLOGY_OZONE_VERSION_UNKNOWN (error): the version decides the keys rendered, so it must be known;
 *  - TOPOLOGY_KERBEROS_REQUIRED (error): a secure Ozone SCM logs in with Kerberos at `--bootstrap` and at
 *    start (StorageContainerManager.loginAsSCMUserIfSecurityEnabled: "SIMPLE authentication method not
 *    support. SCM user login failed."), so security without `security.kerberos` cannot start;
 *  - TOPOLOGY_RATIS_REQUIRED (error): Ozone 2.x removed `ozone.scm.ratis.enable`; a 2.x SCM always runs a
 *    Raft ring, so `ratis.enabled: false` cannot be honoured;
 *  - TOPOLOGY_OZONE_SHARED_MACHINE (error): Ozone binds the Ratis (9894) and inter-SCM gRPC (9895) ports on
 *    all interfaces (RatisUtil sets only the port; InterSCMGrpcProtocolService: ServerBuilder.forPort), so
 *    two SCMs on one machine — one address, every loopback address, or `local` hosts — need their own
 *    ratis and grpc ports (`nodes[].ports`, rendered as Ozone's node-specific keys);
 *  - TOPOLOGY_RUNTIME_IGNORED (warning): settings of the other kind.
 */
import { ANY_ADDRESS } from '../defaults.js';
import type { Host } from '../model.js';
import { hasRatisEnableKey } from '../ozone-release.js';
import type { Rule } from './rule.js';

/** the machine a host's SCM ports live on, as Ozone's all-interface binds see it */
function machine(host: Host): string {
  if (host.transport.kind === 'local') return 'this machine';
  if (/^127\./.test(host.address) || host.address === '::1' || host.address === 'localhost') return 'this machine';
  return host.address;
}

export const apacheOzone: Rule = ({ topology, document, reporter }) => {
  const rt = topology.runtime;
  const spec = document.spec.runtime;
  if (rt.kind !== 'apache-ozone') {
    for (const key of ['ozone', 'java', 'heap', 'jvmOptions'] as const) {
      if (spec?.[key] !== undefined) {
        reporter.warning(`/spec/runtime/${key}`, 'TOPOLOGY_RUNTIME_IGNORED', `runtime.${key} only applies to runtime.kind: apache-ozone; the embedded SCM ignores it`, {
          hint: 'set spec.runtime.kind: apache-ozone to install that release, or remove the key',
        });
      }
    }
    return;
  }
  const at = document.spec.runtime?.kind === undefined ? '/spec/runtime' : '/spec/runtime/kind';
  if (spec?.node !== undefined) {
    reporter.warning('/spec/runtime/node', 'TOPOLOGY_RUNTIME_IGNORED', 'runtime.node only applies to the embedded SCM; an Apache Ozone release runs on Java', { hint: 'remove runtime.node' });
  }
  if (!rt.ozone) {
    reporter.error(at, 'TOPOLOGY_OZONE_RELEASE_REQUIRED', 'runtime.kind apache-ozone needs the release tarball (runtime.ozone.tarball)', {
      hint: 'download ozone-X.Y.Z.tar.gz and its .sha512 from an Apache mirror, copy both next to the topology and set runtime.ozone.tarball: ozone-X.Y.Z.tar.gz',
    });
  } else if (rt.ozone.version === null) {
    reporter.error('/spec/runtime/ozone/tarball', 'TOPOLOGY_OZONE_VERSION_UNKNOWN', `cannot tell the Ozone version from "${rt.ozone.tarball}"`, {
      hint: 'set runtime.ozone.version (e.g. 2.0.0), or keep the release\'s own file name ozone-X.Y.Z.tar.gz',
    });
  }
  if (spec?.java?.home !== undefined && spec.java.tarball !== undefined) {
    reporter.error('/spec/runtime/java', 'TOPOLOGY_JAVA_AMBIGUOUS', 'runtime.java names both an existing home and a tarball', { hint: 'keep java.home (Java already on the hosts) or java.tarball (shipped with the release), not both' });
  } else if (!rt.java) {
    reporter.error(at, 'TOPOLOGY_JAVA_REQUIRED', 'runtime.kind apache-ozone needs a Java runtime (runtime.java.home or runtime.java.tarball)', {
      hint: 'set runtime.java.home to the JAVA_HOME the SCM hosts have (e.g. /usr/lib/jvm/java-17-openjdk-amd64), or runtime.java.tarball to a JDK/JRE .tar.gz to ship',
    });
  }
  if (topology.security.enabled && !topology.security.kerberos) {
    reporter.error(document.spec.security ? '/spec/security' : at, 'TOPOLOGY_KERBEROS_REQUIRED', 'a secure Apache Ozone SCM needs Kerberos: it logs in with its keytab at --bootstrap and at start ("SIMPLE authentication method not support")', {
      hint: 'add spec.security.kerberos with principal (e.g. scm/_HOST@EXAMPLE.COM) and keytab (the path on the hosts), and keytabs for the hosts — see docs/real-ozone.md',
    });
  }
  if (!topology.ratis.enabled && rt.ozone?.version && !hasRatisEnableKey(rt.ozone.version)) {
    reporter.error(document.spec.ratis?.enabled === undefined ? at : '/spec/ratis/enabled', 'TOPOLOGY_RATIS_REQUIRED', `Ozone ${rt.ozone.version} always runs SCM with Raft: ozone.scm.ratis.enable was removed in 2.0`, {
      hint: 'remove spec.ratis.enabled: false (a single SCM forms a one-node ring), or use an Ozone 1.x release',
    });
  }
  const hostsByName = new Map(topology.hosts.map((h) => [h.name as string, h]));
  for (const service of topology.services) {
    const seen = new Map<string, string>();
    for (const node of service.nodes) {
      const host = hostsByName.get(node.host);
      if (!host) continue;
      for (const port of ['ratis', 'grpc'] as const) {
        const key = `${machine(host)}:${node.ports[port]}`;
        const other = seen.get(key);
        if (other !== undefined) {
          reporter.error(`/spec/services/${topology.services.indexOf(service)}/nodes/${service.nodes.indexOf(node)}`, 'TOPOLOGY_OZONE_SHARED_MACHINE', `SCMs ${other} and ${node.nodeId} of service ${service.serviceId} would both bind ${port} port ${node.ports[port]} on all interfaces of ${machine(host)}`, {
            detail: `Apache Ozone binds the Ratis and inter-SCM gRPC ports to ${ANY_ADDRESS} whatever the listen setting`,
            hint: 'run each SCM on its own machine, or give this node its own ratis and grpc ports (nodes[].ports.ratis / .grpc)',
          });
        } else seen.set(key, node.nodeId);
      }
    }
  }
};
