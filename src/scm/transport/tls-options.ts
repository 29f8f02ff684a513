/**
 * TLS for the SCM ports (docs/design.md §4.4). Servers present their certificate chain and verify client
 * certificates against the cluster's root CA:
 *  - `required` (client, block, datanode, inter-SCM, Raft): the handshake fails without a valid client
 *    certificate (Ozone's gRPC `ClientAuth.REQUIRE`);
 *  - `optional` (security port): a caller without a certificate may connect (to present a join token);
 *    one that presents a certificate not verified by the root CA is closed.
 * Clients verify the server's chain against the same root and, with `verifyServer`, that the certificate
 * is what they expect (an SCM of this cluster); `insecure` skips verification entirely and exists only to
 * fetch a root CA that is then checked against a pinned hash (join flow, security/ca-pin.ts).
 * Without TLS material everything is plain TCP (security off).
 */
import { connect as netConnect, createServer as netCreateServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as tlsCreateServer, type PeerCertificate, type TlsOptions, type TLSSocket } from 'node:tls';

export interface TlsMaterial {
  /** PEM private key of this SCM/client */
  readonly key: string;
  /** PEM certificate chain of this SCM/client */
  readonly cert: string;
  /** PEM CA certificates trusted for the peer */
  readonly ca: string;
}

export interface ServerTls {
  readonly key: string | Buffer;
  /** certificate chain (leaf first) */
  readonly cert: string | Buffer;
  /** CA certificate(s) trusted for client certificates */
  readonly ca: string | Buffer | ReadonlyArray<string | Buffer>;
  readonly clientCert: 'required' | 'optional';
  readonly handshakeTimeoutMs?: number;
}

export interface ClientTls {
  /** client certificate (absent: connect without one, e.g. to present a join token) */
  readonly key?: string;
  readonly cert?: string;
  /** trusted root(s) for the server's chain */
  readonly ca?: string;
  /** after the chain verified: an Error when the server's certificate is not the expected one */
  readonly verifyServer?: (cert: PeerCertificate, host: string) => Error | undefined;
  /** skip every check (only to fetch a root CA that is then compared with a pinned hash) */
  readonly insecure?: boolean;
}

/** Node's options for a TLS server of an SCM port (RPC, Raft, HTTPS): one place for them. */
export function tlsServerOptions(tls: ServerTls): TlsOptions {
  return {
    key: tls.key,
    cert: tls.cert,
    ca: tls.ca as string | Buffer | Array<string | Buffer>,
    requestCert: true,
    rejectUnauthorized: tls.clientCert === 'required',
    handshakeTimeout: tls.handshakeTimeoutMs ?? 10_000,
    minVersion: 'TLSv1.2',
  };
}

export function createListener(tls: ServerTls | undefined, onSocket: (s: Socket) => void): Server {
  return tls ? tlsCreateServer(tlsServerOptions(tls), onSocket) : netCreateServer(onSocket);
}

/** True when a TLS socket presented a certificate that did not verify (optional client-cert mode). */
export function presentedUnverifiedCertificate(socket: TLSSocket): boolean {
  if (socket.authorized) return false;
  const cert = socket.getPeerCertificate();
  return cert !== null && typeof cert === 'object' && Object.keys(cert).length > 0;
}

/** Connects; resolves once connected (and, for TLS, once the handshake verified the server). */
export function openSocket(host: string, port: number, tls: ClientTls | undefined, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket: Socket = tls
      ? tlsConnect({
          host,
          port,
          ...(tls.key && tls.cert ? { key: tls.key, cert: tls.cert } : {}),
          ...(tls.ca ? { ca: tls.ca } : {}),
          servername: /^[\d.]+$/.test(host) || host.includes(':') ? undefined : host,
          rejectUnauthorized: tls.insecure !== true,
          minVersion: 'TLSv1.2',
          checkServerIdentity: tls.insecure ? () => undefined : (h, cert) => tls.verifyServer?.(cert, h),
        })
      : netConnect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect to ${host}:${port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    });
  });
}
