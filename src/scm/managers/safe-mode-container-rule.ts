/**
 * The container rules (Ozone …/scm/safemode/AbstractContainerSafeModeRule.java, RatisContainerSafeModeRule,
 * ECContainerSafeModeRule, ozone-2.2.0; one ContainerSafeModeRule up to 2.0): the containers this SCM knew at
 * start that are CLOSED or QUASI_CLOSED **and hold at least one key** (OPEN/CLOSING containers may never have
 * been written) must reach `hdds.scm.safemode.threshold.pct` (0.99) with their minimum replicas reported — one
 * replica for Ratis, the data count for EC. No such container: the rule holds. A refresh drops containers
 * that were DELETED meanwhile (datanodes do not report those); containers created later are not added.
 * The embedded SCM has no EC containers: ECContainerSafeModeRule always counts 0 of 0, as Ozone on a cluster
 * without EC.
 */
import type { ContainerInfo, ReplicationType } from '../state/records.js';
import { fixed2, SAMPLE_DISPLAY_LIMIT, SafeModeExitRule, type EventOf, type RuleHost, type SafeModeSources } from './safe-mode-rule.js';

const isClosed = (c: ContainerInfo): boolean => c.state === 'CLOSED' || c.state === 'QUASI_CLOSED';

/** ReplicationConfig#getMinimumNodes: Ratis 1; EC its data count (no EC configuration is stored here). */
const minimumNodes = (c: ContainerInfo): number => (c.replicationConfig.replicationType === 'EC' ? 3 : 1);

export abstract class AbstractContainerSafeModeRule extends SafeModeExitRule<'CONTAINER_REPORT'> {
  readonly eventType = 'CONTAINER_REPORT';
  /** container id → minimum replicas, for the containers still waiting for their replicas */
  protected readonly waiting = new Map<number, number>();
  private total = 0;
  private withMinReplicas = 0;

  constructor(
    host: RuleHost,
    private readonly sources: SafeModeSources,
    private readonly cutoff: number,
    private readonly type: ReplicationType,
  ) {
    super(host);
    this.initializeRule();
  }

  protected abstract handleReportedContainer(containerID: number, datanode: string): void;

  protected countWithMinReplicas(): void {
    this.withMinReplicas++;
  }

  private initializeRule(): void {
    this.waiting.clear();
    for (const c of this.sources.containers()) {
      if (c.replicationConfig.replicationType === this.type && isClosed(c) && c.numberOfKeys > 0) this.waiting.set(c.containerID, minimumNodes(c));
    }
    this.total = this.waiting.size;
  }

  /** reinitializeRule: containers DELETED since are no longer expected */
  private reinitializeRule(): void {
    const before = this.waiting.size;
    for (const c of this.sources.containers()) if (c.state === 'DELETED') this.waiting.delete(c.containerID);
    this.total -= before - this.waiting.size;
  }

  currentContainerThreshold(): number {
    return this.total === 0 ? 1 : this.withMinReplicas / this.total;
  }

  validate(): boolean {
    return this.currentContainerThreshold() >= this.cutoff;
  }

  protected process(event: EventOf<'CONTAINER_REPORT'>): void {
    for (const id of event.containerIDs) this.handleReportedContainer(id, event.datanode);
  }

  refresh(force: boolean): void {
    if (force || !this.validate()) this.reinitializeRule();
  }

  cleanup(): void {
    this.waiting.clear();
  }

  statusText(): string {
    const t = this.currentContainerThreshold();
    let status = `${fixed2(t * 100)}% of [${this.type}] Containers(${this.withMinReplicas} / ${this.total}) with at least N reported replica (=${fixed2(t)}) >= safeModeCutoff (=${fixed2(this.cutoff)})`;
    const sample = [...this.waiting.keys()].slice(0, SAMPLE_DISPLAY_LIMIT);
    if (sample.length > 0) status += `\nSample  ${this.type} Containers not satisfying the criteria : [${sample.map((id) => `#${id}`).join(', ')}]`;
    return status;
  }
}

export class RatisContainerSafeModeRule extends AbstractContainerSafeModeRule {
  readonly name = 'RatisContainerSafeModeRule';

  constructor(host: RuleHost, sources: SafeModeSources, cutoff: number) {
    super(host, sources, cutoff, 'RATIS');
  }

  protected handleReportedContainer(containerID: number): void {
    if (this.waiting.delete(containerID)) this.countWithMinReplicas();
  }
}

export class ECContainerSafeModeRule extends AbstractContainerSafeModeRule {
  readonly name = 'ECContainerSafeModeRule';
  private readonly replicas = new Map<number, Set<string>>();

  constructor(host: RuleHost, sources: SafeModeSources, cutoff: number) {
    super(host, sources, cutoff, 'EC');
  }

  protected handleReportedContainer(containerID: number, datanode: string): void {
    const min = this.waiting.get(containerID);
    if (min === undefined) return;
    const seen = this.replicas.get(containerID) ?? new Set<string>();
    seen.add(datanode);
    this.replicas.set(containerID, seen);
    if (seen.size >= min) {
      this.waiting.delete(containerID);
      this.countWithMinReplicas();
    }
  }

  override cleanup(): void {
    super.cleanup();
    this.replicas.clear();
  }
}
