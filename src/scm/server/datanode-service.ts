/**
 * The datanode protocol handlers (9861, protocols/datanode-protocol.ts) — served by EVERY SCM, leader or
 * not (§6): registration and heartbeats with reports; only the leader's heartbeat responses carry
 * commands. In secure mode a datanode certificate for host H speaks only for the datanodes of H: those
 * whose hostName is H, or H-dn<N> (several simulated datanodes sharing one host's identity).
 */
import type { DatanodeProtocol } from '../protocols/datanode-protocol.js';
import { SecurityError } from '../security/security-error.js';
import type { PeerIdentity } from '../security/peer-identity.js';
import type { DatanodeDetails } from '../state/records.js';
import type { Handlers } from '../transport/rpc-server.js';
import type { ScmContext } from './scm-context.js';

function checkSpeaksFor(identity: PeerIdentity, dn: DatanodeDetails, secure: boolean): void {
  if (!secure) return;
  const ok = identity.kind === 'datanode' && (dn.hostName === identity.host || new RegExp(`^${identity.host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-dn\\d+$`).test(dn.hostName));
  if (!ok) throw new SecurityError('ACCESS_DENIED', `a certificate for ${identity.kind === 'anonymous' ? 'nobody' : identity.host} may not speak for datanode ${dn.hostName}`);
}

export function datanodeHandlers(ctx: ScmContext): Handlers<DatanodeProtocol> {
  const secure = ctx.config.securityEnabled;
  return {
    register: async ({ datanode }, rpc) => {
      checkSpeaksFor(rpc.identity, datanode, secure);
      ctx.nodes.register(datanode);
      return { clusterId: ctx.version.clusterId, scmUuid: ctx.version.scmUuid };
    },
    heartbeat: async (req, rpc) => {
      checkSpeaksFor(rpc.identity, req.datanode, secure);
      const commands = ctx.nodes.heartbeat(req);
      return { role: ctx.replicator.role(), term: ctx.replicator.term(), scmUuid: ctx.version.scmUuid, commands };
    },
  };
}
