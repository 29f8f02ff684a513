/**
 * StorageContainerLocationProtocol on the client port (9860): the operator's and OM's calls. Leader-only
 * except `status` and the safe mode calls (any SCM), as Ozone exempts a few follower-readable calls (CLT). In secure mode the
 * caller authenticates with a certificate; what each identity may call is security/access-policy.ts.
 */
import type { PeerRole } from '../protocol-servers/roles.js';
import type { TokenScope } from '../state/join-token-records.js';
import type { ContainerInfo, PipelineInfo } from '../state/records.js';
import { bool, int, literal, obj, optional, str } from '../transport/params-guard.js';
import { unary } from '../transport/protocol-definition.js';
import type { ContainerListPage, ContainerWithReplicas, DatanodeListing, StatusAndMessages } from './operator-listings.js';
import { replicationConfigGuard } from './record-guards.js';
import type { SafeModeRuleStatus } from '../managers/safe-mode-manager.js';

export interface ScmInfo {
  readonly clusterId: string;
  readonly scmId: string;
  readonly peerRoles: readonly string[];
  readonly roles: readonly PeerRole[];
}

/** A join token as `token list` shows it: never its secret. */
export interface JoinTokenInfo {
  readonly id: string;
  readonly scope: TokenScope;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly usesLeft: number;
  readonly used: number;
  readonly revokedAt: number | null;
  readonly createdBy: string;
  readonly description: string;
  readonly state: 'valid' | 'expired' | 'used' | 'revoked';
}

export interface CreatedJoinToken {
  /** `<id>.<secret>`: shown once, to the caller only */
  readonly token: string;
  readonly info: JoinTokenInfo;
  /** `sha256:<hex>` of the cluster's root CA public key, for the joiner to pin */
  readonly caCertHash: string;
}

export interface CertificateListing {
  readonly serial: string;
  readonly role: string;
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly revoked: { readonly reason: string; readonly at: number } | null;
}

const name = (max = 253): ReturnType<typeof str> => str({ min: 1, max, pattern: /^[A-Za-z0-9._:\-[\]]+$/ });

export const clientProtocol = {
  getScmInfo: unary<ScmInfo>()(obj({})),
  transferLeadership: unary<{ newLeader: string }>()(obj({ target: str({ min: 1, max: 64 }) })),
  listContainers: unary<ContainerInfo[]>()(obj({ start: optional(int({ min: 0 })), count: optional(int({ min: 1, max: 100_000 })) })),
  createContainers: unary<{ first: number; last: number; count: number }>()(
    obj({ count: optional(int({ min: 1, max: 10_000_000 })), replication: optional(replicationConfigGuard), owner: optional(str({ min: 1, max: 128 })) }),
  ),
  status: unary<Record<string, unknown>>()(obj({})),
  // safe mode (Ozone InSafeMode, GetSafeModeRuleStatuses: follower-readable; ForceExitSafeMode: an admin command
  // any SCM serves) — every SCM answers for its own safe mode
  inSafeMode: unary<{ inSafeMode: boolean; preCheckComplete: boolean }>()(obj({})),
  getSafeModeRuleStatuses: unary<SafeModeRuleStatus[]>()(obj({})),
  forceExitSafeMode: unary<{ exitedSafeMode: boolean }>()(obj({})),
  /** Ozone's `admin scm decommission --nodeid`: remove a member from the ring (scmUuid or node id) */
  decommissionScm: unary<{ removed: string; address: string }>()(obj({ nodeId: str({ min: 1, max: 64 }) })),
  createJoinToken: unary<CreatedJoinToken>()(
    obj({
      kind: literal('scm', 'datanode', 'om', 'admin'),
      host: optional(name()),
      nodeId: optional(name(64)),
      ttlSeconds: optional(int({ min: 60, max: 7 * 24 * 3600 })),
      uses: optional(int({ min: 1, max: 1000 })),
      description: optional(str({ max: 200 })),
    }),
  ),
  listJoinTokens: unary<JoinTokenInfo[]>()(obj({})),
  revokeJoinToken: unary<{ id: string; revoked: boolean }>()(obj({ id: str({ pattern: /^[a-z0-9]{6}$/ }) })),
  listCertificates: unary<CertificateListing[]>()(obj({ role: optional(literal('SCM', 'OM', 'DATANODE', 'ADMIN')) })),
  revokeCertificate: unary<{ serial: string; revoked: boolean }>()(obj({ serial: str({ pattern: /^\d{1,40}$/ }), reason: optional(str({ max: 200 })) })),
  // operator listings (Ozone QueryNode, ListPipelines, ListContainer, GetContainerWithPipeline +
  // GetContainerReplicas, FinalizeScmUpgrade, QueryUpgradeFinalizationProgress): leader-only, as in Ozone
  queryNodes: unary<DatanodeListing[]>()(obj({})),
  listPipelines: unary<PipelineInfo[]>()(obj({})),
  listContainerPage: unary<ContainerListPage>()(
    obj({
      start: int({ min: 0 }),
      count: int({ min: 1, max: 1_000_000 }),
      state: optional(literal('OPEN', 'CLOSING', 'QUASI_CLOSED', 'CLOSED', 'DELETING', 'DELETED')),
      replicationType: optional(literal('RATIS', 'STAND_ALONE', 'EC')),
      replicationFactor: optional(literal('ONE', 'THREE')),
    }),
  ),
  getContainerWithReplicas: unary<ContainerWithReplicas>()(obj({ containerID: int({ min: 1 }) })),
  finalizeScmUpgrade: unary<StatusAndMessages>()(obj({ upgradeClientId: str({ min: 1, max: 128 }) })),
  queryUpgradeFinalizationProgress: unary<StatusAndMessages>()(obj({ upgradeClientId: str({ min: 1, max: 128 }), takeover: bool(), readonly: bool() })),
} as const;
export type ClientProtocol = typeof clientProtocol;

