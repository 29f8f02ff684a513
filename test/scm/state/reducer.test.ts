import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCommand, encodeCommand } from '../../../src/scm/state/command-codec.js';
import type { ScmCommand } from '../../../src/scm/state/commands.js';
import type { ContainerInfo, PipelineInfo } from '../../../src/scm/state/records.js';
import { reduce } from '../../../src/scm/state/reducer.js';
import { ScmState } from '../../../src/scm/state/scm-state.js';

const rep = { replicationType: 'RATIS', replicationFactor: 'THREE' } as const;
const container = (id: number): ContainerInfo => ({
  containerID: id, state: 'OPEN', pipelineID: '11111111-2222-3333-4444-555555555555', replicationConfig: rep,
  usedBytes: 0, numberOfKeys: 0, stateEnterTime: 1000, owner: 'om1', sequenceId: 0, deleteTransactionId: 0,
});
const pipeline = (id: string): PipelineInfo => ({ id, replicationConfig: rep, state: 'ALLOCATED', nodes: [], leaderId: null, creationTimestamp: 5 });

const commandArb: fc.Arbitrary<ScmCommand> = fc.oneof(
  fc.record({ type: fc.constant('allocateBatch' as const), sequence: fc.constantFrom('localId' as const, 'containerId' as const), expectedLastId: fc.nat(30), newLastId: fc.nat(40) }),
  fc.nat(40).map((id) => ({ type: 'addContainer' as const, container: container(id + 1) })),
  fc.record({ type: fc.constant('updateContainerState' as const), containerID: fc.nat(40), event: fc.constantFrom('FINALIZE' as const, 'CLOSE' as const, 'DELETE' as const, 'QUASI_CLOSE' as const), at: fc.nat() }),
  fc.constantFrom('a', 'b').map((s) => ({ type: 'addPipeline' as const, pipeline: pipeline(`${s.repeat(8)}-0000-0000-0000-000000000000`) })),
  fc.record({ type: fc.constant('updatePipelineState' as const), pipelineID: fc.constantFrom('aaaaaaaa-0000-0000-0000-000000000000', 'zz'), state: fc.constantFrom('OPEN' as const, 'CLOSED' as const) }),
);

function run(commands: readonly ScmCommand[]): { state: ScmState; log: unknown[] } {
  const state = new ScmState();
  const log: unknown[] = [];
  commands.forEach((c, i) => {
    const e = reduce(state, decodeCommand(encodeCommand(c)), { term: 1, index: i + 1 });
    state.apply(e.changes);
    log.push(e);
  });
  return { state, log };
}

describe('reducer', () => {
  it('is deterministic: two replicas applying the same log produce identical changes and state', () => {
    fc.assert(
      fc.property(fc.array(commandArb, { maxLength: 60 }), (commands) => {
        const a = run(commands);
        const b = run(commands);
        expect(b.log).toEqual(a.log);
        expect([...b.state.containers]).toEqual([...a.state.containers]);
        expect([...b.state.sequences]).toEqual([...a.state.sequences]);
      }),
      { numRuns: 200 },
    );
  });

  it('allocateBatch is a CAS: only the expected last id succeeds, and ids only grow', () => {
    const s = new ScmState();
    const step = (c: ScmCommand): ReturnType<typeof reduce> => {
      const e = reduce(s, c, { term: 1, index: 1 });
      s.apply(e.changes);
      return e;
    };
    expect(step({ type: 'allocateBatch', sequence: 'containerId', expectedLastId: 0, newLastId: 1000 }).result).toEqual({ ok: true, value: { firstId: 1, lastId: 1000 } });
    expect(step({ type: 'allocateBatch', sequence: 'containerId', expectedLastId: 0, newLastId: 1000 }).result).toMatchObject({ ok: false, code: 'SEQUENCE_CONFLICT' });
    expect(step({ type: 'allocateBatch', sequence: 'containerId', expectedLastId: 1000, newLastId: 900 }).result).toMatchObject({ ok: false, code: 'SEQUENCE_CONFLICT' });
    expect(s.sequence('containerId')).toBe(1000);
  });

  it('containers: must be reserved, unique, and follow the lifecycle; stateEnterTime comes from the command', () => {
    const s = new ScmState();
    const step = (c: ScmCommand): ReturnType<typeof reduce> => {
      const e = reduce(s, c, { term: 1, index: 1 });
      s.apply(e.changes);
      return e;
    };
    expect(step({ type: 'addContainer', container: container(1) }).result).toMatchObject({ ok: false, code: 'INVALID_COMMAND' });
    step({ type: 'allocateBatch', sequence: 'containerId', expectedLastId: 0, newLastId: 10 });
    expect(step({ type: 'addContainer', container: container(1) }).result).toEqual({ ok: true });
    expect(step({ type: 'addContainer', container: container(1) }).result).toMatchObject({ ok: false, code: 'CONTAINER_EXISTS' });
    expect(step({ type: 'updateContainerState', containerID: 1, event: 'CLOSE', at: 7 }).result).toMatchObject({ ok: false, code: 'INVALID_CONTAINER_TRANSITION' });
    expect(step({ type: 'updateContainerState', containerID: 1, event: 'FINALIZE', at: 7 }).changes).toEqual([{ cf: 'containers', key: 1, value: { ...container(1), state: 'CLOSING', stateEnterTime: 7 } }]);
    step({ type: 'updateContainerState', containerID: 1, event: 'CLOSE', at: 8 });
    expect(s.container(1)?.state).toBe('CLOSED');
  });

  it('pipelines: add once, legal transitions only, remove only when closed', () => {
    const s = new ScmState();
    const id = 'aaaaaaaa-0000-0000-0000-000000000000';
    const step = (c: ScmCommand): ReturnType<typeof reduce> => {
      const e = reduce(s, c, { term: 1, index: 1 });
      s.apply(e.changes);
      return e;
    };
    step({ type: 'addPipeline', pipeline: pipeline(id) });
    expect(step({ type: 'removePipeline', pipelineID: id }).result).toMatchObject({ ok: false, code: 'INVALID_PIPELINE_TRANSITION' });
    expect(step({ type: 'updatePipelineState', pipelineID: id, state: 'OPEN', leaderId: 'dn1' }).result).toEqual({ ok: true });
    expect(s.pipeline(id)).toMatchObject({ state: 'OPEN', leaderId: 'dn1' });
    step({ type: 'updatePipelineState', pipelineID: id, state: 'CLOSED' });
    expect(step({ type: 'updatePipelineState', pipelineID: id, state: 'OPEN' }).result).toMatchObject({ ok: false, code: 'INVALID_PIPELINE_TRANSITION' });
    expect(step({ type: 'removePipeline', pipelineID: id }).result).toEqual({ ok: true });
  });

  it('certificates go to validCerts, SCM certificates also to validSCMCerts; serials are unique', () => {
    const s = new ScmState();
    const e = reduce(s, { type: 'storeValidCertificate', serial: '2', pem: 'PEM', role: 'SCM' }, { term: 1, index: 1 });
    expect(e.changes.map((c) => c.cf)).toEqual(['validCerts', 'validSCMCerts']);
    s.apply(e.changes);
    expect(reduce(s, { type: 'storeValidCertificate', serial: '2', pem: 'X', role: 'OM' }, { term: 1, index: 2 }).result).toMatchObject({ code: 'CERT_EXISTS' });
  });

  it('the command codec refuses foreign bytes', () => {
    expect(() => decodeCommand(new TextEncoder().encode('{"v":2,"c":{}}'))).toThrow(expect.objectContaining({ code: 'STATE_BAD_COMMAND' }));
    expect(() => decodeCommand(new Uint8Array([0xff, 0xfe]))).toThrow(expect.objectContaining({ code: 'STATE_BAD_COMMAND' }));
  });

  it('addContainers adds every container of the batch or none', () => {
    const state = new ScmState();
    state.apply(reduce(state, { type: 'allocateBatch', sequence: 'containerId', expectedLastId: 0, newLastId: 5 }, { term: 1, index: 1 }).changes);
    const tooFar = reduce(state, { type: 'addContainers', containers: [container(1), container(6)] }, { term: 1, index: 2 });
    expect(tooFar).toMatchObject({ changes: [], result: { ok: false, code: 'INVALID_COMMAND' } });
    const dup = reduce(state, { type: 'addContainers', containers: [container(1), container(1)] }, { term: 1, index: 2 });
    expect(dup).toMatchObject({ changes: [], result: { ok: false, code: 'CONTAINER_EXISTS' } });
    const good = reduce(state, decodeCommand(encodeCommand({ type: 'addContainers', containers: [container(1), container(2), container(3)] })), { term: 1, index: 2 });
    expect(good.result).toEqual({ ok: true, value: { added: 3 } });
    state.apply(good.changes);
    expect([...state.containers.keys()]).toEqual([1, 2, 3]);
    expect(reduce(state, { type: 'addContainers', containers: [container(4), container(3)] }, { term: 1, index: 3 }).result).toMatchObject({ ok: false, code: 'CONTAINER_EXISTS' });
  });
});
