import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isCodedError } from '../../../src/common/coded-error.js';
import { decodeMessages, encodeMessages } from '../../../src/scm/raft/message-codec.js';
import { nodeId, type Entry, type Message, type MessageType, type Snapshot } from '../../../src/scm/raft/types.js';

const arbId = fc.string({ minLength: 1, maxLength: 36 }).map(nodeId);
const arbIndex = fc.nat({ max: Number.MAX_SAFE_INTEGER });
const arbEntry: fc.Arbitrary<Entry> = fc.record({
  term: arbIndex,
  index: arbIndex,
  type: fc.constantFrom('normal' as const, 'conf-change' as const),
  data: fc.uint8Array({ maxLength: 64 }),
});
const arbSnapshot: fc.Arbitrary<Snapshot> = fc.record({
  meta: fc.record({
    index: arbIndex,
    term: arbIndex,
    confState: fc.record({
      members: fc.array(fc.record({ id: arbId, address: fc.constant('127.0.3.1:9894'), role: fc.constantFrom('voter' as const, 'learner' as const), autoPromote: fc.boolean() }), { maxLength: 5 }),
    }),
  }),
  data: fc.uint8Array({ maxLength: 64 }),
});
const types: MessageType[] = ['app', 'app-resp', 'vote', 'vote-resp', 'pre-vote', 'pre-vote-resp', 'snap', 'heartbeat', 'heartbeat-resp', 'timeout-now'];
const arbMessage: fc.Arbitrary<Message> = fc.record({
  type: fc.constantFrom(...types),
  from: arbId,
  to: arbId,
  term: arbIndex,
  logTerm: arbIndex,
  index: arbIndex,
  entries: fc.array(arbEntry, { maxLength: 4 }),
  commit: arbIndex,
  reject: fc.boolean(),
  rejectHint: arbIndex,
  snapshot: fc.option(arbSnapshot, { nil: null }),
  context: fc.option(fc.uint8Array({ maxLength: 16 }), { nil: null }),
});

describe('message codec', () => {
  it('round-trips any batch of messages (property)', () => {
    fc.assert(
      fc.property(fc.array(arbMessage, { maxLength: 5 }), (ms) => {
        expect(decodeMessages(encodeMessages(ms))).toEqual(ms);
      }),
    );
  });

  it('rejects truncated or trailing bytes and unknown versions with INTERNAL', () => {
    const m: Message = { type: 'heartbeat', from: nodeId('a'), to: nodeId('b'), term: 1, logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0, snapshot: null, context: null };
    const bytes = encodeMessages([m]);
    for (const bad of [bytes.subarray(0, bytes.length - 1), new Uint8Array([...bytes, 0]), new Uint8Array([2, ...bytes.subarray(1)])]) {
      let err: unknown;
      try {
        decodeMessages(bad);
      } catch (e) {
        err = e;
      }
      expect(isCodedError(err, 'INTERNAL')).toBe(true);
    }
  });
});
