/** Everything the protocol servers of a running SCM share; built and owned by the composition root, server/scm-server.ts. */
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { HostLocality } from '../config/host-locality.js';
import type { ScmConfig } from '../config/scm-config.js';
import type { Replicator } from '../replication/replicator.js';
import type { ScmStateStore } from '../replication/scm-state-store.js';
import type { BlockManager } from '../managers/block-manager.js';
import type { CertificateManager } from '../managers/certificate-manager.js';
import type { JoinTokenManager } from '../managers/join-token-manager.js';
import type { NodeManager } from '../managers/node-manager.js';
import type { PipelineManager } from '../managers/pipeline-manager.js';
import type { SafeModeManager } from '../managers/safe-mode-manager.js';
import type { ScmVersion } from '../storage/version-file.js';
import type { ScmMetrics } from './metrics.js';

export interface ScmContext {
  readonly config: ScmConfig;
  readonly version: ScmVersion;
  readonly replicator: Replicator;
  readonly stateStore: ScmStateStore;
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
  readonly certificates: CertificateManager | undefined;
  /** join tokens on a secure cluster, else undefined */
  readonly tokens: JoinTokenManager | undefined;
  /** scmUuids this leader is removing from the ring right now (their addScm is refused meanwhile) */
  readonly leavingMembers: Set<string>;
}
