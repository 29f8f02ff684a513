/**
 * Creating a Raft group's first durable state. Three ways a node's store begins (docs/raft.md §Groups):
 *
 *  bootstrapNewGroup       `--init` on a fresh SCM: a one-member group, self as voter. The membership is log
 *                          entry 1 (committed), so later members learn it by replication like any entry.
 *  bootstrapFromSnapshot   converting a standalone SCM that already holds data: a one-member group whose
 *                          log starts after an initial snapshot at `index`/`term` (the applier already
 *                          holds that state). A follower added later catches up by snapshot, not by replaying
 *                          from index 1.
 *  (nothing)               a joining node starts with an empty store and no membership; it waits until a
 *                          leader adds it (RaftNode.addMember on the leader).
 *
 * Both functions refuse a store that already holds Raft state (RAFT_ALREADY_INITIALIZED); check
 * `store.isEmpty()` first to make `--init` idempotent.
 */
import { encodeConfChange, isAddress } from '../raft/conf-change.js';
import { RaftError } from '../raft/raft-error.js';
import type { LogIndex, NodeId, Term } from '../raft/types.js';
import { RaftStorageError, type RaftLogStore } from '../storage/raft-log-store.js';

export interface GroupSelf {
  readonly id: NodeId;
  readonly address: string;
}

async function requireEmpty(store: RaftLogStore): Promise<void> {
  if (!(await store.isEmpty())) {
    throw new RaftStorageError('RAFT_ALREADY_INITIALIZED', `the Raft log store at ${store.location} already holds group ${store.groupId}`, {
      hint: 'start the node as is; bootstrap only a fresh store',
    });
  }
}

function checkSelf(store: RaftLogStore, self: GroupSelf): void {
  if (self.id !== store.nodeId) throw new RaftError('INVALID_ARGUMENT', `store belongs to node ${store.nodeId}, not ${self.id}`);
  if (!isAddress(self.address)) throw new RaftError('INVALID_ARGUMENT', `'${self.address}' is not a host:port address`);
}

export async function bootstrapNewGroup(store: RaftLogStore, self: GroupSelf, options: { signal?: AbortSignal } = {}): Promise<void> {
  options.signal?.throwIfAborted();
  checkSelf(store, self);
  await store.load();
  await requireEmpty(store);
  await store.save(
    {
      hardState: { term: 1, vote: null, commit: 1 },
      entries: [{ term: 1, index: 1, type: 'conf-change', data: encodeConfChange({ type: 'add-voter', id: self.id, address: self.address }) }],
    },
    { sync: true },
  );
}

export async function bootstrapFromSnapshot(
  store: RaftLogStore,
  self: GroupSelf,
  snapshot: { readonly index: LogIndex; readonly term: Term; readonly data: Uint8Array },
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  options.signal?.throwIfAborted();
  checkSelf(store, self);
  if (!Number.isSafeInteger(snapshot.index) || snapshot.index < 1 || !Number.isSafeInteger(snapshot.term) || snapshot.term < 1) {
    throw new RaftError('INVALID_ARGUMENT', `an initial snapshot needs index ≥ 1 and term ≥ 1 (got ${snapshot.index}/${snapshot.term})`);
  }
  await store.load();
  await requireEmpty(store);
  await store.save(
    {
      snapshot: {
        meta: { index: snapshot.index, term: snapshot.term, confState: { members: [{ id: self.id, address: self.address, role: 'voter', autoPromote: false }] } },
        data: snapshot.data,
      },
      hardState: { term: snapshot.term, vote: null, commit: snapshot.index },
    },
    { sync: true },
  );
}
