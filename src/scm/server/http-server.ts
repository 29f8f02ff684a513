/** HTTP on `ozone.scm.http-address` (9876): `/prom` (Prometheus text) and `/status` (JSON). GET only. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listenExclusive } from '../transport/listen-exclusive.js';

export interface HttpRoutes {
  prom(): Promise<{ contentType: string; body: string }>;
  status(): unknown;
}

export class ScmHttpServer {
  private server: Server | undefined;

  constructor(private readonly routes: HttpRoutes) {}

  async listen(host: string, port: number): Promise<AddressInfo> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET') {
        res.writeHead(405, { allow: 'GET' }).end();
        return;
      }
      if (path === '/prom') {
        this.routes
          .prom()
          .then(({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body))
          .catch((err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err)));
        return;
      }
      if (path === '/status') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.routes.status(), null, 2) + '\n');
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /prom or /status\n');
    });
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
