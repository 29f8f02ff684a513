/**
 * TLS for every SCM port (docs/design.md §4.4): with `TlsMaterial` set, listeners are TLS servers that
 * require and verify client certificates (mutual TLS, as Ozone's gRPC with `ClientAuth.REQUIRE`), and
 * clients present their certificate and verify the server against the same CA. Without it, plain TCP.
 */
import { connect as netConnect, createServer as netCreateServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as tlsCreateServer } from 'node:tls';

export interface TlsMaterial {
  /** PEM private key of this SCM/client */
  readonly key: string;
  /** PEM certificate chain of this SCM/client */
  readonly cert: string;
  /** PEM CA certificates trusted for the peer */
  readonly ca: string;
}

export function createListener(tls: TlsMaterial | undefined, onSocket: (s: Socket) => void): Server {
  if (!tls) return netCreateServer(onSocket);
  return tlsCreateServer({ key: tls.key, cert: tls.cert, ca: tls.ca, requestCert: true, rejectUnauthorized: true }, onSocket);
}

/** Connects; resolves once connected (and, for TLS, once the handshake verified the server). */
export function openSocket(host: string, port: number, tls: TlsMaterial | undefined, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket: Socket = tls
      ? tlsConnect({ host, port, key: tls.key, cert: tls.cert, ca: tls.ca, servername: host.match(/^[\d.]+$/) ? undefined : host, checkServerIdentity: () => undefined })
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
