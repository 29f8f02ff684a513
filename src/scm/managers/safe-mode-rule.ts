/**
 * One safe mode exit rule, as Ozone's SafeModeExitRule (hadoop-hdds/server-scm …/scm/safemode/
 * SafeModeExitRule.java at ozone-2.2.0): a rule listens to one kind of event, `process`es it while the SCM is
 * in safe mode, and reports itself validated to the manager (then `cleanup`s) the first time `validate()`
 * holds — before processing (it may already hold) and after. A validated rule stays validated. `refresh`
 * re-reads SCM state (the manager calls it after replicated changes are applied); `statusText` is what
 * `ozone admin safemode status --verbose` prints for the rule.
 *
 * Rules read the SCM through SafeModeSources (the server wires the real state; tests pass fakes).
 */
import type { NodeHealth } from './node-manager.js';
import type { ContainerInfo, PipelineInfo } from '../state/records.js';

/** The events the rules listen to (Ozone SCMEvents). */
export type SafeModeEvent =
  /** NODE_REGISTRATION_CONT_REPORT: a datanode registered with this SCM */
  | { readonly type: 'NODE_REGISTRATION'; readonly datanode: string }
  /** CONTAINER_REGISTRATION_REPORT: the containers a datanode holds */
  | { readonly type: 'CONTAINER_REPORT'; readonly datanode: string; readonly containerIDs: readonly number[] }
  /** OPEN_PIPELINE: an OPEN pipeline every member reported (PipelineReportHandler, while in safe mode) */
  | { readonly type: 'OPEN_PIPELINE'; readonly pipeline: PipelineInfo }
  /** PIPELINE_REPORT: the pipelines a datanode reports */
  | { readonly type: 'PIPELINE_REPORT'; readonly datanode: string; readonly pipelineIDs: readonly string[] }
  /** STATEMACHINE_READY: this SCM knows a leader / applied what came before (SCMStateMachine) */
  | { readonly type: 'STATEMACHINE_READY' };

export type SafeModeEventType = SafeModeEvent['type'];
export type EventOf<T extends SafeModeEventType> = Extract<SafeModeEvent, { type: T }>;

/** What the rules read of this SCM. */
export interface SafeModeSources {
  containers(): Iterable<ContainerInfo>;
  pipelines(): Iterable<PipelineInfo>;
  pipeline(id: string): PipelineInfo | undefined;
  /** health of a datanode as this SCM sees it; undefined = not registered with this SCM */
  nodeHealth(uuid: string): NodeHealth | undefined;
  /** Raft: a leader is known / this leader applied its term's entries (SCMStateMachine#getIsStateMachineReady) */
  stateMachineReady(): boolean;
}

/** The manager as a rule sees it. */
export interface RuleHost {
  inSafeMode(): boolean;
  validateSafeModeExitRule(ruleName: string): void;
}

/** Ozone's sample limits (SAMPLE_CONTAINER_DISPLAY_LIMIT, SAMPLE_PIPELINE_DISPLAY_LIMIT). */
export const SAMPLE_DISPLAY_LIMIT = 5;

export abstract class SafeModeExitRule<T extends SafeModeEventType = SafeModeEventType> {
  constructor(protected readonly host: RuleHost) {}

  /** Ozone's rule name (the Java class name): what `safemode status --verbose` shows */
  abstract readonly name: string;
  abstract readonly eventType: T;
  abstract validate(): boolean;
  protected abstract process(event: EventOf<T>): void;
  abstract cleanup(): void;
  abstract statusText(): string;
  abstract refresh(force: boolean): void;

  /** SafeModeExitRule#onMessage */
  onMessage(event: EventOf<T>): void {
    if (!this.host.inSafeMode()) return;
    if (this.validate()) {
      this.host.validateSafeModeExitRule(this.name);
      this.cleanup();
      return;
    }
    this.process(event);
    if (this.validate()) {
      this.host.validateSafeModeExitRule(this.name);
      this.cleanup();
    }
  }
}

/** Java's `%1.2f` for the figures rules print. */
export function fixed2(n: number): string {
  return n.toFixed(2);
}

export const isRatisThree = (p: PipelineInfo): boolean => p.replicationConfig.replicationType === 'RATIS' && p.replicationConfig.replicationFactor === 'THREE';

/** Java's AbstractCollection#toString of PipelineIDs: `[Pipeline-<uuid>, …]` */
export function pipelineIdList(ids: Iterable<string>): string {
  return `[${[...ids].map((id) => `Pipeline-${id}`).join(', ')}]`;
}
