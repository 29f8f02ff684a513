/** A failover client for one protocol of the configured SCM service (or one `--scm host:port`). */
import type { OzoneConf } from '../config/ozone-conf.js';
import { readTiming } from '../config/scm-config.js';
import { clientService, readScmTopology, splitHostPort, type ScmPorts } from '../config/scm-topology.js';
import { FailoverRpcClient, type FailoverOptions } from '../transport/rpc-failover-client.js';

export function scmClient(conf: OzoneConf, protocol: keyof ScmPorts, options: { serviceId?: string; scm?: string } & FailoverOptions = {}): FailoverRpcClient {
  const timing = readTiming(conf);
  const { serviceId: _s, scm, ...failover } = options;
  const endpoints = scm
    ? (() => {
        const { host, port } = splitHostPort(scm);
        const nodes = clientService(readScmTopology(conf), options.serviceId).nodes;
        return [{ nodeId: scm, host, port: port ?? nodes[0]?.ports[protocol] ?? 9860 }];
      })()
    : clientService(readScmTopology(conf), options.serviceId).nodes.map((n) => ({ nodeId: n.nodeId, host: n.host, port: n.ports[protocol] }));
  return new FailoverRpcClient(endpoints, {
    retryIntervalMs: timing.failoverRetryIntervalMs,
    maxFailovers: timing.failoverMaxRetry,
    ...failover,
  });
}
