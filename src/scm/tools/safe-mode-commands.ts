/**
 * `ozone admin safemode status|wait|exit` as Ozone 2.2 prints them (hadoop-ozone/cli-admin
 * …/hdds/scm/cli/SafeModeCheckSubcommand.java, SafeModeWaitSubcommand.java, SafeModeExitSubcommand.java at
 * ozone-2.2.0; HDDS-14108 added the per-node status). Every SCM computes its own safe mode, so:
 *
 *  - `status` prints `Service ID: <sid>` (HA), then asks the leader — or the `--scm host:port` node (it must be
 *    a configured node), or with `-a/--all` every configured node — printing `<host:clientPort> [<nodeId>]: in
 *    safe mode|out of safe mode` per node (`SCM is in safe mode.` / `SCM is out of safe mode.` without a service
 *    id). `--verbose` adds `validated:<bool>, <rule>, <status text>` per rule, in the order a Java HashMap of
 *    the rule names iterates (what Ozone's client prints). A node that fails to answer is reported on stderr and
 *    the others are still asked (exit 0, as Ozone); no leader found is an error (255).
 *  - `wait [-t N]` (default 30 s) asks the SCM the client reaches first (InSafeMode is follower-readable since
 *    2.2) once a second: `SCM is in safe mode. Will retry in 1 sec. Remaining time (sec): N` … then `SCM is out
 *    of safe mode.` (0) or `SCM is in safe mode. No more retries.` and the error `Safe mode is not ended within
 *    the timeout period.` (255: Ozone throws a TimeoutException; its help text's "exit code 1" is not what
 *    GenericCli returns).
 *  - `exit` forces out of safe mode the SCM the client reaches first (ForceExitSafeMode is an admin command
 *    any SCM serves), or the `--scm` node: `SCM exit safe mode successfully.`
 */
import type { Clock } from '../../common/clock.js';
import { formatHostPort, splitHostPort, type ScmNode } from '../config/scm-topology.js';
import type { ClientProtocol } from '../protocols/client-protocol.js';
import { SafeModeError } from '../managers/safe-mode-error.js';
import type { SafeModeRuleStatus } from '../managers/safe-mode-manager.js';
import { javaStringHash } from '../storage/java-properties.js';
import type { FailoverRpcClient } from '../transport/rpc-failover-client.js';
import { hashMapOrder } from './java-hash-order.js';
import { fetchRoles } from './roles.js';
import type { ToolIo } from './tool-io.js';

export type SafeModeClient = Pick<FailoverRpcClient<ClientProtocol>, 'call'>;

/** Java's `Map<String, …>` iteration order of the rule statuses (the order `status --verbose` prints). */
export function ruleStatusOrder(rules: readonly SafeModeRuleStatus[]): SafeModeRuleStatus[] {
  return hashMapOrder(rules, (r) => javaStringHash(r.ruleName));
}

export function formatRuleStatus(r: SafeModeRuleStatus): string {
  return `validated:${String(r.validate)}, ${r.ruleName}, ${r.statusText}`;
}

/** SafeModeCheckSubcommand#matchesAddress: equal, or same host (case-insensitive) and same port when both have one. */
export function matchesAddress(a: string, b: string): boolean {
  if (a.toLowerCase() === b.toLowerCase()) return true;
  const x = splitHostPort(a);
  const y = splitHostPort(b);
  if (x.host.toLowerCase() !== y.host.toLowerCase()) return false;
  return x.port === undefined || y.port === undefined || x.port === y.port;
}

export interface SafeModeStatusOptions {
  /** the SCM service id (undefined: a non-HA configuration) */
  readonly serviceId: string | undefined;
  /** the service's configured nodes (non-HA: the one SCM, or the `--scm` address) */
  readonly nodes: readonly ScmNode[];
  readonly scm?: string;
  readonly all: boolean;
  readonly verbose: boolean;
  /** a client of the service (follows the leader), used to find the leader */
  readonly service: () => SafeModeClient;
  /** a client of one node's client port */
  readonly node: (node: ScmNode) => SafeModeClient;
  /** prints a node's failure on stderr (Ozone: printError) */
  readonly reportError: (err: unknown) => void;
}

export async function runSafeModeStatus(o: SafeModeStatusOptions, io: ToolIo): Promise<void> {
  const address = (n: ScmNode): string => formatHostPort(n.host, n.ports.client);
  if (o.serviceId !== undefined) io.out(`Service ID: ${o.serviceId}`);
  let targets: readonly ScmNode[];
  if (o.all) targets = o.nodes;
  else if (o.scm !== undefined && o.scm !== '') {
    const matched = o.nodes.find((n) => matchesAddress(address(n), o.scm!));
    if (!matched) {
      throw new SafeModeError(
        'SAFE_MODE_UNKNOWN_SCM',
        `Specified --scm address ${o.scm} does not match any node in service ${String(o.serviceId ?? null)}. Nodes: ${o.nodes.map((n) => `${address(n)} [${n.nodeId}]`).join(', ')}`,
      );
    }
    targets = [matched];
  } else if (o.serviceId !== undefined) targets = [await findLeader(o)];
  else targets = o.nodes.slice(0, 1);
  for (const node of targets) {
    try {
      const c = o.node(node);
      const { inSafeMode } = await c.call('inSafeMode', {});
      io.out(o.serviceId !== undefined ? `${address(node)} [${node.nodeId}]: ${inSafeMode ? 'in safe mode' : 'out of safe mode'}` : `SCM is ${inSafeMode ? 'in' : 'out of'} safe mode.`);
      if (o.verbose) for (const r of ruleStatusOrder(await c.call('getSafeModeRuleStatuses', {}))) io.out(formatRuleStatus(r));
    } catch (err) {
      o.reportError(err);
    }
  }
}

/** The configured node the leader runs on (its Raft host or IP is the node's host), as findLeaderNode. */
async function findLeader(o: SafeModeStatusOptions): Promise<ScmNode> {
  let roles;
  try {
    roles = await fetchRoles(o.service() as FailoverRpcClient<ClientProtocol>);
  } catch (err) {
    throw new SafeModeError('SAFE_MODE_UNKNOWN_SCM', `Could not determine leader node. ${(err as Error).message}`, { cause: err });
  }
  for (const r of roles.filter((x) => x.role === 'LEADER')) {
    const node = o.nodes.find((n) => matchesAddress(r.host, n.host) || (r.ip !== '' && matchesAddress(r.ip, n.host)));
    if (node) return node;
  }
  throw new SafeModeError('SAFE_MODE_UNKNOWN_SCM', 'Could not determine leader node', {
    hint: `the leader named by ozone admin scm roles is not one of the configured nodes (${o.nodes.map((n) => `${n.nodeId}=${n.host}`).join(', ')})`,
  });
}

/** SafeModeWaitSubcommand: polls once a second until the SCM is out of safe mode or `timeoutSeconds` passed. */
export async function runSafeModeWait(client: SafeModeClient, timeoutSeconds: number, clock: Clock, io: ToolIo, options: { signal?: AbortSignal } = {}): Promise<void> {
  const start = clock.now();
  const remaining = (): number => timeoutSeconds - Math.floor((clock.now() - start) / 1000);
  while (remaining() > 0) {
    let left: number;
    do {
      const { inSafeMode } = await client.call('inSafeMode', {}, options.signal ? { signal: options.signal } : {});
      if (!inSafeMode) {
        io.out('SCM is out of safe mode.');
        return;
      }
      left = remaining();
      if (left > 0) {
        io.out(`SCM is in safe mode. Will retry in 1 sec. Remaining time (sec): ${left}`);
        await clock.sleep(1000, options.signal ? { signal: options.signal } : {});
      } else {
        io.out('SCM is in safe mode. No more retries.');
      }
    } while (left > 0);
  }
  throw new SafeModeError('SAFE_MODE_WAIT_TIMEOUT', 'Safe mode is not ended within the timeout period.', {
    hint: 'ozone admin safemode status --verbose shows which rules have not passed yet',
  });
}

/** SafeModeExitSubcommand */
export async function runSafeModeExit(client: SafeModeClient, io: ToolIo): Promise<void> {
  const r = await client.call('forceExitSafeMode', {});
  if (r.exitedSafeMode) io.out('SCM exit safe mode successfully.');
}
