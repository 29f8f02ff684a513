/**
 * The prom-client adapter (the only file in src/scm importing prom-client): the SCM's `/prom` metrics —
 * Raft term/role/commit/applied index (term 0 standalone), containers/pipelines/datanodes by state and
 * RPC latency per port and method. Gauges are read at scrape time from a `collect` callback.
 */
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsSnapshot {
  readonly term: number;
  readonly role: string;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly leaderReady: boolean;
  readonly ringSize: number;
  readonly snapshotIndex: number;
  readonly snapshotsTaken: number;
  readonly snapshotsInstalled: number;
  readonly checkpointsInstalled: number;
  readonly containers: Readonly<Record<string, number>>;
  readonly pipelines: Readonly<Record<string, number>>;
  readonly datanodes: Readonly<Record<string, number>>;
  /** this SCM is in safe mode (Ozone SafeModeMetrics' ScmInSafeMode) */
  readonly inSafeMode: boolean;
  /** per listening port: open connections, bytes held for partial frames, connections closed by the bounds */
  readonly listeners: Readonly<Record<string, { open: number; buffered: number; refused: number; idleClosed: number; overBudgetClosed: number }>>;
}

export interface ScmMetrics {
  observeRpc(port: string, method: string, outcome: 'ok' | 'error', seconds: number): void;
  render(): Promise<{ contentType: string; body: string }>;
}

const ROLES = ['LEADER', 'FOLLOWER', 'CANDIDATE'];

export function createScmMetrics(collect: () => MetricsSnapshot, options: { defaultMetrics?: boolean } = {}): ScmMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'scm_process_' });
  let snap: MetricsSnapshot | undefined;
  const current = (): MetricsSnapshot => (snap ??= collect());
  const reset = (): void => {
    snap = undefined;
  };
  new Gauge({ name: 'scm_raft_term', help: 'Current Raft term (0 = standalone SCM)', registers: [registry], collect() { reset(); this.set(current().term); } });
  new Gauge({
    name: 'scm_raft_role',
    help: '1 for the role this SCM currently has',
    labelNames: ['role'],
    registers: [registry],
    collect() {
      for (const r of ROLES) this.set({ role: r }, current().role === r ? 1 : 0);
    },
  });
  new Gauge({ name: 'scm_raft_commit_index', help: 'Highest log index known committed', registers: [registry], collect() { this.set(current().commitIndex); } });
  new Gauge({ name: 'scm_raft_applied_index', help: 'Highest log index applied to scm.db', registers: [registry], collect() { this.set(current().appliedIndex); } });
  new Gauge({ name: 'scm_raft_leader_ready', help: '1 when this SCM is leader and has applied every entry of earlier terms', registers: [registry], collect() { this.set(current().leaderReady ? 1 : 0); } });
  new Gauge({ name: 'scm_raft_peers', help: 'Members of the Raft ring (voters and learners) known here', registers: [registry], collect() { this.set(current().ringSize); } });
  new Gauge({ name: 'scm_raft_snapshot_index', help: 'Log index of the latest Raft snapshot (the log is compacted behind it)', registers: [registry], collect() { this.set(current().snapshotIndex); } });
  new Gauge({ name: 'scm_raft_snapshots_taken_total', help: 'Raft snapshots taken by this SCM since start', registers: [registry], collect() { this.set(current().snapshotsTaken); } });
  new Gauge({ name: 'scm_raft_snapshots_installed_total', help: 'Raft snapshots received from a leader and installed since start', registers: [registry], collect() { this.set(current().snapshotsInstalled); } });
  new Gauge({ name: 'scm_checkpoints_installed_total', help: 'scm.db checkpoints downloaded from a leader (port 9895) and installed since start', registers: [registry], collect() { this.set(current().checkpointsInstalled); } });
  const byState = (name: string, help: string, pick: (s: MetricsSnapshot) => Readonly<Record<string, number>>): void => {
    new Gauge({
      name,
      help,
      labelNames: ['state'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [state, n] of Object.entries(pick(current()))) this.set({ state }, n);
      },
    });
  };
  new Gauge({
    name: 'scm_rpc_open_connections',
    help: 'Open connections per SCM port',
    labelNames: ['port'],
    registers: [registry],
    collect() {
      for (const [port, l] of Object.entries(current().listeners)) this.set({ port }, l.open);
    },
  });
  new Gauge({
    name: 'scm_rpc_buffered_bytes',
    help: 'Bytes held for partial request frames per SCM port (bounded by ozone.scm.rpc.max.buffered.size)',
    labelNames: ['port'],
    registers: [registry],
    collect() {
      for (const [port, l] of Object.entries(current().listeners)) this.set({ port }, l.buffered);
    },
  });
  new Gauge({
    name: 'scm_rpc_closed_connections',
    help: 'Connections refused or closed by the port bounds since start, by reason',
    labelNames: ['port', 'reason'],
    registers: [registry],
    collect() {
      for (const [port, l] of Object.entries(current().listeners)) {
        this.set({ port, reason: 'limit' }, l.refused);
        this.set({ port, reason: 'idle' }, l.idleClosed);
        this.set({ port, reason: 'buffer' }, l.overBudgetClosed);
      }
    },
  });
  new Gauge({ name: 'scm_safe_mode', help: '1 while this SCM is in safe mode (each SCM computes its own)', registers: [registry], collect() { this.set(current().inSafeMode ? 1 : 0); } });
  byState('scm_containers', 'Containers by lifecycle state', (s) => s.containers);
  byState('scm_pipelines', 'Pipelines by state', (s) => s.pipelines);
  byState('scm_datanodes', 'Datanodes by health as seen by this SCM', (s) => s.datanodes);
  const latency = new Histogram({
    name: 'scm_rpc_request_duration_seconds',
    help: 'RPC request latency by port and method',
    labelNames: ['port', 'method', 'outcome'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    observeRpc: (port, method, outcome, seconds) => latency.observe({ port, method, outcome }, seconds),
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}
