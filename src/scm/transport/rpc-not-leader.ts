/**
 * Ozone's ServerNotLeaderException text (SNLE, docs/ozone-scm-ha.md §6), which clients parse for the hint:
 *   "<ROLE> Server:<peerId>(<hostname>) is not the leader. Suggested leader is Server:<host>:<port>."
 *   "<ROLE> Server:<peerId>(<hostname>) is not the leader. Could not determine the leader node."
 * The suggested port is the contacted protocol's port on the responding node (assumes identical ports).
 */

export function notLeaderMessage(role: string, selfPeerId: string, selfHost: string, suggested: string | undefined): string {
  const head = `${role} Server:${selfPeerId}(${selfHost}) is not the leader.`;
  return suggested === undefined ? `${head} Could not determine the leader node.` : `${head} Suggested leader is Server:${suggested}.`;
}

/** The `host:port` hint of a not-leader message, if any. */
export function parseSuggestedLeader(message: string): string | undefined {
  return /Suggested leader is Server:(\S+?:\d+)\.?$/.exec(message)?.[1];
}
