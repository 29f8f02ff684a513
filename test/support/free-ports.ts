/**
 * Free TCP ports on a loopback address, for in-process tests that need a whole SCM configuration with
 * real ports up front (Raft peers and NotLeader hints come from the configuration). Each port is bound
 * to port 0 and released; the small window before the test binds it again is acceptable on a dedicated
 * 127.0.4.x address.
 */
import { createServer, type AddressInfo } from 'node:net';

export async function freePorts(host: string, count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, host, () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

/** Per-node port keys (`<key>.<sid>.<nid>` form is built by scm-site) with free ports on `host`. */
export async function freeNodePorts(host: string): Promise<Record<string, number>> {
  const [client, block, datanode, security, ratis, grpc, http, https] = await freePorts(host, 8);
  return {
    'ozone.scm.client.port': client!,
    'ozone.scm.block.client.port': block!,
    'ozone.scm.datanode.port': datanode!,
    'ozone.scm.security.service.port': security!,
    'ozone.scm.ratis.port': ratis!,
    'ozone.scm.grpc.port': grpc!,
    http: http!,
    https: https!,
  };
}
