/**
 * The inter-SCM port (9895, Ozone's InterSCMProtocolService): `downloadCheckpoint` streams a consistent
 * scm.db checkpoint (storage/checkpoint.ts) to a follower that needs it, or to `debug ldb` reading a
 * running SCM. In secure mode: mutual TLS, SCM and admin identities only.
 */
import { CLUSTER_ID, obj, str } from '../transport/params-guard.js';
import { stream } from '../transport/protocol-definition.js';

export const interScmProtocol = {
  downloadCheckpoint: stream(obj({ clusterId: str({ pattern: CLUSTER_ID }) })),
} as const;
export type InterScmProtocol = typeof interScmProtocol;
