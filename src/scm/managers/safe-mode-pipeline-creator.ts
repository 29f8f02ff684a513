/**
 * Pipeline creation in safe mode (Ozone's BackgroundPipelineCreator with `hdds.scm.safemode.pipeline.creation`
 * = true, triggered by PRE_CHECK_COMPLETED and new datanodes): once the pre-check passed, the leader creates a
 * RATIS/THREE pipeline when none is OPEN or ALLOCATED on healthy datanodes — without one,
 * HealthyPipelineSafeModeRule (at least `min.datanode`/3 healthy pipelines) could never hold, since block
 * allocation, which otherwise creates pipelines on demand here, is refused in safe mode. Ozone fills every
 * datanode up to its pipeline limit; the embedded SCM creates one and leaves the rest to allocation. Checked
 * on every safe mode event (no timer); one creation at a time.
 */
import type { Logger } from '../../common/logger.js';
import type { Replicator } from '../replication/replicator.js';
import { isRatisThree } from './safe-mode-rule.js';
import type { PipelineManager } from './pipeline-manager.js';
import type { SafeModeManager } from './safe-mode-manager.js';

const RATIS_THREE = { replicationType: 'RATIS', replicationFactor: 'THREE' } as const;

export class SafeModePipelineCreator {
  private creating = false;
  private closed = false;

  constructor(
    private readonly manager: SafeModeManager,
    private readonly replicator: Replicator,
    private readonly pipelines: PipelineManager,
    private readonly nodeHealthy: (uuid: string) => boolean,
    private readonly healthyCount: () => number,
    private readonly logger: Logger,
    private readonly enabled: boolean,
  ) {}

  /** Creates a pipeline if safe mode needs one and this SCM is a ready leader; never throws. */
  trigger(): void {
    if (!this.enabled || this.closed || this.creating) return;
    if (!this.manager.inSafeMode() || !this.manager.preCheckComplete() || !this.replicator.isLeaderReady()) return;
    if (this.healthyCount() < 3) return;
    const usable = this.pipelines.pipelines().some((p) => isRatisThree(p) && (p.state === 'OPEN' || p.state === 'ALLOCATED') && p.nodes.every((n) => this.nodeHealthy(n.uuid)));
    if (usable) return;
    this.creating = true;
    this.pipelines
      .create(RATIS_THREE)
      .then((p) => this.logger.info('created a pipeline in safe mode (pre-check passed)', { pipeline: p.id }))
      .catch((err: unknown) => this.logger.debug('no pipeline created in safe mode', { error: (err as Error).message }))
      .finally(() => (this.creating = false));
  }

  close(): void {
    this.closed = true;
  }
}
