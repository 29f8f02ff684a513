#!/usr/bin/env node
/**
 * A standalone Raft node with the KV state machine, real TCP transport and real LevelDB: the process the
 * real-process test kills with SIGKILL and the benchmark drives. Not an operator tool: it lives in
 * test/support so that it is built to dist/test/support, outside the `files` of package.json, and never
 * ships in the package or a bundle (test/provisioner/bundle/bundle.test.ts proves it).
 *
 *   node dist/test/support/raft-kv-node.js --id n1 --group G --raft 127.0.3.1:7001 --http 127.0.3.1:8001
 *        --data DIR [--init] [--election-ms 1000] [--heartbeat-ms 100] [--snapshot-threshold 1000]
 *        [--tls-key F --tls-cert F --tls-ca F]   (mutual TLS on the Raft port, as a secure SCM runs it)
 *
 * --init bootstraps a one-member group if the store is empty (idempotent); without it a node with an empty
 * store waits to be added. Prints `READY <raft-address> <http-address>` on stdout once serving.
 *
 * HTTP API (JSON; the put/range shapes follow etcd's v3 JSON gateway so one load generator drives both):
 *   POST /v3/kv/put    {"key": b64, "value": b64}  → {"header": {"revision": index}}      (leader only)
 *   POST /v3/kv/range  {"key": b64}                → {"kvs": [{"key", "value"}]}          (linearizable)
 *   GET  /local/keys                               → {"applied": n, "kvs": {key: value}} (this replica)
 *   GET  /status                                   → RaftStatus
 *   GET  /metrics                                  → RaftMetrics (work counters)
 *   POST /members/add {"id","address"} | /members/remove {"id"} | /transfer {"to"}
 * Errors: HTTP 503 {"error": code, "message", "leader": {id, address} | null} for NOT_LEADER and other
 * Raft errors, 400 for malformed requests. SIGTERM/SIGINT close cleanly.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isCodedError } from '../../src/common/coded-error.js';
import { createLogger } from '../../src/common/logger.js';
import { bootstrapNewGroup } from '../../src/scm/driver/group-bootstrap.js';
import { KvStore, encodeKvCommand } from '../../src/scm/driver/kv-store.js';
import { startRaftNode } from '../../src/scm/driver/raft-node.js';
import { nodeId } from '../../src/scm/raft/types.js';
import { openRaftLogStore } from '../../src/scm/storage/raft-log-store.js';
import { listenRaftTransport } from '../../src/scm/transport/raft-transport.js';
import { splitAddress } from '../../src/scm/transport/peer-link.js';

const { values } = parseArgs({
  options: {
    id: { type: 'string' },
    group: { type: 'string', default: 'raft-kv' },
    raft: { type: 'string' },
    http: { type: 'string' },
    data: { type: 'string' },
    init: { type: 'boolean', default: false },
    'election-ms': { type: 'string', default: '1000' },
    'heartbeat-ms': { type: 'string', default: '100' },
    'snapshot-threshold': { type: 'string', default: '1000' },
    'max-inflight': { type: 'string' },
    'tick-ms': { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
    'tls-key': { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-ca': { type: 'string' },
  },
});

function need(name: string, v: string | undefined): string {
  if (!v) {
    process.stderr.write(`raft-kv-node: --${name} is required\n`);
    process.exit(2);
  }
  return v;
}

const id = nodeId(need('id', values.id));
const group = values.group!;
const raftAddress = need('raft', values.raft);
const httpAddress = need('http', values.http);
const dataDir = need('data', values.data);
const logger = createLogger({ sink: process.stderr, level: values['log-level'] as 'info', json: true, fields: { node: id } });

mkdirSync(dataDir, { recursive: true });
const store = await openRaftLogStore(join(dataDir, 'raft'), { groupId: group, nodeId: id });
if (values.init && (await store.isEmpty())) await bootstrapNewGroup(store, { id, address: raftAddress });
const raftListen = splitAddress(raftAddress);
const tls = values['tls-key'] && values['tls-cert'] && values['tls-ca'] ? { key: readFileSync(values['tls-key']), cert: readFileSync(values['tls-cert']), ca: readFileSync(values['tls-ca']), requireClientCert: true } : undefined;
const transport = await listenRaftTransport({ groupId: group, self: id, listen: raftListen, advertise: raftAddress, logger, ...(tls ? { tls } : {}) });
const sm = new KvStore();
const node = await startRaftNode({
  id,
  groupId: group,
  store,
  applier: sm,
  transport,
  logger,
  electionTimeoutMs: Number(values['election-ms']),
  heartbeatIntervalMs: Number(values['heartbeat-ms']),
  snapshotThreshold: Number(values['snapshot-threshold']),
  maxInflightMsgs: values['max-inflight'] === undefined ? undefined : Number(values['max-inflight']),
  tickMs: values['tick-ms'] === undefined ? undefined : Number(values['tick-ms']),
});

const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
const toB64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function fail(res: ServerResponse, err: unknown): void {
  if (isCodedError(err)) {
    reply(res, err.code === 'INVALID_ARGUMENT' ? 400 : 503, { error: err.code, message: err.message, leader: (err as { leader?: unknown }).leader ?? null });
  } else reply(res, 500, { error: 'INTERNAL', message: (err as Error)?.message ?? String(err) });
}

/** The request's JSON body, read with stream events: an async iterator costs a promise chain per request. */
function body(req: IncomingMessage): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('error', reject);
    req.once('end', () => {
      try {
        const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
        resolve(text ? (JSON.parse(text) as Record<string, string>) : {});
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}

const server = createServer((req, res) => {
  void (async () => {
    try {
      const url = req.url ?? '/';
      if (req.method === 'POST' && url === '/v3/kv/put') {
        const b = await body(req);
        const r = await node.propose(encodeKvCommand({ op: 'put', key: Buffer.from(b64(b.key ?? '')).toString('utf8'), value: b64(b.value ?? '') }));
        reply(res, 200, { header: { revision: String(r.index) } });
      } else if (req.method === 'POST' && url === '/v3/kv/range') {
        const b = await body(req);
        await node.readBarrier();
        const key = Buffer.from(b64(b.key ?? '')).toString('utf8');
        const v = sm.get(key);
        reply(res, 200, { kvs: v ? [{ key: b.key, value: toB64(v) }] : [] });
      } else if (req.method === 'GET' && url === '/local/keys') {
        const kvs: Record<string, string> = {};
        for (const k of sm.keys()) kvs[k] = Buffer.from(sm.get(k)!).toString('utf8');
        reply(res, 200, { applied: node.status().appliedIndex, kvs });
      } else if (req.method === 'GET' && url === '/status') {
        reply(res, 200, node.status());
      } else if (req.method === 'GET' && url === '/metrics') {
        reply(res, 200, node.metrics());
      } else if (req.method === 'POST' && url === '/members/add') {
        const b = await body(req);
        await node.addMember(nodeId(b.id ?? ''), b.address ?? '', { signal: AbortSignal.timeout(60_000) });
        reply(res, 200, { ok: true });
      } else if (req.method === 'POST' && url === '/members/remove') {
        const b = await body(req);
        await node.removeMember(nodeId(b.id ?? ''), { signal: AbortSignal.timeout(60_000) });
        reply(res, 200, { ok: true });
      } else if (req.method === 'POST' && url === '/transfer') {
        const b = await body(req);
        await node.transferLeadership(nodeId(b.to ?? ''), { signal: AbortSignal.timeout(60_000) });
        reply(res, 200, { ok: true });
      } else reply(res, 404, { error: 'NOT_FOUND', message: `${req.method} ${url}` });
    } catch (err) {
      if (err instanceof SyntaxError) reply(res, 400, { error: 'BAD_REQUEST', message: err.message });
      else fail(res, err);
    }
  })();
});
server.keepAliveTimeout = 60_000;
const httpListen = splitAddress(httpAddress);
await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(httpListen.port, httpListen.host, () => resolve());
});
node.on((e) => {
  if (e.type === 'fatal') {
    logger.error('fatal raft error; exiting', { error: e.error.message });
    process.exit(70);
  }
});
process.stdout.write(`READY ${transport.address} ${httpAddress}\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeAllConnections();
  await node.close();
  await transport.close();
  await store.close();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
