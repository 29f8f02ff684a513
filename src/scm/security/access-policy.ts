/**
 * Which identity may call which method, on every SCM port — the one table (secure mode; with security off
 * every caller is anonymous and nothing is checked, as Ozone without Kerberos). The table's type follows
 * the protocol declarations: a method without a rule, or a rule for a method that does not exist, fails to
 * compile. `anonymous` = a caller without a certificate (only the security port lets one connect), who must
 * prove itself otherwise (a join token).
 *
 * Rules that depend on the request go with the handler and are listed here for the reader:
 *  - addScm: the scmId and the Raft host must be the caller's own (its certificate's OU and host);
 *  - register/heartbeat: a datanode certificate speaks for the datanodes of its own host;
 *  - getSCMCertChain/issueCertificate: the token decides the kind and subject of what is issued.
 * A caller whose certificate was revoked (decommissioned SCM, `admin cert revoke`) is refused everywhere.
 */
import type { BlockProtocol } from '../protocols/block-protocol.js';
import type { ClientProtocol } from '../protocols/client-protocol.js';
import type { DatanodeProtocol } from '../protocols/datanode-protocol.js';
import type { InterScmProtocol } from '../protocols/inter-scm-protocol.js';
import type { SecurityProtocol } from '../protocols/security-protocol.js';
import { describeIdentity, type IdentityKind, type PeerIdentity } from './peer-identity.js';
import { SecurityError } from './security-error.js';

export type Caller = IdentityKind | 'anonymous';
type Rule = readonly Caller[];

export interface PortProtocols {
  readonly client: ClientProtocol;
  readonly block: BlockProtocol;
  readonly datanode: DatanodeProtocol;
  readonly security: SecurityProtocol;
  readonly grpc: InterScmProtocol;
}
export type RpcPortName = keyof PortProtocols;

const ANYONE: Rule = ['anonymous', 'scm', 'admin', 'datanode', 'om'];
const CLUSTER: Rule = ['scm', 'admin', 'datanode', 'om'];

export const ACCESS: { readonly [P in RpcPortName]: { readonly [M in keyof PortProtocols[P]]: Rule } } = {
  client: {
    getScmInfo: ['admin', 'scm', 'om'],
    transferLeadership: ['admin'],
    listContainers: ['admin', 'om'],
    createContainers: ['admin'],
    status: ['admin', 'scm'],
    // safe mode: reading needs an authenticated caller; forceExitSafeMode calls checkAdminAccess in Ozone
    inSafeMode: ['admin', 'scm', 'om'],
    getSafeModeRuleStatuses: ['admin', 'scm', 'om'],
    forceExitSafeMode: ['admin'],
    decommissionScm: ['admin'],
    createJoinToken: ['admin'],
    listJoinTokens: ['admin'],
    revokeJoinToken: ['admin'],
    listCertificates: ['admin'],
    revokeCertificate: ['admin'],
    // Ozone: read-only listings need an authenticated user (no admin check); OM reads containers too;
    // finalizeScmUpgrade / queryUpgradeFinalizationProgress call checkAdminAccess
    queryNodes: ['admin', 'om'],
    listPipelines: ['admin', 'om'],
    listContainerPage: ['admin', 'om'],
    getContainerWithReplicas: ['admin', 'om'],
    finalizeScmUpgrade: ['admin'],
    queryUpgradeFinalizationProgress: ['admin'],
  },
  block: {
    getScmInfo: ['scm', 'om', 'admin'],
    addScm: ['scm'],
    allocateBlock: ['om', 'admin'],
  },
  datanode: {
    register: ['datanode'],
    heartbeat: ['datanode'],
  },
  security: {
    getCaCertificate: ANYONE,
    listCaCertificate: CLUSTER,
    getSCMCertChain: ANYONE,
    issueCertificate: ANYONE,
    getCertificate: CLUSTER,
  },
  grpc: {
    downloadCheckpoint: ['scm', 'admin'],
  },
};

/**
 * The authorization check of one port: refuses a method the caller's kind may not call (ACCESS_DENIED)
 * and any caller whose certificate is revoked (CERT_REVOKED).
 */
export function authorizer(port: RpcPortName, isRevoked: (serial: string) => boolean): (method: string, identity: PeerIdentity) => void {
  const table = ACCESS[port] as Readonly<Record<string, Rule>>;
  return (method, identity) => {
    const rule = Object.hasOwn(table, method) ? table[method] : undefined;
    if (!rule || !rule.includes(identity.kind)) {
      throw new SecurityError('ACCESS_DENIED', `${describeIdentity(identity)} may not call ${method} on the ${port} port`, {
        hint: rule ? `${method} is for ${rule.join(', ')} identities` : undefined,
      });
    }
    if (identity.kind !== 'anonymous' && isRevoked(identity.serial)) {
      throw new SecurityError('CERT_REVOKED', `certificate ${identity.serial} (${describeIdentity(identity)}) is revoked`, {
        hint: 'obtain a new identity with a join token',
      });
    }
  };
}
