/**
 * Discovered state of a whole cluster, as gathered by gather-cluster-facts.ts: per topology host either the
 * facts (HostFacts, plus per-SCM-node facts and the current text of managed files that differ from what
 * would be rendered) or why the host could not be read. Plain JSON data; never mixed with the Topology.
 */
import type { HostFacts, ReleaseFacts, ScmFacts } from '../facts/host-facts.js';
import type { NodeKey } from './plan-model.js';

export interface FactsFailure {
  /** the HostError / FactsError code, e.g. SSH_HOST_KEY_CHANGED, SUDO_FAILED */
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

/** One SCM node's own facts (a host may carry several nodes, each with its own directories). */
export interface NodeObservation {
  readonly scm: ScmFacts;
  readonly release: ReleaseFacts | null;
}

export type HostObservation =
  | {
      readonly ok: true;
      readonly facts: HostFacts;
      readonly nodes: Readonly<Record<NodeKey, NodeObservation>>;
      /** current text of managed files whose hash differs from the rendered file (for diffs and backups) */
      readonly contents: Readonly<Record<string, string>>;
    }
  | { readonly ok: false; readonly error: FactsFailure };

export interface ClusterFacts {
  readonly hosts: Readonly<Record<string, HostObservation>>;
}
