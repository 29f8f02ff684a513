/**
 * A secure SCM cluster in process for integration tests (real LevelDB, real TLS sockets on the given
 * loopback hosts, free ports): configurations, `--init` on scm1, join tokens minted over the client port
 * with scm1's admin identity, `--bootstrap` with token + pinned root hash, servers by node id. The clock's
 * wall time can be moved forward (token expiry) without touching the timers Raft runs on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../src/common/clock.js';
import { silentLogger, type Logger } from '../../src/common/logger.js';
import { adminIdentityDir } from '../../src/scm/ca/scm-certificates.js';
import { loadIdentity, type StoredIdentity } from '../../src/scm/ca/identity-store.js';
import { systemHostLocality } from '../../src/scm/config/host-locality.js';
import { resolveScmConfig, type ScmConfig } from '../../src/scm/config/scm-config.js';
import type { ClientProtocol } from '../../src/scm/protocols/client-protocol.js';
import { clientTls } from '../../src/scm/security/tls-identities.js';
import { startScmServer, type ScmServer } from '../../src/scm/server/scm-server.js';
import { scmBootstrap, type BootstrapOutcome } from '../../src/scm/server/scm-bootstrap.js';
import { scmInit } from '../../src/scm/server/scm-init.js';
import { bufferIo } from '../../src/scm/tools/tool-io.js';
import { FailoverRpcClient } from '../../src/scm/transport/rpc-failover-client.js';
import type { ClientTls } from '../../src/scm/transport/tls-options.js';
import type { ParamsOf } from '../../src/scm/transport/protocol-definition.js';
import { freeNodePorts } from './free-ports.js';
import { siteConf, siteProperties } from './scm-site.js';
import { waitUntil } from './wait.js';

export class SkewableClock implements Clock {
  offsetMs = 0;
  now = (): number => systemClock.now();
  wallTime = (): Date => new Date(Date.now() + this.offsetMs);
  setTimeout = systemClock.setTimeout;
  setInterval = systemClock.setInterval;
  sleep = systemClock.sleep;
}

export class SecureScmCluster {
  readonly root = mkdtempSync(join(tmpdir(), 'scm-secure-'));
  readonly cfg = new Map<string, ScmConfig>();
  readonly servers = new Map<string, ScmServer>();
  readonly clock = new SkewableClock();
  private ports: Record<string, Record<string, number>> = {};
  private readonly closers: Array<() => Promise<void>> = [];
  count: number;

  constructor(
    readonly hosts: readonly string[],
    readonly extra: Readonly<Record<string, string>> = {},
    count = 3,
    private readonly logger: Logger = silentLogger,
  ) {
    this.count = count;
  }

  readonly ids = (): string[] => this.hosts.map((_, i) => `scm${i + 1}`);
  meta = (id: string): string => join(this.root, id);

  async setup(): Promise<void> {
    this.ports = Object.fromEntries(await Promise.all(this.ids().map(async (id, i) => [id, await freeNodePorts(this.hosts[i]!)] as const)));
    await this.configure(this.count);
  }

  async configure(count: number): Promise<void> {
    this.count = count;
    for (const id of this.ids()) this.cfg.set(id, await this.configFor(id, count));
  }

  configFor(id: string, count: number): Promise<ScmConfig> {
    return resolveScmConfig(
      siteConf(
        siteProperties({
          hosts: this.hosts.slice(0, Math.max(count, this.ids().indexOf(id) + 1)),
          metadataDir: (n) => this.meta(n),
          nodeId: id,
          ratis: true,
          primordial: 'scm1',
          nodePorts: this.ports,
          extra: {
            'ozone.security.enabled': 'true',
            'hdds.grpc.tls.enabled': 'true',
            'ozone.scm.ha.ratis.leader.election.timeout': '600ms',
            'ozone.scm.info.wait.duration': '30s',
            ...this.extra,
          },
        }),
      ),
      systemHostLocality,
    );
  }

  config(id: string): ScmConfig {
    return this.cfg.get(id)!;
  }

  async init(): Promise<void> {
    await scmInit(this.config('scm1'), bufferIo());
  }

  async start(id: string): Promise<ScmServer> {
    const s = await startScmServer({ config: this.config(id), logger: this.logger.child({ scm: id }), clock: this.clock });
    this.servers.set(id, s);
    return s;
  }

  async stop(id: string): Promise<void> {
    await this.servers.get(id)?.close();
    this.servers.delete(id);
  }

  leaderId(): string | undefined {
    return [...this.servers.entries()].find(([, s]) => s.context.replicator.isLeaderReady())?.[0];
  }

  async leader(): Promise<string> {
    await waitUntil(() => this.leaderId() !== undefined, 'a leader-ready SCM');
    return this.leaderId()!;
  }

  admin(id = 'scm1'): StoredIdentity {
    return loadIdentity(adminIdentityDir(this.meta(id)), 'admin identity');
  }

  adminTls(id = 'scm1'): ClientTls {
    const a = this.admin(id);
    return clientTls(a, a.rootPem, { clusterId: undefined });
  }

  /** A failover client of the running SCMs' client ports, with scm1's admin identity. */
  adminClient(tls: ClientTls = this.adminTls()): FailoverRpcClient<ClientProtocol> {
    const c = new FailoverRpcClient<ClientProtocol>(
      this.ids()
        .slice(0, this.count)
        .map((id) => ({ nodeId: id, host: this.config(id).local.self.host, port: this.config(id).local.self.ports.client })),
      { retryIntervalMs: 50, maxFailovers: 200, tls },
    );
    this.closers.push(() => c.close());
    return c;
  }

  async mintToken(req: ParamsOf<ClientProtocol, 'createJoinToken'>): Promise<{ token: string; caCertHash: string; id: string }> {
    const created = await this.adminClient().call('createJoinToken', req);
    return { token: created.token, caCertHash: created.caCertHash, id: created.info.id };
  }

  async bootstrap(id: string, token?: { token: string; caCertHash: string }): Promise<BootstrapOutcome> {
    return scmBootstrap(this.config(id), bufferIo(), token ?? {});
  }

  onClose(fn: () => Promise<void>): void {
    this.closers.push(fn);
  }

  async close(): Promise<void> {
    for (const c of this.closers.splice(0).reverse()) await c().catch(() => undefined);
    for (const id of [...this.servers.keys()].reverse()) await this.stop(id);
    rmSync(this.root, { recursive: true, force: true });
  }
}
