/**
 * In-process SCM servers of one test ring, by node id: each started from its config (the map the test fills),
 * stopped one at a time or all in reverse start order. Shared by the HA server tests.
 */
import { silentLogger } from '../../src/common/logger.js';
import type { ScmConfig } from '../../src/scm/config/scm-config.js';
import { startScmServer, type ScmServer } from '../../src/scm/server/scm-server.js';

export class ScmServers {
  readonly running = new Map<string, ScmServer>();

  constructor(private readonly configs: ReadonlyMap<string, ScmConfig>) {}

  get(id: string): ScmServer | undefined {
    return this.running.get(id);
  }

  async start(id: string): Promise<ScmServer> {
    const config = this.configs.get(id);
    if (!config) throw new Error(`no config for ${id}`);
    const s = await startScmServer({ config, logger: silentLogger });
    this.running.set(id, s);
    return s;
  }

  async stop(id: string): Promise<void> {
    await this.running.get(id)?.close();
    this.running.delete(id);
  }

  async stopAll(): Promise<void> {
    for (const id of [...this.running.keys()].reverse()) await this.stop(id);
  }
}
