/**
 * DataNodeSafeModeRule (Ozone …/scm/safemode/DataNodeSafeModeRule.java, ozone-2.2.0): at least
 * `hdds.scm.safemode.min.datanode` distinct datanodes registered with this SCM since it started. It is the
 * pre-check rule: once it holds, the SCM may create pipelines while still in safe mode.
 */
import { SafeModeExitRule, type EventOf, type RuleHost } from './safe-mode-rule.js';

export class DataNodeSafeModeRule extends SafeModeExitRule<'NODE_REGISTRATION'> {
  readonly name = 'DataNodeSafeModeRule';
  readonly eventType = 'NODE_REGISTRATION';
  private readonly registered = new Set<string>();
  private registeredDns = 0;

  constructor(
    host: RuleHost,
    private readonly requiredDns: number,
  ) {
    super(host);
  }

  validate(): boolean {
    return this.registeredDns >= this.requiredDns;
  }

  protected process(event: EventOf<'NODE_REGISTRATION'>): void {
    this.registered.add(event.datanode);
    this.registeredDns = this.registered.size;
  }

  cleanup(): void {
    this.registered.clear();
  }

  statusText(): string {
    return `registered datanodes (=${this.registeredDns}) >= required datanodes (=${this.requiredDns})`;
  }

  refresh(): void {
    // nothing is read from SCM state for this rule
  }
}
