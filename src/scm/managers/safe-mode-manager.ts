/**
 * This SCM's safe mode (Ozone's SCMSafeModeManager + SafeModeRuleFactory, hadoop-hdds/server-scm
 * …/scm/safemode/ at ozone-2.2.0). Every SCM — leader or follower — enters safe mode at start and computes its
 * own exit from the datanodes reporting to it:
 *
 *   INITIAL ──(every pre-check rule validated: DataNodeSafeModeRule)──▶ PRE_CHECKS_PASSED
 *           ──(every rule validated)──▶ OUT_OF_SAFE_MODE        (or `safemode exit`: forceExitSafeMode)
 *
 * Rules, in the factory's order: RatisContainerSafeModeRule, ECContainerSafeModeRule, DataNodeSafeModeRule,
 * StateMachineReadyRule (Raft only), HealthyPipelineSafeModeRule, OneReplicaPipelineSafeModeRule. A rule is
 * validated by the first event (or refresh) at which it holds, and stays validated. With
 * `hdds.scm.safemode.enabled=false` the SCM is out of safe mode from the start. Event-driven: nothing polls;
 * `fire` is called by the server's wiring (safe-mode-wiring.ts) for registrations, reports and applied
 * changes, and `awaitExit` resolves the moment the SCM leaves safe mode.
 *
 * While in safe mode the leader refuses block and container allocation with Ozone's SAFE_MODE_EXCEPTION
 * ("SafeModePrecheck failed for allocateBlock", BlockManagerImpl) — after waiting, like the wait for an open
 * pipeline, up to the caller's bound for the SCM to leave safe mode (`precheck`).
 */
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { SafeModeConfig } from '../config/safe-mode-config.js';
import { ECContainerSafeModeRule, RatisContainerSafeModeRule } from './safe-mode-container-rule.js';
import { DataNodeSafeModeRule } from './safe-mode-datanode-rule.js';
import { SafeModeError } from './safe-mode-error.js';
import { HealthyPipelineSafeModeRule } from './safe-mode-healthy-pipeline-rule.js';
import { OneReplicaPipelineSafeModeRule } from './safe-mode-one-replica-pipeline-rule.js';
import type { EventOf, RuleHost, SafeModeEvent, SafeModeEventType, SafeModeExitRule, SafeModeSources } from './safe-mode-rule.js';
import { StateMachineReadyRule } from './safe-mode-state-machine-ready-rule.js';

/** SCMSafeModeManager.SafeModeStatus */
export type SafeModeState = 'INITIAL' | 'PRE_CHECKS_PASSED' | 'OUT_OF_SAFE_MODE';

/** One rule as `getSafeModeRuleStatuses` returns it (Ozone's SafeModeRuleStatusProto). */
export interface SafeModeRuleStatus {
  readonly ruleName: string;
  readonly validate: boolean;
  readonly statusText: string;
}

export class SafeModeManager implements RuleHost {
  private current: SafeModeState = 'INITIAL';
  private readonly rules: ReadonlyArray<SafeModeExitRule>;
  private readonly preCheckRules: ReadonlySet<string>;
  private readonly validated = new Set<string>();
  private readonly validatedPreCheck = new Set<string>();
  private readonly listeners = new Set<(state: SafeModeState) => void>();
  private readonly waiters = new Set<(out: boolean) => void>();

  constructor(
    config: SafeModeConfig,
    sources: SafeModeSources,
    private readonly options: { readonly raft: boolean; readonly logger: Logger; readonly clock: Clock },
  ) {
    const datanodes = new DataNodeSafeModeRule(this, config.minDatanodes);
    this.rules = [
      new RatisContainerSafeModeRule(this, sources, config.containerThresholdPct),
      new ECContainerSafeModeRule(this, sources, config.containerThresholdPct),
      datanodes,
      ...(options.raft ? [new StateMachineReadyRule(this, sources)] : []),
      new HealthyPipelineSafeModeRule(this, sources, config.healthyPipelinePct, config.minDatanodes),
      new OneReplicaPipelineSafeModeRule(this, sources, config.oneReplicaPipelinePct),
    ];
    this.preCheckRules = new Set([datanodes.name]);
    if (!config.enabled) {
      options.logger.info('Safemode is disabled, skipping Safemode rule validation and force exiting Safemode.');
      this.current = 'OUT_OF_SAFE_MODE';
    } else {
      options.logger.info('SCM in safe mode', { rules: this.rules.map((r) => r.name).join(','), minDatanodes: config.minDatanodes });
    }
  }

  get state(): SafeModeState {
    return this.current;
  }

  inSafeMode(): boolean {
    return this.current !== 'OUT_OF_SAFE_MODE';
  }

  preCheckComplete(): boolean {
    return this.current !== 'INITIAL';
  }

  /** Delivers an event to the rules that listen to it (nothing once out of safe mode). */
  fire(event: SafeModeEvent): void {
    if (!this.inSafeMode()) return;
    for (const rule of this.rules) {
      if (rule.eventType === event.type) (rule as SafeModeExitRule<SafeModeEventType>).onMessage(event as EventOf<SafeModeEventType>);
    }
  }

  validateSafeModeExitRule(ruleName: string): void {
    if (this.validated.has(ruleName)) return;
    this.validated.add(ruleName);
    this.options.logger.info(`${ruleName} rule is successfully validated`);
    if (this.preCheckRules.has(ruleName)) this.validatedPreCheck.add(ruleName);
    if (this.current === 'INITIAL' && this.validatedPreCheck.size === this.preCheckRules.size) {
      this.options.logger.info('All SCM safe mode pre check rules have passed');
      this.transition('PRE_CHECKS_PASSED');
    }
    if (this.current === 'PRE_CHECKS_PASSED' && this.validated.size === this.rules.length) {
      this.options.logger.info('SCM exiting safe mode.');
      this.transition('OUT_OF_SAFE_MODE');
    }
  }

  /** After replicated changes were applied: re-read SCM state and validate what holds now. */
  refreshAndValidate(): void {
    for (const rule of this.rules) {
      if (!this.inSafeMode()) return;
      rule.refresh(false);
      if (rule.validate()) {
        this.validateSafeModeExitRule(rule.name);
        rule.cleanup();
      }
    }
  }

  /** `ozone admin safemode exit` (SCMSafeModeManager#forceExitSafeMode). */
  forceExitSafeMode(): boolean {
    this.options.logger.info('SCM force-exiting safe mode.');
    this.transition('OUT_OF_SAFE_MODE');
    return true;
  }

  ruleStatuses(): SafeModeRuleStatus[] {
    return this.rules.map((r) => ({ ruleName: r.name, validate: r.validate(), statusText: r.statusText() }));
  }

  /** Told about every state change (synchronously; must not throw). */
  onStatusChange(listener: (state: SafeModeState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves true as soon as this SCM is out of safe mode, false after `timeoutMs` or on abort. */
  awaitExit(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (!this.inSafeMode()) return Promise.resolve(true);
    if (timeoutMs <= 0 || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (out: boolean): void => {
        this.waiters.delete(done);
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        resolve(out);
      };
      const onAbort = (): void => done(false);
      const timer = this.options.clock.setTimeout(() => done(false), timeoutMs);
      this.waiters.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * The safe mode precheck of an operation (BlockManagerImpl#allocateBlock, SCMClientProtocolServer
   * #allocateContainer): waits up to `waitMs` for the SCM to leave safe mode, then refuses with
   * SAFE_MODE_EXCEPTION "SafeModePrecheck failed for <op>".
   */
  async precheck(op: string, options: { waitMs: number; signal?: AbortSignal }): Promise<void> {
    if (await this.awaitExit(options.waitMs, options.signal)) return;
    throw new SafeModeError('SAFE_MODE_EXCEPTION', `SafeModePrecheck failed for ${op}`, {
      hint: 'the SCM is in safe mode until enough datanodes registered and reported their containers and pipelines: ozone admin safemode status --verbose shows what it waits for (ozone admin safemode exit forces it out)',
    });
  }

  /** Resolves pending waits (false) — the server is closing. */
  close(): void {
    for (const w of [...this.waiters]) w(false);
    this.listeners.clear();
  }

  private transition(next: SafeModeState): void {
    if (this.current === next) return;
    this.current = next;
    if (next === 'OUT_OF_SAFE_MODE') for (const w of [...this.waiters]) w(true);
    for (const l of [...this.listeners]) l(next);
  }
}
