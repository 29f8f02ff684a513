/**
 * Fault injection over the real Raft wire (no hook in the SCM): a fake peer dials an SCM's Raft port and
 * sends it what a broken leader would, e.g. a heartbeat whose commit index lies beyond the receiver's log.
 * The receiver's core treats that as an invariant violation — the kind of fatal error after which the SCM
 * process must exit instead of serving on. Insecure clusters only (a secure Raft port admits recorded
 * certificates only).
 */
import { message, nodeId } from '../../src/scm/raft/types.js';
import { listenRaftTransport } from '../../src/scm/transport/raft-transport.js';

export async function sendBogusHeartbeat(target: { host: string; ratisPort: number; scmUuid: string }, o: { groupId: string; from: string; fromHost: string; term: number; commit: number }): Promise<void> {
  const transport = await listenRaftTransport({ groupId: o.groupId, self: nodeId(o.from), listen: { host: o.fromHost, port: 0 }, dialFrom: o.fromHost });
  try {
    const to = nodeId(target.scmUuid);
    transport.setPeers(new Map([[to, `${target.host}:${target.ratisPort}`]]));
    transport.send([message({ type: 'heartbeat', from: nodeId(o.from), to, term: o.term, commit: o.commit })]);
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    await transport.close();
  }
}
