/**
 * OneReplicaPipelineSafeModeRule (Ozone …/scm/safemode/OneReplicaPipelineSafeModeRule.java, ozone-2.2.0): of
 * the RATIS/THREE pipelines OPEN when the rule was (re)initialised, `hdds.scm.safemode.atleast.one.node.
 * reported.pipeline.pct` (0.90, rounded up) must have been reported by at least one datanode — every open
 * container is then readable from one replica. A refresh while the rule does not hold takes the OPEN
 * pipelines anew. (As in Ozone, the sample printed after the rule held lists pipelines again: `cleanup`
 * forgets which were reported.)
 */
import { isRatisThree, pipelineIdList, SAMPLE_DISPLAY_LIMIT, SafeModeExitRule, type EventOf, type RuleHost, type SafeModeSources } from './safe-mode-rule.js';

export class OneReplicaPipelineSafeModeRule extends SafeModeExitRule<'PIPELINE_REPORT'> {
  readonly name = 'OneReplicaPipelineSafeModeRule';
  readonly eventType = 'PIPELINE_REPORT';
  private thresholdCount = 0;
  private current = 0;
  private readonly reported = new Set<string>();
  private old = new Set<string>();

  constructor(
    host: RuleHost,
    private readonly sources: SafeModeSources,
    private readonly pct: number,
  ) {
    super(host);
    this.initializeRule();
  }

  private initializeRule(): void {
    this.old = new Set([...this.sources.pipelines()].filter((p) => p.state === 'OPEN' && isRatisThree(p)).map((p) => p.id));
    this.thresholdCount = Math.ceil(this.pct * this.old.size);
  }

  validate(): boolean {
    return this.current >= this.thresholdCount;
  }

  protected process(event: EventOf<'PIPELINE_REPORT'>): void {
    for (const id of event.pipelineIDs) {
      const p = this.sources.pipeline(id);
      if (!p || !isRatisThree(p) || p.state !== 'OPEN' || this.reported.has(id) || !this.old.has(id)) continue;
      this.current++;
      this.reported.add(id);
    }
  }

  refresh(force: boolean): void {
    if (force || !this.validate()) this.initializeRule();
  }

  cleanup(): void {
    this.reported.clear();
  }

  statusText(): string {
    let status = `reported Ratis/THREE pipelines with at least one datanode (=${this.current}) >= threshold (=${this.thresholdCount})`;
    const sample = [...this.old].filter((id) => !this.reported.has(id)).slice(0, SAMPLE_DISPLAY_LIMIT);
    if (sample.length > 0) status += `\nSample pipelines not satisfying the criteria : ${pipelineIdList(sample)}`;
    return status;
  }
}
