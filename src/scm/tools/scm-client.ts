/**
 * A failover client for one protocol of the configured SCM service (or one `--scm host:port`), typed by
 * that port's protocol. On a secure cluster it authenticates with the client identity of the
 * configuration (tools/client-identity.ts) unless given other TLS.
 */
import type { OzoneConf } from '../config/ozone-conf.js';
import { readTiming } from '../config/scm-config.js';
import { clientService, endpointsOf, readScmTopology, splitHostPort } from '../config/scm-topology.js';
import type { PortProtocols, RpcPortName } from '../security/access-policy.js';
import type { ClientProtocol } from '../protocols/client-protocol.js';
import type { Protocol } from '../transport/protocol-definition.js';
import type { RpcClient } from '../transport/rpc-client.js';
import { FailoverRpcClient, type FailoverOptions, type LeaderProbe } from '../transport/rpc-failover-client.js';
import { clientTlsFor } from './client-identity.js';

export function scmClient<N extends RpcPortName>(
  conf: OzoneConf,
  port: N,
  options: { serviceId?: string; scm?: string; env?: NodeJS.ProcessEnv } & FailoverOptions = {},
): FailoverRpcClient<PortProtocols[N]> {
  const timing = readTiming(conf);
  const { serviceId: _s, scm, env, ...failover } = options;
  const endpoints = scm
    ? (() => {
        const { host, port: p } = splitHostPort(scm);
        const nodes = clientService(readScmTopology(conf), options.serviceId).nodes;
        return [{ nodeId: scm, host, port: p ?? nodes[0]?.ports[port] ?? 9860 }];
      })()
    : endpointsOf(clientService(readScmTopology(conf), options.serviceId).nodes, port);
  const tls = failover.tls ?? clientTlsFor(conf, env ?? process.env);
  return new FailoverRpcClient<PortProtocols[N]>(endpoints, {
    retryIntervalMs: timing.failoverRetryIntervalMs,
    maxFailovers: timing.failoverMaxRetry,
    callTimeoutMs: timing.clientRpcTimeoutMs,
    ...(port === 'block' || port === 'client' ? { leaderProbe: leaderProbe(timing.electionTimeoutMs) } : {}),
    ...failover,
    ...(tls ? { tls } : {}),
  });
}

/**
 * The block and client ports answer `getScmInfo` only on a ready leader: a stalled call asks the other
 * SCMs with it every election timeout / 10 (100–500 ms), so a frozen or cut-off leader costs a client
 * about one election, not a call timeout.
 */
function leaderProbe(electionTimeoutMs: number): LeaderProbe<Protocol> {
  const afterMs = Math.max(100, Math.min(500, Math.round(electionTimeoutMs / 10)));
  return { afterMs, call: (c, signal) => (c as RpcClient<ClientProtocol>).call('getScmInfo', {}, { signal, timeoutMs: afterMs * 2 }) };
}
