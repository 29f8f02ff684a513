/** Public surface of the pure Raft core (see docs/raft.md). */
export * from './types.js';
export * from './raft-error.js';
export * from './random.js';
export * from './conf-change.js';
export * from './log-storage.js';
export * from './message-codec.js';
export { RawNode, type Ready } from './raw-node.js';
