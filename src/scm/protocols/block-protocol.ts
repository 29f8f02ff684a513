/**
 * ScmBlockLocationProtocol on the block port (9863), every call leader-only (BPT): `getScmInfo` (the
 * cluster id, for a bootstrapped SCM and OMs), `addScm` (a bootstrapped SCM joins the ring at its first
 * start; in secure mode only with its own SCM certificate), `allocateBlock` (OM/freon).
 */
import type { AllocatedBlock } from '../managers/block-manager.js';
import { CLUSTER_ID, int, obj, optional, str, UUID } from '../transport/params-guard.js';
import { unary } from '../transport/protocol-definition.js';
import { replicationConfigGuard } from './record-guards.js';

export const blockProtocol = {
  getScmInfo: unary<{ clusterId: string; scmId: string; peerRoles: readonly string[] }>()(obj({})),
  addScm: unary<{ success: boolean }>()(
    obj({ clusterId: str({ pattern: CLUSTER_ID }), scmId: str({ pattern: UUID }), ratisAddress: str({ min: 3, max: 300, pattern: /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/ }) }),
  ),
  allocateBlock: unary<AllocatedBlock[]>()(
    obj({ size: int({ min: 1 }), num: optional(int({ min: 1, max: 1000 })), replication: replicationConfigGuard, owner: str({ min: 1, max: 256 }) }),
  ),
} as const;
export type BlockProtocol = typeof blockProtocol;
