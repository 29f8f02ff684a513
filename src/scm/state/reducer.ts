/**
 * The deterministic heart of the SCM: `reduce(view, command, at)` → the changes to scm.db and the result.
 * Same view + same command → same output on every SCM (no clock, no randomness, no I/O). `at` is the
 * {term, index} of the log entry; the caller adds `#TRANSACTIONINFO = term#index` to the same batch.
 * Invalid commands are rejected with a coded result and no changes: the entry is still applied (its index
 * is consumed) so all replicas stay identical.
 */
import type { CommandResult, RejectionCode, ScmCommand } from './commands.js';
import { JOIN_TOKENS_SERVICE, pruneTokens, tokenUnusable, type JoinTokens } from './join-token-records.js';
import { CERT_REVOCATIONS_SERVICE, CONTAINER_TRANSITIONS, PIPELINE_TRANSITIONS, SEQUENCE_ID_TYPES, type CertificateRevocations } from './records.js';
import type { StateView } from './scm-state.js';
import type { StateChange } from './state-change.js';

export interface AppliedAt {
  readonly term: number;
  readonly index: number;
}

export interface Effect {
  readonly changes: readonly StateChange[];
  readonly result: CommandResult;
}

const reject = (code: RejectionCode, message: string): Effect => ({ changes: [], result: { ok: false, code, message } });
const ok = (changes: StateChange[], value?: unknown): Effect => ({ changes, result: value === undefined ? { ok: true } : { ok: true, value } });

/** statefulServiceConfig records that only their own commands may change */
const RESERVED_SERVICES: ReadonlySet<string> = new Set([JOIN_TOKENS_SERVICE, CERT_REVOCATIONS_SERVICE]);

export function reduce(view: StateView, command: ScmCommand, _at: AppliedAt): Effect {
  switch (command.type) {
    case 'allocateBatch': {
      const { sequence, expectedLastId, newLastId } = command;
      if (!SEQUENCE_ID_TYPES.includes(sequence)) return reject('INVALID_COMMAND', `unknown sequence ${String(sequence)}`);
      const last = view.sequence(sequence);
      if (last !== expectedLastId || !(newLastId > expectedLastId)) {
        return { changes: [], result: { ok: false, code: 'SEQUENCE_CONFLICT', message: `${sequence}: expected last id ${expectedLastId}, stored ${last}, requested ${newLastId}` } };
      }
      return ok([{ cf: 'sequenceId', key: sequence, value: newLastId }], { firstId: expectedLastId + 1, lastId: newLastId });
    }
    case 'addContainer': {
      const c = command.container;
      if (view.container(c.containerID)) return reject('CONTAINER_EXISTS', `container #${c.containerID} already exists`);
      if (c.containerID > view.sequence('containerId')) {
        return reject('INVALID_COMMAND', `container id ${c.containerID} was never reserved (last reserved ${view.sequence('containerId')})`);
      }
      return ok([{ cf: 'containers', key: c.containerID, value: c }]);
    }
    case 'addContainers': {
      if (!Array.isArray(command.containers) || command.containers.length === 0) return reject('INVALID_COMMAND', 'addContainers needs at least one container');
      const seen = new Set<number>();
      const reserved = view.sequence('containerId');
      for (const c of command.containers) {
        if (view.container(c.containerID) || seen.has(c.containerID)) return reject('CONTAINER_EXISTS', `container #${c.containerID} already exists`);
        if (c.containerID > reserved) return reject('INVALID_COMMAND', `container id ${c.containerID} was never reserved (last reserved ${reserved})`);
        seen.add(c.containerID);
      }
      return ok(command.containers.map((c) => ({ cf: 'containers' as const, key: c.containerID, value: c })), { added: command.containers.length });
    }
    case 'updateContainerState': {
      const c = view.container(command.containerID);
      if (!c) return reject('CONTAINER_NOT_FOUND', `container #${command.containerID} not found`);
      const t = CONTAINER_TRANSITIONS[command.event];
      if (!t) return reject('INVALID_COMMAND', `unknown event ${String(command.event)}`);
      if (!t.from.includes(c.state)) {
        return reject('INVALID_CONTAINER_TRANSITION', `container #${c.containerID} is ${c.state}; ${command.event} applies to ${t.from.join('/')}`);
      }
      return ok([{ cf: 'containers', key: c.containerID, value: { ...c, state: t.to, stateEnterTime: command.at } }]);
    }
    case 'updateContainerInfo': {
      const c = view.container(command.containerID);
      if (!c) return reject('CONTAINER_NOT_FOUND', `container #${command.containerID} not found`);
      return ok([{ cf: 'containers', key: c.containerID, value: { ...c, usedBytes: command.usedBytes, numberOfKeys: command.numberOfKeys, sequenceId: command.sequenceId } }]);
    }
    case 'addPipeline': {
      const p = command.pipeline;
      if (view.pipeline(p.id)) return reject('PIPELINE_EXISTS', `pipeline ${p.id} already exists`);
      return ok([{ cf: 'pipelines', key: p.id, value: p }]);
    }
    case 'updatePipelineState': {
      const p = view.pipeline(command.pipelineID);
      if (!p) return reject('PIPELINE_NOT_FOUND', `pipeline ${command.pipelineID} not found`);
      if (p.state !== command.state && !PIPELINE_TRANSITIONS[p.state].includes(command.state)) {
        return reject('INVALID_PIPELINE_TRANSITION', `pipeline ${p.id} is ${p.state}; cannot become ${command.state}`);
      }
      const leaderId = command.leaderId === undefined ? p.leaderId : command.leaderId;
      return ok([{ cf: 'pipelines', key: p.id, value: { ...p, state: command.state, leaderId } }]);
    }
    case 'removePipeline': {
      const p = view.pipeline(command.pipelineID);
      if (!p) return reject('PIPELINE_NOT_FOUND', `pipeline ${command.pipelineID} not found`);
      if (p.state !== 'CLOSED') return reject('INVALID_PIPELINE_TRANSITION', `pipeline ${p.id} is ${p.state}; close it before removing`);
      return ok([{ cf: 'pipelines', key: p.id, value: null }]);
    }
    case 'addTransactionsToDB':
      return ok(command.transactions.map((t) => ({ cf: 'deletedBlocks' as const, key: t.txID, value: t })));
    case 'removeTransactionsFromDB':
      return ok(command.txIDs.map((id) => ({ cf: 'deletedBlocks' as const, key: id, value: null })));
    case 'storeValidCertificate': {
      if (!/^\d+$/.test(command.serial)) return reject('INVALID_COMMAND', `certificate serial ${command.serial} is not a decimal number`);
      if (view.cert('validCerts', command.serial)) return reject('CERT_EXISTS', `a certificate with serial ${command.serial} is already stored`);
      const changes: StateChange[] = [{ cf: 'validCerts', key: command.serial, value: command.pem }];
      if (command.role === 'SCM') changes.push({ cf: 'validSCMCerts', key: command.serial, value: command.pem });
      return ok(changes);
    }
    case 'revokeCertificate': {
      if (view.cert('validCerts', command.serial) === undefined) return reject('CERT_NOT_FOUND', `no certificate with serial ${command.serial} was issued`);
      const current = view.revocations();
      if (current.serials[command.serial]) return ok([]);
      const next: CertificateRevocations = { serials: { ...current.serials, [command.serial]: { reason: command.reason, at: command.at } } };
      return ok([{ cf: 'statefulServiceConfig', key: CERT_REVOCATIONS_SERVICE, value: next }]);
    }
    case 'addJoinToken': {
      const tokens = view.joinTokens();
      if (tokens.tokens[command.token.id]) return reject('TOKEN_EXISTS', `a token with id ${command.token.id} exists`);
      const pruned = pruneTokens(tokens, command.token.createdAt);
      return ok([{ cf: 'statefulServiceConfig', key: JOIN_TOKENS_SERVICE, value: { tokens: { ...pruned.tokens, [command.token.id]: command.token } } satisfies JoinTokens }]);
    }
    case 'useJoinToken': {
      const tokens = view.joinTokens();
      const t = tokens.tokens[command.id];
      const why = tokenUnusable(t, command.at);
      if (why) return reject(why, `token ${command.id}: ${why.replace('TOKEN_', '').toLowerCase()}`);
      const used = { ...t!, usesLeft: t!.usesLeft - 1, used: t!.used + 1, lastUsedAt: command.at };
      return ok([{ cf: 'statefulServiceConfig', key: JOIN_TOKENS_SERVICE, value: { tokens: { ...tokens.tokens, [command.id]: used } } satisfies JoinTokens }], { usesLeft: used.usesLeft });
    }
    case 'revokeJoinToken': {
      const tokens = view.joinTokens();
      const t = tokens.tokens[command.id];
      if (!t) return reject('TOKEN_INVALID', `no token with id ${command.id}`);
      if (t.revokedAt !== null) return ok([]);
      return ok([{ cf: 'statefulServiceConfig', key: JOIN_TOKENS_SERVICE, value: { tokens: { ...tokens.tokens, [command.id]: { ...t, revokedAt: command.at } } } satisfies JoinTokens }]);
    }
    case 'saveConfiguration':
      if (RESERVED_SERVICES.has(command.serviceName)) return reject('INVALID_COMMAND', `${command.serviceName} is kept by its own commands`);
      return ok([{ cf: 'statefulServiceConfig', key: command.serviceName, value: command.config }]);
    case 'deleteConfiguration':
      if (RESERVED_SERVICES.has(command.serviceName)) return reject('INVALID_COMMAND', `${command.serviceName} is kept by its own commands`);
      return ok([{ cf: 'statefulServiceConfig', key: command.serviceName, value: null }]);
    case 'finalizeLayoutFeature':
      return ok([{ cf: 'meta', key: '#LAYOUTVERSION', value: String(command.layoutVersion) }]);
    default: {
      const never: never = command;
      return reject('INVALID_COMMAND', `unknown command ${JSON.stringify(never)}`);
    }
  }
}
