import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SequenceIdGenerator } from '../../../src/scm/managers/sequence-id-generator.js';
import { SharedLog } from '../../support/shared-log-replicator.js';

describe('SequenceIdGenerator across leader changes (HDDS-8973 must not exist here)', () => {
  it('never repeats an id, and every id of a later term is above every id of earlier terms', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.record({ elect: fc.nat(2) }), fc.record({ take: fc.nat(2), n: fc.integer({ min: 1, max: 12 }) })), { maxLength: 40 }), async (steps) => {
        const log = new SharedLog();
        const nodes = [log.node('a'), log.node('b'), log.node('c')];
        const gens = nodes.map((n) => new SequenceIdGenerator(n, () => log.state, 5));
        log.elect(nodes[0]);
        const seen = new Set<number>();
        let maxBeforeTerm = 0;
        let maxThisTerm = 0;
        for (const s of steps) {
          if ('elect' in s) {
            log.elect(nodes[s.elect]);
            maxBeforeTerm = Math.max(maxBeforeTerm, maxThisTerm);
            continue;
          }
          for (let i = 0; i < s.n; i++) {
            let id: number;
            try {
              id = await gens[s.take]!.next('localId');
            } catch (err) {
              expect(err).toMatchObject({ code: 'REPLICATION_NOT_LEADER' });
              expect(nodes[s.take]!.role()).toBe('FOLLOWER');
              break;
            }
            expect(seen.has(id)).toBe(false);
            expect(id).toBeGreaterThan(maxBeforeTerm);
            seen.add(id);
            maxThisTerm = Math.max(maxThisTerm, id);
          }
        }
      }),
      { numRuns: 600 },
    );
  });

  it('reserves in batches of ozone.scm.sequence.id.batch.size (one replicated command per batch), CertificateId one by one', async () => {
    const log = new SharedLog();
    const a = log.node('a');
    log.elect(a);
    const g = new SequenceIdGenerator(a, () => log.state, 1000);
    const ids = [];
    for (let i = 0; i < 1500; i++) ids.push(await g.next('containerId'));
    expect(ids[0]).toBe(1);
    expect(ids[1499]).toBe(1500);
    expect(log.index).toBe(2);
    expect(log.state.sequence('containerId')).toBe(2000);
    expect([await g.next('CertificateId'), await g.next('CertificateId')]).toEqual([1, 2]);
    expect(log.state.sequence('CertificateId')).toBe(2);
  });

  it('concurrent callers on one leader get distinct ids', async () => {
    const log = new SharedLog();
    const a = log.node('a');
    log.elect(a);
    const g = new SequenceIdGenerator(a, () => log.state, 7);
    const ids = await Promise.all(Array.from({ length: 100 }, () => g.next('localId')));
    expect(new Set(ids).size).toBe(100);
  });
});
