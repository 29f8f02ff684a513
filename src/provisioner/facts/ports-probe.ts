/** Which of the given ports are free on the host's address (listening sockets from /proc/net/tcp{,6}). */
import { isIP } from 'node:net';
import { sh } from '../hosts/shell-quote.js';
import type { PortFacts } from './host-facts.js';
import { FactsError } from './facts-error.js';
import { conflictingListeners, parseProcNetTcp } from './proc-net-tcp.js';
import { run, type ProbeContext } from './probe-context.js';

export async function probePorts(ctx: ProbeContext): Promise<PortFacts[]> {
  const spec = ctx.spec.ports;
  if (!spec || spec.ports.length === 0) return [];
  const opts = ctx.signal ? { signal: ctx.signal } : {};
  const [tcp, tcp6, resolved] = await Promise.all([
    ctx.host.readFile('/proc/net/tcp', opts),
    ctx.host.readFile('/proc/net/tcp6', opts),
    isIP(spec.address) ? Promise.resolve(null) : run(ctx, sh`getent ahosts ${spec.address}`),
  ]);
  if (tcp === null) {
    throw new FactsError('FACTS_PROBE_FAILED', ctx.host.info.name, '/proc/net/tcp is missing: only Linux hosts are supported');
  }
  const addresses = resolved ? [...new Set(resolved.stdout.split('\n').map((l) => l.split(/\s+/)[0]!).filter((a) => isIP(a) !== 0))] : [spec.address];
  const listeners = [...parseProcNetTcp(tcp.toString('utf8'), 4), ...(tcp6 ? parseProcNetTcp(tcp6.toString('utf8'), 6) : [])];
  return spec.ports.map((port) => {
    const hits = conflictingListeners(listeners, addresses, port);
    return {
      port,
      address: spec.address,
      state: hits.length > 0 ? 'in-use' : 'free',
      listeners: hits.map((l) => (l.family === 6 ? `[${l.address}]:${l.port}` : `${l.address}:${l.port}`)),
    };
  });
}
