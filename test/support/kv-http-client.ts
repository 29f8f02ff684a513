/**
 * A minimal HTTP client for the etcd v3 JSON gateway shape (`POST /v3/kv/put` with base64 key/value),
 * spoken both by raft-kv-node and by etcd, so the benchmark and the real-process test drive both with
 * the same code. Keep-alive connections; per-request timeout.
 */
import { Agent, request } from 'node:http';

export type PutOutcome =
  | { readonly ok: true; readonly revision: number }
  | { readonly ok: false; readonly error: string; readonly leaderRaftAddress: string | null };

export class KvHttpClient {
  readonly agent: Agent;

  constructor(maxSockets = 128) {
    this.agent = new Agent({ keepAlive: true, maxSockets, keepAliveMsecs: 10_000 });
  }

  post(base: string, path: string, body: unknown, timeoutMs: number): Promise<{ status: number; json: Record<string, unknown> }> {
    const text = JSON.stringify(body);
    const url = new URL(path, base);
    return new Promise((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent: this.agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }, timeout: timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const raw = Buffer.concat(chunks).toString('utf8');
            let json: Record<string, unknown> = {};
            try {
              json = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
            } catch {
              json = { error: 'BAD_JSON', message: raw };
            }
            resolve({ status: res.statusCode ?? 0, json });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(text);
    });
  }

  async get(base: string, path: string, timeoutMs = 5000): Promise<Record<string, unknown>> {
    const url = new URL(path, base);
    return new Promise((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'GET', agent: this.agent, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
          } catch (err) {
            reject(err);
          }
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }

  async put(base: string, key: string, value: string, timeoutMs: number): Promise<PutOutcome> {
    try {
      const { status, json } = await this.post(base, '/v3/kv/put', { key: Buffer.from(key).toString('base64'), value: Buffer.from(value).toString('base64') }, timeoutMs);
      if (status === 200) {
        const header = json.header as { revision?: string } | undefined;
        return { ok: true, revision: Number(header?.revision ?? 0) };
      }
      const leader = json.leader as { address?: string } | null | undefined;
      return { ok: false, error: String(json.error ?? status), leaderRaftAddress: leader?.address || null };
    } catch (err) {
      return { ok: false, error: (err as Error).message, leaderRaftAddress: null };
    }
  }

  close(): void {
    this.agent.destroy();
  }
}
