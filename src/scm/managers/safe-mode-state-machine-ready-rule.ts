/**
 * StateMachineReadyRule (Ozone …/scm/safemode/StateMachineReadyRule.java, ozone-2.2.0; SCM HA only): the SCM
 * state machine is ready — a leader is known (SCMStateMachine#notifyLeaderChanged), so this SCM's state is
 * not a stale pre-restart view waiting for the log. A standalone SCM (no Raft) has no such rule.
 */
import { SafeModeExitRule, type RuleHost, type SafeModeSources } from './safe-mode-rule.js';

export class StateMachineReadyRule extends SafeModeExitRule<'STATEMACHINE_READY'> {
  readonly name = 'StateMachineReadyRule';
  readonly eventType = 'STATEMACHINE_READY';

  constructor(
    host: RuleHost,
    private readonly sources: SafeModeSources,
  ) {
    super(host);
  }

  validate(): boolean {
    return this.sources.stateMachineReady();
  }

  protected process(): void {}

  cleanup(): void {}

  statusText(): string {
    return `Refreshed SCM State Machine after leader ready: ${String(this.sources.stateMachineReady())}`;
  }

  refresh(): void {}
}
