/**
 * How the XML import reads Hadoop property values: comma lists, `host[:port]` (IPv6 in brackets), ports and
 * booleans. A value that is not what the schema wants is kept as text, so the schema reports it at its
 * `<property>` in the same words as for YAML.
 */

export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** `host`, `host:port`, `[v6]:port` → parts (port undefined when absent). */
export function splitHostPort(value: string): { host: string; port: string | undefined } {
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(value);
  if (v6) return { host: v6[1]!, port: v6[2] };
  const i = value.lastIndexOf(':');
  if (i > 0 && value.indexOf(':') === i) return { host: value.slice(0, i), port: value.slice(i + 1) };
  return { host: value, port: undefined };
}

/** A port as the schema wants it: an integer when it is one, else the text (so the schema reports it). */
export function portValue(raw: string): number | string {
  return /^\d{1,5}$/.test(raw) ? Number(raw) : raw;
}

/** The port of a port key's value: the value itself (`…port`) or the port part of an address (`…-address`). */
export function portOfKey(form: 'port' | 'address', raw: string): number | string {
  return form === 'port' ? portValue(raw) : portValue(splitHostPort(raw).port ?? raw);
}

export function boolValue(raw: string): boolean | string {
  const v = raw.toLowerCase();
  return v === 'true' ? true : v === 'false' ? false : raw;
}
