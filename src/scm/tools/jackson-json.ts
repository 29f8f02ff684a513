/**
 * JSON rendered like Jackson's `writerWithDefaultPrettyPrinter()` (what `ozone debug ldb scan` prints):
 * objects one field per line as `"name" : value` with two-space indents, arrays inline `[ a, b ]`, empty
 * `{ }` / `[ ]`, null fields omitted (NON_NULL). `compact` is plain minimal JSON (nulls still omitted).
 */
export function jacksonJson(value: unknown, compact: boolean, level = 0): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    const items = value.map((v) => jacksonJson(v, compact, level));
    if (compact) return `[${items.join(',')}]`;
    return items.length === 0 ? '[ ]' : `[ ${items.join(', ')} ]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined);
  if (compact) return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${jacksonJson(v, true)}`).join(',')}}`;
  if (entries.length === 0) return '{ }';
  const pad = '  '.repeat(level + 1);
  const body = entries.map(([k, v]) => `${pad}${JSON.stringify(k)} : ${jacksonJson(v, false, level + 1)}`).join(',\n');
  return `{\n${body}\n${'  '.repeat(level)}}`;
}
