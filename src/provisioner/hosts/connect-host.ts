/**
 * One entry point for both transports: a host's connection spec (built by the plan from the topology) →
 * RemoteHost.
 */
import { connectLocal, type LocalHostOptions } from './local-host.js';
import type { RemoteHost } from './remote-host.js';
import { connectSsh } from './ssh-host.js';
import type { SshHostOptions } from './ssh-options.js';

export type HostConnectionSpec =
  | ({ readonly transport: 'ssh' } & SshHostOptions)
  | ({ readonly transport: 'local' } & LocalHostOptions);

export function connectHost(spec: HostConnectionSpec, ctx: { signal?: AbortSignal } = {}): Promise<RemoteHost> {
  switch (spec.transport) {
    case 'ssh':
      return connectSsh(spec, ctx);
    case 'local':
      return connectLocal(spec);
    default: {
      const unreachable: never = spec;
      throw new TypeError(`unknown transport ${JSON.stringify((unreachable as { transport?: unknown }).transport)}`);
    }
  }
}
