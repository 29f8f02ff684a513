/**
 * The datanode protocol handlers (9861, protocols/datanode-protocol.ts) — served by EVERY SCM, leader or
 * not (§6): registration and heartbeats with reports; only the leader's heartbeat responses carry
 * commands. In secure mode a datanode certificate for host H speaks only for the datanodes of H — those
 * whose hostName is H, or `H-dn<N>` (the simulator's datanodes sharing their host's identity) — a datanode
 * uuid stays bound to the hostName it first registered with (no certificate can take over another host's
 * datanode), and one identity registers at most MAX_DATANODES_PER_IDENTITY datanodes.
 */
import type { DatanodeProtocol } from '../protocols/datanode-protocol.js';
import { describeIdentity, type PeerIdentity } from '../security/peer-identity.js';
import { SecurityError } from '../security/security-error.js';
import type { DatanodeDetails } from '../state/records.js';
import type { Handlers } from '../transport/rpc-server.js';
import type { ScmContext } from './scm-context.js';

export const MAX_DATANODES_PER_IDENTITY = 64;

function speaksFor(host: string, hostName: string): boolean {
  if (hostName === host) return true;
  const suffix = hostName.startsWith(`${host}-dn`) ? hostName.slice(host.length + 3) : '';
  return /^[1-9]\d{0,3}$/.test(suffix);
}

export function datanodeHandlers(ctx: ScmContext): Handlers<DatanodeProtocol> {
  const secure = ctx.config.securityEnabled;
  /** identity host → datanode uuids it registered */
  const byIdentity = new Map<string, Set<string>>();
  const check = (identity: PeerIdentity, dn: DatanodeDetails): void => {
    if (!secure) return;
    const deny = (why: string): never => {
      throw new SecurityError('ACCESS_DENIED', `${describeIdentity(identity)} may not speak for datanode ${dn.hostName} (${dn.uuid}): ${why}`);
    };
    if (identity.kind !== 'datanode' || !speaksFor(identity.host, dn.hostName)) deny('its certificate is for another host');
    const known = ctx.nodes.get(dn.uuid);
    if (known && known.details.hostName !== dn.hostName) deny(`that uuid belongs to ${known.details.hostName}`);
    const host = (identity as { host: string }).host;
    const mine = byIdentity.get(host) ?? new Set<string>();
    if (!mine.has(dn.uuid)) {
      if (mine.size >= MAX_DATANODES_PER_IDENTITY) deny(`one identity registers at most ${MAX_DATANODES_PER_IDENTITY} datanodes`);
      mine.add(dn.uuid);
      byIdentity.set(host, mine);
    }
  };
  return {
    register: async ({ datanode }, rpc) => {
      check(rpc.identity, datanode);
      ctx.nodes.register(datanode);
      return { clusterId: ctx.version.clusterId, scmUuid: ctx.version.scmUuid };
    },
    heartbeat: async (req, rpc) => {
      check(rpc.identity, req.datanode);
      const commands = ctx.nodes.heartbeat(req);
      return { role: ctx.replicator.role(), term: ctx.replicator.term(), scmUuid: ctx.version.scmUuid, commands };
    },
  };
}
