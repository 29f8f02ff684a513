/**
 * Safe mode rules and manager with fake SCM state (no server): each rule's threshold, what it counts and
 * its Ozone status text; the manager's INITIAL → PRE_CHECKS_PASSED → OUT_OF_SAFE_MODE path, forced exit,
 * `hdds.scm.safemode.enabled=false`, the allocation precheck and its wait (fake clock).
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/common/logger.js';
import { SAFE_MODE_DEFAULTS, readSafeModeConfig, type SafeModeConfig } from '../../../src/scm/config/safe-mode-config.js';
import { OzoneConf } from '../../../src/scm/config/ozone-conf.js';
import type { NodeHealth } from '../../../src/scm/managers/node-manager.js';
import { ECContainerSafeModeRule, RatisContainerSafeModeRule } from '../../../src/scm/managers/safe-mode-container-rule.js';
import { DataNodeSafeModeRule } from '../../../src/scm/managers/safe-mode-datanode-rule.js';
import { HealthyPipelineSafeModeRule } from '../../../src/scm/managers/safe-mode-healthy-pipeline-rule.js';
import { SafeModeManager } from '../../../src/scm/managers/safe-mode-manager.js';
import { OneReplicaPipelineSafeModeRule } from '../../../src/scm/managers/safe-mode-one-replica-pipeline-rule.js';
import type { RuleHost, SafeModeSources } from '../../../src/scm/managers/safe-mode-rule.js';
import type { ContainerInfo, ContainerState, PipelineInfo, PipelineState } from '../../../src/scm/state/records.js';
import { FakeClock } from '../../support/fake-clock.js';

class FakeSources implements SafeModeSources {
  readonly containerMap = new Map<number, ContainerInfo>();
  readonly pipelineMap = new Map<string, PipelineInfo>();
  readonly health = new Map<string, NodeHealth>();
  ready = false;
  containers(): Iterable<ContainerInfo> {
    return this.containerMap.values();
  }
  pipelines(): Iterable<PipelineInfo> {
    return this.pipelineMap.values();
  }
  pipeline(id: string): PipelineInfo | undefined {
    return this.pipelineMap.get(id);
  }
  nodeHealth(uuid: string): NodeHealth | undefined {
    return this.health.get(uuid);
  }
  stateMachineReady(): boolean {
    return this.ready;
  }
  container(id: number, state: ContainerState, keys: number, type: 'RATIS' | 'STAND_ALONE' = 'RATIS'): void {
    this.containerMap.set(id, {
      containerID: id, state, pipelineID: 'p', replicationConfig: { replicationType: type, replicationFactor: 'THREE' }, usedBytes: 0, numberOfKeys: keys,
      stateEnterTime: 0, owner: 't', sequenceId: 0, deleteTransactionId: 0,
    });
  }
  addPipeline(n: number, state: PipelineState, members = [`dn${n}a`, `dn${n}b`, `dn${n}c`], factor: 'ONE' | 'THREE' = 'THREE'): PipelineInfo {
    const p: PipelineInfo = {
      id: `00000000-0000-4000-8000-00000000000${n}`, replicationConfig: { replicationType: 'RATIS', replicationFactor: factor }, state,
      nodes: members.map((uuid) => ({ uuid, hostName: uuid, ipAddress: '127.0.0.1' })), leaderId: null, creationTimestamp: 0,
    };
    this.pipelineMap.set(p.id, p);
    return p;
  }
}

/** a RuleHost that records validations (always in safe mode) */
function host(): RuleHost & { validated: string[] } {
  const validated: string[] = [];
  return { validated, inSafeMode: () => true, validateSafeModeExitRule: (n) => void validated.push(n) };
}

const config = (over: Partial<SafeModeConfig> = {}): SafeModeConfig => ({ ...SAFE_MODE_DEFAULTS, ...over });

describe('safe mode configuration', () => {
  it("has Ozone 2.2's keys and defaults and refuses a percentage outside [0, 1]", () => {
    expect(readSafeModeConfig(new OzoneConf([]))).toEqual({ enabled: true, minDatanodes: 3, containerThresholdPct: 0.99, healthyPipelinePct: 0.1, oneReplicaPipelinePct: 0.9, pipelineCreation: true });
    const c = readSafeModeConfig(new OzoneConf([['hdds.scm.safemode.enabled', 'false'], ['hdds.scm.safemode.min.datanode', '1'], ['hdds.scm.safemode.threshold.pct', '0.5'], ['hdds.scm.safemode.healthy.pipeline.pct', '1'], ['hdds.scm.safemode.atleast.one.node.reported.pipeline.pct', '0'], ['hdds.scm.safemode.pipeline.creation', 'false']]));
    expect(c).toEqual({ enabled: false, minDatanodes: 1, containerThresholdPct: 0.5, healthyPipelinePct: 1, oneReplicaPipelinePct: 0, pipelineCreation: false });
    expect(() => readSafeModeConfig(new OzoneConf([['hdds.scm.safemode.threshold.pct', '1.5']]))).toThrow(expect.objectContaining({ code: 'CONFIG_VALUE', message: expect.stringContaining('hdds.scm.safemode.threshold.pct value should be >= 0.0 and <= 1.0') }));
    expect(() => readSafeModeConfig(new OzoneConf([['hdds.scm.safemode.healthy.pipeline.pct', 'ten']]))).toThrow(expect.objectContaining({ code: 'CONFIG_VALUE' }));
  });
});

describe('safe mode rules (fake state)', () => {
  it('DataNodeSafeModeRule counts distinct registered datanodes up to hdds.scm.safemode.min.datanode', () => {
    const h = host();
    const r = new DataNodeSafeModeRule(h, 3);
    expect(r.statusText()).toBe('registered datanodes (=0) >= required datanodes (=3)');
    for (const dn of ['a', 'b', 'a']) r.onMessage({ type: 'NODE_REGISTRATION', datanode: dn });
    expect(r.validate()).toBe(false);
    expect(h.validated).toEqual([]);
    r.onMessage({ type: 'NODE_REGISTRATION', datanode: 'c' });
    expect(h.validated).toEqual(['DataNodeSafeModeRule']);
    expect(r.statusText()).toBe('registered datanodes (=3) >= required datanodes (=3)');
  });

  it('RatisContainerSafeModeRule waits only for CLOSED/QUASI_CLOSED Ratis containers holding keys, up to the cut-off', () => {
    const s = new FakeSources();
    s.container(1, 'CLOSED', 5);
    s.container(2, 'QUASI_CLOSED', 1);
    s.container(3, 'CLOSED', 0); // never written: not expected
    s.container(4, 'OPEN', 9); // open: covered by the pipeline rules
    s.container(5, 'CLOSING', 9);
    s.container(6, 'CLOSED', 3, 'STAND_ALONE');
    const h = host();
    const r = new RatisContainerSafeModeRule(h, s, 0.99);
    expect(r.statusText()).toBe('0.00% of [RATIS] Containers(0 / 2) with at least N reported replica (=0.00) >= safeModeCutoff (=0.99)\nSample  RATIS Containers not satisfying the criteria : [#1, #2]');
    r.onMessage({ type: 'CONTAINER_REPORT', datanode: 'dn1', containerIDs: [1, 3, 4, 5, 6, 99] });
    expect(r.validate()).toBe(false);
    expect(r.statusText()).toBe('50.00% of [RATIS] Containers(1 / 2) with at least N reported replica (=0.50) >= safeModeCutoff (=0.99)\nSample  RATIS Containers not satisfying the criteria : [#2]');
    r.onMessage({ type: 'CONTAINER_REPORT', datanode: 'dn2', containerIDs: [2] });
    expect(h.validated).toEqual(['RatisContainerSafeModeRule']);
    expect(r.statusText()).toBe('100.00% of [RATIS] Containers(2 / 2) with at least N reported replica (=1.00) >= safeModeCutoff (=0.99)');
  });

  it('the container cut-off: 99 of 100 reported is enough at 0.99; a refresh forgets containers deleted meanwhile', () => {
    const s = new FakeSources();
    for (let i = 1; i <= 100; i++) s.container(i, 'CLOSED', 1);
    const h = host();
    const r = new RatisContainerSafeModeRule(h, s, 0.99);
    r.onMessage({ type: 'CONTAINER_REPORT', datanode: 'dn1', containerIDs: Array.from({ length: 98 }, (_, i) => i + 1) });
    expect(r.validate()).toBe(false);
    s.container(100, 'DELETED', 1); // 98 of 99 is still below 0.99
    r.refresh(false);
    expect(r.statusText()).toMatch(/^98\.99% of \[RATIS\] Containers\(98 \/ 99\)/);
    s.container(99, 'DELETED', 1);
    r.refresh(false);
    expect(r.validate()).toBe(true);
    const r2 = new RatisContainerSafeModeRule(host(), s, 0.99);
    expect(r2.statusText()).toMatch(/^0\.00% of \[RATIS\] Containers\(0 \/ 98\)/);
  });

  it('ECContainerSafeModeRule has nothing to wait for without EC containers; no container at all is 100%', () => {
    const s = new FakeSources();
    s.container(1, 'CLOSED', 1);
    const r = new ECContainerSafeModeRule(host(), s, 0.99);
    expect(r.validate()).toBe(true);
    expect(r.statusText()).toBe('100.00% of [EC] Containers(0 / 0) with at least N reported replica (=1.00) >= safeModeCutoff (=0.99)');
  });

  it('HealthyPipelineSafeModeRule: a fresh cluster waits for min.datanode/3 pipelines; only RATIS/THREE OPEN pipelines of healthy, registered members count', () => {
    const s = new FakeSources();
    const h = host();
    const r = new HealthyPipelineSafeModeRule(h, s, 0.1, 3);
    expect(r.statusText()).toBe('healthy Ratis/THREE pipelines (=0) >= healthyPipelineThresholdCount (=1)');
    expect(new HealthyPipelineSafeModeRule(host(), s, 0.1, 1).validate()).toBe(true); // 1/3 = 0 pipelines needed
    const p1 = s.addPipeline(1, 'OPEN');
    s.health.set('dn1a', 'HEALTHY').set('dn1b', 'HEALTHY'); // dn1c not registered here
    r.onMessage({ type: 'OPEN_PIPELINE', pipeline: p1 });
    expect(r.validate()).toBe(false);
    expect(r.statusText()).toBe(`healthy Ratis/THREE pipelines (=0) >= healthyPipelineThresholdCount (=1)\nSample pipelines not satisfying the criteria : [Pipeline-${p1.id}]`);
    r.onMessage({ type: 'OPEN_PIPELINE', pipeline: s.addPipeline(2, 'OPEN', ['x', 'y', 'z'], 'ONE') });
    s.health.set('dn1c', 'STALE');
    r.onMessage({ type: 'OPEN_PIPELINE', pipeline: p1 });
    expect(h.validated).toEqual([]);
    s.health.set('dn1c', 'HEALTHY');
    r.onMessage({ type: 'OPEN_PIPELINE', pipeline: p1 });
    expect(h.validated).toEqual(['HealthyPipelineSafeModeRule']);
    expect(r.statusText()).toBe('healthy Ratis/THREE pipelines (=1) >= healthyPipelineThresholdCount (=1)');
  });

  it('HealthyPipelineSafeModeRule: 10% of the OPEN RATIS/THREE pipelines known at start (rounded up)', () => {
    const s = new FakeSources();
    for (let i = 1; i <= 9; i++) s.addPipeline(i, 'OPEN');
    s.addPipeline(0, 'CLOSED');
    const r = new HealthyPipelineSafeModeRule(host(), s, 0.1, 0);
    expect(r.statusText()).toMatch(/^healthy Ratis\/THREE pipelines \(=0\) >= healthyPipelineThresholdCount \(=1\)\nSample pipelines not satisfying the criteria : \[(Pipeline-[0-9a-f-]+, ){4}Pipeline-[0-9a-f-]+\]$/);
  });

  it('OneReplicaPipelineSafeModeRule: 90% (rounded up) of the OPEN RATIS/THREE pipelines reported by at least one datanode', () => {
    const s = new FakeSources();
    const ps = [1, 2, 3].map((i) => s.addPipeline(i, 'OPEN'));
    s.addPipeline(4, 'ALLOCATED');
    const h = host();
    const r = new OneReplicaPipelineSafeModeRule(h, s, 0.9);
    expect(r.statusText()).toMatch(/^reported Ratis\/THREE pipelines with at least one datanode \(=0\) >= threshold \(=3\)\nSample pipelines not satisfying the criteria : \[/);
    r.onMessage({ type: 'PIPELINE_REPORT', datanode: 'dn1a', pipelineIDs: [ps[0]!.id, s.addPipeline(4, 'OPEN').id] }); // 4 opened after the rule started
    r.onMessage({ type: 'PIPELINE_REPORT', datanode: 'dn1b', pipelineIDs: [ps[0]!.id, ps[1]!.id] });
    expect(r.statusText()).toBe(`reported Ratis/THREE pipelines with at least one datanode (=2) >= threshold (=3)\nSample pipelines not satisfying the criteria : [Pipeline-${ps[2]!.id}]`);
    expect(h.validated).toEqual([]);
    r.onMessage({ type: 'PIPELINE_REPORT', datanode: 'dn3c', pipelineIDs: [ps[2]!.id] });
    expect(h.validated).toEqual(['OneReplicaPipelineSafeModeRule']);
    // no OPEN pipeline: nothing to wait for
    expect(new OneReplicaPipelineSafeModeRule(host(), new FakeSources(), 0.9).validate()).toBe(true);
  });
});

describe('SafeModeManager', () => {
  const manager = (s: FakeSources, over: Partial<SafeModeConfig> = {}, raft = false, clock = new FakeClock()): SafeModeManager =>
    new SafeModeManager(config(over), s, { raft, logger: silentLogger, clock });

  it('enters safe mode, passes the pre-check with the datanodes, leaves it when every rule held; Ozone rule names', () => {
    const s = new FakeSources();
    const m = manager(s, {}, true);
    const states: string[] = [];
    m.onStatusChange((st) => states.push(st));
    expect(m.state).toBe('INITIAL');
    expect(m.ruleStatuses().map((r) => [r.ruleName, r.validate])).toEqual([
      ['RatisContainerSafeModeRule', true],
      ['ECContainerSafeModeRule', true],
      ['DataNodeSafeModeRule', false],
      ['StateMachineReadyRule', false],
      ['HealthyPipelineSafeModeRule', false],
      ['OneReplicaPipelineSafeModeRule', true],
    ]);
    for (const dn of ['a', 'b', 'c']) m.fire({ type: 'NODE_REGISTRATION', datanode: dn });
    expect(m.state).toBe('PRE_CHECKS_PASSED');
    expect(m.inSafeMode()).toBe(true);
    m.fire({ type: 'CONTAINER_REPORT', datanode: 'a', containerIDs: [] });
    m.fire({ type: 'PIPELINE_REPORT', datanode: 'a', pipelineIDs: [] });
    s.ready = true;
    m.fire({ type: 'STATEMACHINE_READY' });
    const p = s.addPipeline(1, 'OPEN', ['a', 'b', 'c']);
    for (const dn of ['a', 'b', 'c']) s.health.set(dn, 'HEALTHY');
    expect(m.inSafeMode()).toBe(true);
    m.fire({ type: 'OPEN_PIPELINE', pipeline: p });
    expect(m.state).toBe('OUT_OF_SAFE_MODE');
    expect(states).toEqual(['PRE_CHECKS_PASSED', 'OUT_OF_SAFE_MODE']);
    expect(m.ruleStatuses().every((r) => r.validate)).toBe(true);
  });

  it('a rule that already holds is validated by a refresh after applied changes (no event of its own needed)', () => {
    const s = new FakeSources();
    const m = manager(s, { minDatanodes: 1 });
    expect(m.ruleStatuses().map((r) => r.ruleName)).not.toContain('StateMachineReadyRule'); // standalone: no Raft
    m.fire({ type: 'NODE_REGISTRATION', datanode: 'a' });
    expect(m.state).toBe('PRE_CHECKS_PASSED');
    m.refreshAndValidate();
    expect(m.state).toBe('OUT_OF_SAFE_MODE');
  });

  it('hdds.scm.safemode.enabled=false: out of safe mode from the start; forceExitSafeMode leaves it at once', () => {
    expect(manager(new FakeSources(), { enabled: false }).inSafeMode()).toBe(false);
    const m = manager(new FakeSources());
    expect(m.forceExitSafeMode()).toBe(true);
    expect(m.state).toBe('OUT_OF_SAFE_MODE');
    m.fire({ type: 'NODE_REGISTRATION', datanode: 'a' }); // ignored once out
    expect(m.ruleStatuses().find((r) => r.ruleName === 'DataNodeSafeModeRule')!.statusText).toBe('registered datanodes (=0) >= required datanodes (=3)');
  });

  it('precheck: waits for the exit (event-driven), else refuses with SAFE_MODE_EXCEPTION "SafeModePrecheck failed for <op>"', async () => {
    const clock = new FakeClock();
    const m = manager(new FakeSources(), {}, false, clock);
    const refused = m.precheck('allocateBlock', { waitMs: 1000 }).catch((e: unknown) => e);
    clock.advance(1000);
    expect(await refused).toMatchObject({ code: 'SAFE_MODE_EXCEPTION', message: 'SafeModePrecheck failed for allocateBlock' });
    await expect(m.precheck('allocateContainer', { waitMs: 0 })).rejects.toMatchObject({ code: 'SAFE_MODE_EXCEPTION', message: 'SafeModePrecheck failed for allocateContainer' });
    const waiting = m.precheck('allocateBlock', { waitMs: 60_000 });
    let settled = false;
    void waiting.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    m.forceExitSafeMode();
    await expect(waiting).resolves.toBeUndefined();
    await expect(m.precheck('allocateBlock', { waitMs: 0 })).resolves.toBeUndefined();
  });

  it('an aborted wait refuses; close ends pending waits', async () => {
    const m = manager(new FakeSources());
    const ac = new AbortController();
    const w = m.awaitExit(60_000, ac.signal);
    ac.abort();
    expect(await w).toBe(false);
    const w2 = m.awaitExit(60_000);
    m.close();
    expect(await w2).toBe(false);
  });
});
