/**
 * connectHost through the connection keeper: what a run's HostPool uses when SSH connections are kept
 * (SCMCTL_SSH_PERSIST). SSH hosts get a RunnerHost over a KeptRunner (sudo, batching and file primitives as
 * on a direct connection); local hosts, specs that need a secret, and every host when the keeper cannot be
 * used (said once, as a warning) connect directly.
 */
import { connectHost } from '../connect-host.js';
import type { HostPoolOptions } from '../host-pool.js';
import { RunnerHost } from '../runner-host.js';
import { KeeperClient, type KeeperClientOptions } from './keeper-client.js';
import { KeeperError } from './keeper-error.js';
import type { KeptRunner } from './kept-runner.js';

/** what a HostPool connects with */
type ConnectFn = NonNullable<HostPoolOptions['connect']>;

export function keptConnect(options: KeeperClientOptions, direct: ConnectFn = connectHost): ConnectFn {
  const client = new KeeperClient(options);
  let unavailable: string | undefined;
  return async (spec, ctx) => {
    if (spec.transport !== 'ssh' || unavailable !== undefined) return direct(spec, ctx);
    let runner: KeptRunner | null;
    try {
      runner = await client.open(spec, ctx.signal);
    } catch (err) {
      if (!(err instanceof KeeperError)) throw err;
      if (unavailable === undefined) {
        unavailable = err.message;
        options.logger?.warn('SSH connections are not kept this run (the keeper cannot be used); connecting directly', { code: err.code, reason: err.message });
      }
      runner = null;
    }
    if (runner === null) return direct(spec, ctx);
    return new RunnerHost(runner, {
      secrets: spec.secrets,
      ...(spec.sudo ? { sudo: spec.sudo } : {}),
      ...(spec.logger ? { logger: spec.logger } : {}),
    });
  };
}
