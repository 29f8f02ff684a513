/**
 * The SCM's web endpoint: `/prom` (Prometheus text) and `/status` (JSON), GET only. Without security it is
 * plain HTTP on `ozone.scm.http-address` (9876). In secure mode it is HTTPS on `ozone.scm.https-address`
 * (9877, Ozone's HTTPS_ONLY policy) with a client certificate required: `/status` shows the cluster id and
 * the ring, so only identities of this cluster may read it (`/prom`: any identity of this cluster,
 * `/status`: admin and SCM identities); plain HTTP is not served at all.
 * Bounded like the RPC ports: connection cap, header/request timeouts, idle keep-alive timeout.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { PeerIdentity } from '../security/peer-identity.js';
import type { ConnectionLimits } from '../transport/connection-limits.js';
import { listenExclusive } from '../transport/listen-exclusive.js';
import { tlsServerOptions, type ServerTls } from '../transport/tls-options.js';

export interface HttpRoutes {
  prom(): Promise<{ contentType: string; body: string }>;
  status(): unknown;
}

export interface HttpSecurity {
  readonly tls: ServerTls;
  /** the identity a caller's certificate proves (undefined: none — unrecorded or revoked) */
  readonly identify: (socket: TLSSocket) => PeerIdentity | undefined;
}

export class ScmHttpServer {
  private server: Server | undefined;

  constructor(
    private readonly routes: HttpRoutes,
    private readonly options: { security?: HttpSecurity; limits: ConnectionLimits },
  ) {}

  private identity(req: IncomingMessage): PeerIdentity | undefined {
    const security = this.options.security;
    if (!security) return { kind: 'anonymous' };
    const socket = req.socket as TLSSocket;
    if (!socket.authorized) return undefined;
    const id = security.identify(socket);
    return id && id.kind !== 'anonymous' ? id : undefined;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    const who = this.identity(req);
    if (!who) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden: a certificate of this cluster is required\n');
      return;
    }
    if (path === '/prom') {
      this.routes
        .prom()
        .then(({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body))
        .catch(() => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics could not be collected\n'));
      return;
    }
    if (path === '/status') {
      if (this.options.security && who.kind !== 'admin' && who.kind !== 'scm') {
        res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden: /status is for admin and SCM identities\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.routes.status(), null, 2) + '\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /prom or /status\n');
  }

  async listen(host: string, port: number): Promise<AddressInfo> {
    const tls = this.options.security?.tls;
    const limits = this.options.limits;
    const server = tls
      ? createHttpsServer(tlsServerOptions({ ...tls, clientCert: 'required', handshakeTimeoutMs: limits.handshakeTimeoutMs }), (req, res) => this.handle(req, res))
      : createHttpServer((req, res) => this.handle(req, res));
    server.maxConnections = limits.maxConnections;
    server.headersTimeout = Math.min(limits.idleTimeoutMs, 10_000);
    server.requestTimeout = Math.min(limits.idleTimeoutMs, 30_000);
    server.keepAliveTimeout = Math.min(limits.idleTimeoutMs, 5_000);
    server.maxHeadersCount = 50;
    server.timeout = limits.idleTimeoutMs;
    this.server = server;
    return listenExclusive(server, host, port);
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
