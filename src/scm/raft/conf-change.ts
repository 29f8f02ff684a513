/**
 * Single-server membership changes (Raft thesis §4.1, as etcd applies them): one change at a time, each
 * taking effect on a node when that node applies the committed entry. Addresses travel in the change, so
 * every node learns every peer's `host:port` from the log (or from a snapshot's ConfState).
 *
 *  add-learner  new non-voting member; with autoPromote, any leader promotes it once it has caught up
 *  add-voter    new voting member (used to found a group; a running group adds learners)
 *  promote      learner → voter
 *  remove       drop a member (voter or learner)
 *
 * `applyConfChange` is total and deterministic: a change that no longer fits (e.g. promoting a member
 * that is gone) is a no-op on every node alike. `validateConfChange` is the stricter check the leader
 * runs before proposing.
 */
import { ByteCodecError, ByteReader, ByteWriter } from './byte-codec.js';
import { RaftError } from './raft-error.js';
import type { ConfState, Member, NodeId } from './types.js';

export type ConfChange =
  | { readonly type: 'add-learner'; readonly id: NodeId; readonly address: string; readonly autoPromote: boolean }
  | { readonly type: 'add-voter'; readonly id: NodeId; readonly address: string }
  | { readonly type: 'promote'; readonly id: NodeId }
  | { readonly type: 'remove'; readonly id: NodeId };

const CONF_CODEC_VERSION = 1;
const typeCodes = { 'add-learner': 1, 'add-voter': 2, promote: 3, remove: 4 } as const;

export function encodeConfChange(cc: ConfChange): Uint8Array {
  const w = new ByteWriter(64).u8(CONF_CODEC_VERSION).u8(typeCodes[cc.type]).str(cc.id);
  switch (cc.type) {
    case 'add-learner':
      w.str(cc.address).u8(cc.autoPromote ? 1 : 0);
      break;
    case 'add-voter':
      w.str(cc.address);
      break;
    case 'promote':
    case 'remove':
      break;
    default: {
      const _: never = cc;
      return _;
    }
  }
  return w.finish();
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  try {
    const r = new ByteReader(data);
    const version = r.u8();
    if (version !== CONF_CODEC_VERSION) throw new ByteCodecError(`conf change codec version ${version}`);
    const code = r.u8();
    const id = r.str() as NodeId;
    let cc: ConfChange;
    if (code === 1) cc = { type: 'add-learner', id, address: r.str(), autoPromote: r.u8() === 1 };
    else if (code === 2) cc = { type: 'add-voter', id, address: r.str() };
    else if (code === 3) cc = { type: 'promote', id };
    else if (code === 4) cc = { type: 'remove', id };
    else throw new ByteCodecError(`unknown conf change type ${code}`);
    r.expectEnd();
    return cc;
  } catch (err) {
    throw new RaftError('INTERNAL', `undecodable conf change entry: ${(err as Error).message}`, { cause: err });
  }
}

export function describeConfChange(cc: ConfChange): string {
  switch (cc.type) {
    case 'add-learner':
      return `add-learner ${cc.id}@${cc.address}${cc.autoPromote ? ' auto-promote' : ''}`;
    case 'add-voter':
      return `add-voter ${cc.id}@${cc.address}`;
    case 'promote':
      return `promote ${cc.id}`;
    case 'remove':
      return `remove ${cc.id}`;
    default: {
      const _: never = cc;
      return _;
    }
  }
}

export function memberOf(cs: ConfState, id: NodeId): Member | undefined {
  return cs.members.find((m) => m.id === id);
}

export function votersOf(cs: ConfState): NodeId[] {
  return cs.members.filter((m) => m.role === 'voter').map((m) => m.id);
}

function withMembers(members: Member[]): ConfState {
  return { members: members.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
}

/** Applies a committed change. Total: a change that does not fit is a no-op. */
export function applyConfChange(cs: ConfState, cc: ConfChange): ConfState {
  const existing = memberOf(cs, cc.id);
  const others = cs.members.filter((m) => m.id !== cc.id);
  switch (cc.type) {
    case 'add-learner':
      if (existing) return cs;
      return withMembers([...others, { id: cc.id, address: cc.address, role: 'learner', autoPromote: cc.autoPromote }]);
    case 'add-voter':
      if (existing?.role === 'voter') return cs;
      return withMembers([...others, { id: cc.id, address: existing?.address ?? cc.address, role: 'voter', autoPromote: false }]);
    case 'promote':
      if (existing?.role !== 'learner') return cs;
      return withMembers([...others, { ...existing, role: 'voter', autoPromote: false }]);
    case 'remove':
      if (!existing) return cs;
      return withMembers(others);
    default: {
      const _: never = cc;
      return _;
    }
  }
}

/** Rejects changes a leader must not propose against the current (applied) membership. */
export function validateConfChange(cs: ConfState, cc: ConfChange): void {
  const existing = memberOf(cs, cc.id);
  const bad = (message: string): never => {
    throw new RaftError('INVALID_CONF_CHANGE', message);
  };
  if (typeof cc.id !== 'string' || cc.id.length === 0) bad('a member id must be a non-empty string');
  switch (cc.type) {
    case 'add-learner':
    case 'add-voter':
      if (existing) bad(`${cc.id} is already a ${existing.role}`);
      if (!isAddress(cc.address)) bad(`'${cc.address}' is not a host:port address`);
      if (cs.members.some((m) => m.address === cc.address)) bad(`address ${cc.address} is already used by another member`);
      return;
    case 'promote':
      if (existing?.role !== 'learner') bad(`${cc.id} is not a learner`);
      return;
    case 'remove':
      if (!existing) bad(`${cc.id} is not a member`);
      if (existing?.role === 'voter' && votersOf(cs).length === 1) bad(`${cc.id} is the last voter; a group cannot remove its last voter`);
      return;
    default: {
      const _: never = cc;
      return _;
    }
  }
}

/** `host:port` with a numeric port; IPv6 hosts in brackets. */
export function isAddress(address: string): boolean {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(address);
  return m !== null && Number(m[2]) <= 65535;
}
