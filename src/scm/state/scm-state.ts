/**
 * The SCM's replicated state in memory: a fold of StateChanges, and the read view the reducer uses.
 * Loaded once from scm.db at start (`load`), then advanced only by `apply(changes)` with the changes the
 * reducer produced — the same list that is written to scm.db in the same step. Pure: no I/O.
 */
import { CERT_REVOCATIONS_SERVICE, type CertificateRevocations, type ContainerInfo, type DeletedBlocksTransaction, type PipelineInfo, type SequenceIdType } from './records.js';
import { emptyJoinTokens, JOIN_TOKENS_SERVICE, type JoinTokens } from './join-token-records.js';
import type { StateChange, StateFamily } from './state-change.js';

const NO_REVOCATIONS: CertificateRevocations = Object.freeze({ serials: Object.freeze({}) });

export interface StateView {
  container(id: number): ContainerInfo | undefined;
  pipeline(id: string): PipelineInfo | undefined;
  /** last reserved id of a sequence; 0 when none was reserved yet */
  sequence(type: SequenceIdType): number;
  deletedBlocks(txID: number): DeletedBlocksTransaction | undefined;
  cert(cf: 'validCerts' | 'validSCMCerts', serial: string): string | undefined;
  /** a service's record in statefulServiceConfig, if any */
  serviceConfig(name: string): unknown;
  /** the join tokens (statefulServiceConfig `JoinTokens`) */
  joinTokens(): JoinTokens;
  /** the revoked certificates (statefulServiceConfig `CertificateRevocations`) */
  revocations(): CertificateRevocations;
  /** the certificate with this serial was revoked (decommission, `admin cert revoke`) */
  isRevoked(serial: string): boolean;
}

export class ScmState implements StateView {
  readonly containers = new Map<number, ContainerInfo>();
  readonly pipelines = new Map<string, PipelineInfo>();
  readonly sequences = new Map<SequenceIdType, number>();
  readonly deleted = new Map<number, DeletedBlocksTransaction>();
  readonly validCerts = new Map<string, string>();
  readonly validSCMCerts = new Map<string, string>();
  readonly meta = new Map<string, string>();
  readonly statefulServiceConfig = new Map<string, unknown>();

  container(id: number): ContainerInfo | undefined {
    return this.containers.get(id);
  }
  pipeline(id: string): PipelineInfo | undefined {
    return this.pipelines.get(id);
  }
  sequence(type: SequenceIdType): number {
    return this.sequences.get(type) ?? 0;
  }
  deletedBlocks(txID: number): DeletedBlocksTransaction | undefined {
    return this.deleted.get(txID);
  }
  cert(cf: 'validCerts' | 'validSCMCerts', serial: string): string | undefined {
    return (cf === 'validCerts' ? this.validCerts : this.validSCMCerts).get(serial);
  }
  serviceConfig(name: string): unknown {
    return this.statefulServiceConfig.get(name);
  }
  joinTokens(): JoinTokens {
    return (this.statefulServiceConfig.get(JOIN_TOKENS_SERVICE) as JoinTokens | undefined) ?? emptyJoinTokens();
  }
  revocations(): CertificateRevocations {
    return (this.statefulServiceConfig.get(CERT_REVOCATIONS_SERVICE) as CertificateRevocations | undefined) ?? NO_REVOCATIONS;
  }
  isRevoked(serial: string): boolean {
    return Object.hasOwn(this.revocations().serials, serial);
  }

  apply(changes: readonly StateChange[]): void {
    for (const c of changes) {
      switch (c.cf) {
        case 'containers':
          setOrDelete(this.containers, c.key, c.value);
          break;
        case 'pipelines':
          setOrDelete(this.pipelines, c.key, c.value);
          break;
        case 'sequenceId':
          this.sequences.set(c.key, c.value);
          break;
        case 'deletedBlocks':
          setOrDelete(this.deleted, c.key, c.value);
          break;
        case 'validCerts':
          setOrDelete(this.validCerts, c.key, c.value);
          break;
        case 'validSCMCerts':
          setOrDelete(this.validSCMCerts, c.key, c.value);
          break;
        case 'meta':
          setOrDelete(this.meta, c.key, c.value);
          break;
        case 'statefulServiceConfig':
          setOrDelete(this.statefulServiceConfig, c.key, c.value);
          break;
        default: {
          const never: never = c;
          throw new Error(`unknown change ${JSON.stringify(never)}`);
        }
      }
    }
  }

  /** Builds the state from stored rows (key and value already decoded by the family's codecs). */
  static load(rows: Iterable<{ cf: StateFamily; key: string | number | bigint; value: unknown }>): ScmState {
    const s = new ScmState();
    const changes: StateChange[] = [];
    for (const r of rows) {
      const key = r.cf === 'validCerts' || r.cf === 'validSCMCerts' ? String(r.key) : typeof r.key === 'bigint' ? Number(r.key) : r.key;
      changes.push({ cf: r.cf, key, value: r.value } as StateChange);
    }
    s.apply(changes);
    return s;
  }
}

function setOrDelete<K, V>(m: Map<K, V>, k: K, v: V | null | undefined): void {
  if (v === null || v === undefined) m.delete(k);
  else m.set(k, v);
}

export const STATE_FAMILIES: readonly StateFamily[] = ['containers', 'pipelines', 'sequenceId', 'deletedBlocks', 'validCerts', 'validSCMCerts', 'meta', 'statefulServiceConfig'];
