/**
 * Reads what `ozone debug ldb … scan` prints with keys (Ozone's DBScanner): `{ ` + entries `<key>: <value>`
 * joined by `\n, ` + ` }`, where key and value are each one Jackson-written JSON value. A key may be an object
 * (a ContainerID prints as `{"id":1}`), so the whole text is not one JSON document: this walks it value by
 * value. Returns null when the text is not of that shape.
 */
export function parseScanEntries(text: string): [unknown, unknown][] | null {
  const t = text.trim();
  if (t === '') return [];
  if (!t.startsWith('{') || !t.endsWith('}')) return null;
  const body = t.slice(1, -1);
  const entries: [unknown, unknown][] = [];
  let i = skipSpace(body, 0);
  while (i < body.length) {
    const key = readValue(body, i);
    if (!key) return null;
    i = skipSpace(body, key.end);
    if (body[i] !== ':') return null;
    const value = readValue(body, skipSpace(body, i + 1));
    if (!value) return null;
    entries.push([key.value, value.value]);
    i = skipSpace(body, value.end);
    if (i >= body.length) break;
    if (body[i] !== ',') return null;
    i = skipSpace(body, i + 1);
  }
  return entries;
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && /\s/.test(s[i]!)) i++;
  return i;
}

/** one JSON value starting at `start`: its parsed form and the index after it */
function readValue(s: string, start: number): { value: unknown; end: number } | null {
  let i = start;
  const c = s[i];
  if (c === undefined) return null;
  if (c === '{' || c === '[') {
    let depth = 0;
    let inString = false;
    for (; i < s.length; i++) {
      const ch = s[i]!;
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        depth--;
        if (depth === 0) break;
      }
    }
    if (depth !== 0) return null;
    i++;
  } else if (c === '"') {
    for (i++; i < s.length && s[i] !== '"'; i++) if (s[i] === '\\') i++;
    if (i >= s.length) return null;
    i++;
  } else {
    while (i < s.length && /[-+0-9.eEa-z]/.test(s[i]!)) i++;
  }
  try {
    return { value: JSON.parse(s.slice(start, i)) as unknown, end: i };
  } catch {
    return null;
  }
}

/** a container id from a scanned key: Ozone's ContainerID object (`{"id":1}`), or a bare number or string */
export function containerIdOf(key: unknown): string | null {
  if (typeof key === 'number' && Number.isSafeInteger(key)) return String(key);
  if (typeof key === 'string' && /^\d+$/.test(key)) return key;
  if (typeof key === 'object' && key !== null && !Array.isArray(key)) return containerIdOf((key as { id?: unknown }).id);
  return null;
}
