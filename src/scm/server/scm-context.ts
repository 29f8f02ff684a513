/** Everything the protocol services of a running SCM share; built and owned by server.ts. */
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { HostLocality } from '../config/host-locality.js';
import type { ScmConfig } from '../config/scm-config.js';
import type { Replicator } from '../replication/replicator.js';
import type { ScmStateMachine } from '../replication/scm-state-machine.js';
import type { BlockManager } from '../services/block-manager.js';
import type { CertificateService } from '../services/certificate-service.js';
import type { JoinTokenService } from '../services/join-token-service.js';
import type { NodeManager } from '../services/node-manager.js';
import type { PipelineManager } from '../services/pipeline-manager.js';
import type { SafeModeManager } from '../services/safe-mode-manager.js';
import type { ScmVersion } from '../storage/version-file.js';
import type { ScmMetrics } from './metrics.js';

export interface ScmContext {
  readonly config: ScmConfig;
  readonly version: ScmVersion;
  readonly replicator: Replicator;
  readonly stateMachine: ScmStateMachine;
  readonly nodes: NodeManager;
  readonly pipelines: PipelineManager;
  readonly blocks: BlockManager;
  /** this SCM's safe mode (every SCM computes its own from the datanodes reporting to it) */
  readonly safeMode: SafeModeManager;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly locality: HostLocality;
  readonly metrics: ScmMetrics;
  /** certificate issuance and revocation on a secure cluster (`ozone.security.enabled`), else undefined */
  readonly certificates: CertificateService | undefined;
  /** join tokens on a secure cluster, else undefined */
  readonly tokens: JoinTokenService | undefined;
  /** scmUuids this leader is removing from the ring right now (their addScm is refused meanwhile) */
  readonly leavingMembers: Set<string>;
}
