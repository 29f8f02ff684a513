/**
 * Majority quorum math for a single (non-joint) voter set.
 *
 *  committedIndex: the highest index that a majority of voters has durably matched. With no voters it is
 *  0 (nothing can commit).
 *  voteResult: 'won' once a majority granted, 'lost' once a majority can no longer be reached.
 */
import type { LogIndex, NodeId } from './types.js';

export type VoteResult = 'pending' | 'won' | 'lost';

export function majority(n: number): number {
  return Math.floor(n / 2) + 1;
}

export function committedIndex(voters: readonly NodeId[], matchOf: (id: NodeId) => LogIndex): LogIndex {
  const n = voters.length;
  if (n === 0) return 0;
  // Insertion sort, descending: a voter set has a handful of members, and Array.prototype.sort allocates
  // a work area of ~1 KiB per call; this runs on every acknowledgement the leader receives.
  const matches: LogIndex[] = new Array<LogIndex>(n);
  for (let i = 0; i < n; i++) {
    const m = matchOf(voters[i]!);
    let j = i;
    for (; j > 0 && matches[j - 1]! < m; j--) matches[j] = matches[j - 1]!;
    matches[j] = m;
  }
  return matches[majority(n) - 1]!;
}

export function voteResult(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  if (voters.length === 0) return 'won';
  let granted = 0;
  let missing = 0;
  for (const v of voters) {
    const g = votes.get(v);
    if (g === undefined) missing++;
    else if (g) granted++;
  }
  const q = majority(voters.length);
  if (granted >= q) return 'won';
  if (granted + missing >= q) return 'pending';
  return 'lost';
}
