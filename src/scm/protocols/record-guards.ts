/** Guards of the replicated record shapes (records.ts) that several SCM protocols carry. */
import { literal, obj, str, UUID } from '../transport/params-guard.js';

export const replicationConfigGuard = obj({
  replicationType: literal('RATIS', 'STAND_ALONE', 'EC'),
  replicationFactor: literal('ONE', 'THREE'),
});

export const datanodeDetailsGuard = obj({
  uuid: str({ pattern: UUID }),
  hostName: str({ max: 255, min: 1 }),
  ipAddress: str({ max: 64, min: 1 }),
});
