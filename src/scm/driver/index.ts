/** Public surface of the Raft driver (what the embedded SCM builds on; see docs/raft.md). */
export { startRaftNode, RaftNode, type RaftNodeOptions } from './raft-node.js';
export type { StateMachine, AppliedEntry, SnapshotImage, SnapshotRef, SnapshotSource, RestoreResult } from './state-machine.js';
export type { RaftStatus, RaftPeerStatus, RaftRole, RaftEvent, RaftMetrics } from './raft-status.js';
export type { PeerTransport, PeerTransportHandler } from './peer-transport.js';
export { bootstrapNewGroup, bootstrapFromSnapshot, type GroupSelf } from './group-bootstrap.js';
export { KvStateMachine, encodeKvCommand, decodeKvCommand, type KvCommand, type KvResult } from './kv-state-machine.js';
export { RaftError, type RaftErrorCode, type PeerRef } from '../raft/raft-error.js';
export { nodeId, type NodeId, type LogIndex, type Term } from '../raft/types.js';
