/**
 * `java.util.Properties` text format, as `Properties.store(OutputStream, null)` writes it and `load` reads it:
 *  - first line `#` + `Date.toString()` (`EEE MMM dd HH:mm:ss zzz yyyy`; we always render UTC);
 *  - `key=value` lines in the iteration order of the JDK 9–17 Properties map (a ConcurrentHashMap of
 *    initial capacity 8 → 16 bins: ascending bin of the spread String.hashCode, insertion order within a
 *    bin), which is the "hash order" seen in real VERSION files;
 *  - `saveConvert` escaping (`\`, `=`, `:`, `#`, `!`, leading space in values, all spaces in keys, control
 *    characters, non-ASCII as `\uXXXX`).
 */

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** `Date.toString()` of Java for a UTC zone: `Tue Mar 16 10:19:33 UTC 2021`. */
export function javaDateString(d: Date): string {
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/** Java `String.hashCode` (UTF-16 code units, 32-bit wrap). */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Iteration order of a JDK 9–17 `Properties` holding these keys (inserted in the given order, no resize). */
export function javaPropertiesOrder(keys: readonly string[]): string[] {
  const bins = keys.length <= 12 ? 16 : 1 << Math.ceil(Math.log2(Math.ceil(keys.length / 0.75) + 1));
  const bin = (k: string): number => {
    const h = javaStringHash(k);
    return ((h ^ (h >>> 16)) & 0x7fffffff) & (bins - 1);
  };
  return keys.map((k, i) => ({ k, i, b: bin(k) })).sort((x, y) => x.b - y.b || x.i - y.i).map((x) => x.k);
}

function saveConvert(s: string, isKey: boolean): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const code = s.charCodeAt(i);
    if (c === ' ') out += i === 0 || isKey ? '\\ ' : ' ';
    else if (c === '\t') out += '\\t';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\f') out += '\\f';
    else if ('=:#!\\'.includes(c)) out += '\\' + c;
    else if (code < 0x20 || code > 0x7e) out += '\\u' + code.toString(16).toUpperCase().padStart(4, '0');
    else out += c;
  }
  return out;
}

/** Renders entries (in insertion order) the way `Properties.store(out, null)` does, with `\n` line ends. */
export function storeProperties(entries: ReadonlyArray<readonly [string, string]>, date: Date): string {
  const map = new Map(entries);
  const lines = [`#${javaDateString(date)}`];
  for (const k of javaPropertiesOrder([...map.keys()])) lines.push(`${saveConvert(k, true)}=${saveConvert(map.get(k)!, false)}`);
  return lines.join('\n') + '\n';
}

/** `Properties.load` for the subset of the format real files use: comments, `=`/`:`/space separators, escapes, continuations. */
export function loadProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const raw = text.split(/\r\n|\r|\n/);
  const logical: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    let line = raw[i]!.replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < raw.length) line = line.slice(0, -1) + raw[++i]!.replace(/^[ \t\f]+/, '');
    logical.push(line);
  }
  const unescape = (s: string): string =>
    s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
      if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
      return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[e] ?? e;
    });
  for (const line of logical) {
    let i = 0;
    while (i < line.length && !'=: \t\f'.includes(line[i]!)) i += line[i] === '\\' ? 2 : 1;
    const key = line.slice(0, i);
    let j = i;
    while (j < line.length && ' \t\f'.includes(line[j]!)) j++;
    if (j < line.length && '=:'.includes(line[j]!)) j++;
    while (j < line.length && ' \t\f'.includes(line[j]!)) j++;
    out.set(unescape(key), unescape(line.slice(j)));
  }
  return out;
}
