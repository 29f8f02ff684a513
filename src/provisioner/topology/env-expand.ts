/**
 * `${NAME}` references in string values of a YAML topology, expanded at load time from the given
 * environment (the CLI passes the process environment; tests pass a map). Forms:
 *   ${NAME}            the variable's value; unset → TOPOLOGY_ENV_UNSET at the string
 *   ${NAME:-fallback}  the value, or `fallback` when unset or empty
 *   $${                a literal `${`
 * Keys are never expanded. Imported ozone-site.xml values are not expanded either: Hadoop gives `${…}` its
 * own meaning there (other properties), and it is passed through as written.
 */
import { childPointer, dottedPath } from './json-pointer.js';
import type { Reporter } from './reporter.js';

const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const NAME = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

export type Environment = Readonly<Record<string, string | undefined>>;

function expandString(value: string, env: Environment, pointer: string, reporter: Reporter): string {
  if (!value.includes('${')) return value;
  return value.replace(REFERENCE, (match: string, inner: string | undefined) => {
    if (match === '$${') return '${';
    if (inner === undefined) {
      reporter.error(pointer, 'TOPOLOGY_ENV_SYNTAX', `${dottedPath(pointer)} has "\${" without a closing "}"`, {
        hint: 'write ${NAME}, or $${ for a literal "${"',
      });
      return match;
    }
    const m = NAME.exec(inner);
    if (!m) {
      reporter.error(pointer, 'TOPOLOGY_ENV_SYNTAX', `${dottedPath(pointer)} has an invalid reference "${match}"`, {
        hint: 'names are letters, digits and "_" (not starting with a digit): ${NAME} or ${NAME:-default}',
      });
      return match;
    }
    const name = m[1]!;
    const fallback = m[2];
    const set = env[name];
    if (set !== undefined && (fallback === undefined || set !== '')) return set;
    if (fallback !== undefined) return fallback;
    reporter.error(pointer, 'TOPOLOGY_ENV_UNSET', `environment variable ${name} is not set (referenced by ${dottedPath(pointer)})`, {
      hint: `export ${name}=… before running scmctl, or write \${${name}:-default}`,
    });
    return match;
  });
}

/**
 * `data` with references in string values expanded (problems go to the reporter). Containers without any
 * reference are returned as they are, so a file without `${` costs one walk and no copies.
 */
export function expandEnvironment(data: unknown, env: Environment, reporter: Reporter, path = ''): unknown {
  if (typeof data === 'string') return expandString(data, env, path, reporter);
  if (Array.isArray(data)) {
    let out: unknown[] | undefined;
    data.forEach((v, i) => {
      const x = expandEnvironment(v, env, reporter, childPointer(path, i));
      if (x !== v) (out ??= [...data])[i] = x;
    });
    return out ?? data;
  }
  if (data !== null && typeof data === 'object') {
    let out: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(data)) {
      const x = expandEnvironment(v, env, reporter, childPointer(path, k));
      if (x === v) continue;
      out ??= copyOwn(data as Record<string, unknown>);
      Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
    }
    return out ?? data;
  }
  return data;
}

/** A shallow copy keeping keys such as `__proto__` as own properties. */
function copyOwn(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}
