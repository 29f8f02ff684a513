/** `env NAME=VALUE… <bin> args…`: how facts runs the host's bin/ozone without sourcing any file. */
import { sh, type ShellCommand } from '../hosts/shell-quote.js';
import type { OzoneProbe } from './probe-spec.js';

export const OZONE_DEFAULT_TIMEOUT_MS = 15_000;

export function ozoneCommand(probe: OzoneProbe, args: readonly string[]): ShellCommand {
  const env = Object.entries(probe.env ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  return env.length === 0 ? sh`${probe.bin} ${args}` : sh`env ${env} ${probe.bin} ${args}`;
}
