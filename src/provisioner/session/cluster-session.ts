/**
 * One run's view of a cluster: the host pool (one connection per host, bounded concurrency, retries),
 * the rendered files, and `gather()` for read-only facts. Shared by plan, apply, status and unlock;
 * `close()` closes every connection.
 */
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { HostPool, type HostPoolOptions, type PoolEvent } from '../hosts/host-pool.js';
import { keptConnect } from '../hosts/ssh-keeper/kept-connect.js';
import { keeperOptions } from './kept-connections.js';
import type { PromptFn } from '../hosts/secret-source.js';
import type { ClusterFacts } from '../plan/cluster-facts.js';
import { gatherClusterFacts } from '../plan/gather-cluster-facts.js';
import { connectionSpec } from '../plan/host-connection.js';
import { renderAll } from '../render/render-host.js';
import type { RenderedFile } from '../render/render-host.js';
import type { Topology } from '../topology/model.js';

export interface SessionOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly localUser: string;
  readonly concurrency?: number;
  readonly prompt?: PromptFn;
  readonly logger?: Logger;
  readonly onPoolEvent?: (e: PoolEvent) => void;
  readonly clock?: Clock;
  /** tests: replaces connectHost */
  readonly connect?: HostPoolOptions['connect'];
  /**
   * Keep the SSH connections in the operator's connection keeper (hosts/ssh-keeper/) for `persistMs` after
   * the run, and use the ones it already keeps; its socket lives under `stateDir`. Ignored with `connect`.
   */
  readonly keep?: { readonly stateDir: string; readonly persistMs: number };
}

export class ClusterSession {
  readonly pool: HostPool;
  readonly rendered: ReadonlyMap<string, readonly RenderedFile[]>;

  constructor(
    readonly topology: Topology,
    private readonly options: SessionOptions,
  ) {
    const secrets = { env: options.env, ...(options.prompt ? { prompt: options.prompt } : {}) };
    this.pool = new HostPool(
      topology.hosts.map((h) => connectionSpec(h, topology.timeouts, secrets)),
      {
        concurrency: options.concurrency ?? 30,
        ...(options.logger ? { logger: options.logger } : {}),
        ...(options.onPoolEvent ? { onEvent: options.onPoolEvent } : {}),
        ...(options.connect ? { connect: options.connect } : options.keep ? { connect: keptConnect(keeperOptions(options.keep, options.logger)) } : {}),
      },
    );
    this.rendered = renderAll(topology);
  }

  gather(signal?: AbortSignal): Promise<ClusterFacts> {
    return gatherClusterFacts(this.topology, this.rendered, this.pool, {
      localUser: this.options.localUser,
      ...(this.options.concurrency !== undefined ? { concurrency: this.options.concurrency } : {}),
      ...(this.options.clock ? { clock: this.options.clock } : {}),
      ...(signal ? { signal } : {}),
    });
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
