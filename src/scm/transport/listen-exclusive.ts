/**
 * Binds a server (TCP, TLS or HTTP) to host:port exclusively; resolves with the bound address, rejects
 * with the bind error (e.g. EADDRINUSE) so the caller can name the port that failed.
 */
import type { AddressInfo, Server } from 'node:net';

export async function listenExclusive(server: Server, host: string, port: number): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}
