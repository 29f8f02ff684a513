/**
 * HealthyPipelineSafeModeRule (Ozone …/scm/safemode/HealthyPipelineSafeModeRule.java, ozone-2.2.0): of the
 * OPEN RATIS/THREE pipelines, `hdds.scm.safemode.healthy.pipeline.pct` (0.10, rounded up) must have been
 * reported by all three members while every member is registered and HEALTHY — and at least
 * `hdds.scm.safemode.min.datanode` / 3 pipelines, so a fresh cluster with the default of 3 datanodes waits
 * for its first pipeline (created once the pre-check passed). The event is OPEN_PIPELINE: an OPEN pipeline
 * every member has reported. A refresh while the rule does not hold re-counts the OPEN pipelines.
 */
import { isRatisThree, pipelineIdList, SAMPLE_DISPLAY_LIMIT, SafeModeExitRule, type EventOf, type RuleHost, type SafeModeSources } from './safe-mode-rule.js';
import type { PipelineInfo } from '../state/records.js';

export class HealthyPipelineSafeModeRule extends SafeModeExitRule<'OPEN_PIPELINE'> {
  readonly name = 'HealthyPipelineSafeModeRule';
  readonly eventType = 'OPEN_PIPELINE';
  private readonly minHealthyPipelines: number;
  private thresholdCount = 0;
  private current = 0;
  private readonly processed = new Set<string>();
  private readonly unprocessed = new Set<string>();

  constructor(
    host: RuleHost,
    private readonly sources: SafeModeSources,
    private readonly pct: number,
    minDatanodes: number,
  ) {
    super(host);
    // "We only care about THREE replica pipeline"
    this.minHealthyPipelines = Math.floor(minDatanodes / 3);
    this.initializeRule();
  }

  private openRatisThree(): PipelineInfo[] {
    return [...this.sources.pipelines()].filter((p) => p.state === 'OPEN' && isRatisThree(p));
  }

  private initializeRule(): void {
    for (const p of this.openRatisThree()) this.unprocessed.add(p.id);
    this.thresholdCount = Math.max(this.minHealthyPipelines, Math.ceil(this.pct * this.unprocessed.size));
  }

  /** every member registered here and HEALTHY (Ozone: NodeStatus.inServiceHealthy()) */
  private membersHealthy(p: PipelineInfo): boolean {
    return p.nodes.every((n) => this.sources.nodeHealth(n.uuid) === 'HEALTHY');
  }

  validate(): boolean {
    return this.current >= this.thresholdCount;
  }

  protected process(event: EventOf<'OPEN_PIPELINE'>): void {
    const p = event.pipeline;
    if (!isRatisThree(p) || this.processed.has(p.id) || p.nodes.length !== 3) return;
    if (!this.membersHealthy(p)) return;
    this.current++;
    this.processed.add(p.id);
    this.unprocessed.delete(p.id);
  }

  refresh(force: boolean): void {
    if (force || !this.validate()) this.initializeRule();
  }

  cleanup(): void {
    this.processed.clear();
    this.unprocessed.clear();
  }

  statusText(): string {
    let status = `healthy Ratis/THREE pipelines (=${this.current}) >= healthyPipelineThresholdCount (=${this.thresholdCount})`;
    const unhealthy = this.openRatisThree()
      .filter((p) => p.nodes.length !== 3 || !this.membersHealthy(p))
      .map((p) => p.id)
      .slice(0, SAMPLE_DISPLAY_LIMIT);
    if (unhealthy.length > 0) status += `\nSample pipelines not satisfying the criteria : ${pipelineIdList(unhealthy)}`;
    return status;
  }
}
