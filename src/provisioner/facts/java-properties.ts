/**
 * java.util.Properties text format, pure (the SCM VERSION file is written with Properties.store):
 * `#`/`!` comments, `key=value`, `key:value` or `key value`, backslash line continuation, escapes
 * `\t \n \r \f \uXXXX` and `\x` → x. Later keys win, as in Java.
 */
function unescape(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const n = s[++i]!;
    if (n === 't') out += '\t';
    else if (n === 'n') out += '\n';
    else if (n === 'r') out += '\r';
    else if (n === 'f') out += '\f';
    else if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5))) {
      out += String.fromCharCode(Number.parseInt(s.slice(i + 1, i + 5), 16));
      i += 4;
    } else out += n;
  }
  return out;
}

function logicalLines(text: string): string[] {
  const physical = text.split(/\r\n|\r|\n/);
  const out: string[] = [];
  let acc: string | null = null;
  for (const raw of physical) {
    const line: string = raw.replace(/^[ \t\f]+/, '');
    if (acc === null && (line === '' || line.startsWith('#') || line.startsWith('!'))) continue;
    const trailing: number = /\\+$/.exec(line)?.[0].length ?? 0;
    const continued: boolean = trailing % 2 === 1;
    const body: string = continued ? line.slice(0, -1) : line;
    acc = (acc ?? '') + body;
    if (!continued) {
      out.push(acc);
      acc = null;
    }
  }
  if (acc !== null) out.push(acc);
  return out;
}

export function parseJavaProperties(text: string): Record<string, string> {
  const props: Record<string, string> = {};
  for (const line of logicalLines(text)) {
    let i = 0;
    let key = '';
    while (i < line.length) {
      const c = line[i]!;
      if (c === '\\' && i + 1 < line.length) {
        key += c + line[i + 1];
        i += 2;
        continue;
      }
      if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
      key += c;
      i++;
    }
    while (i < line.length && ' \t\f'.includes(line[i]!)) i++;
    if (i < line.length && (line[i] === '=' || line[i] === ':')) i++;
    while (i < line.length && ' \t\f'.includes(line[i]!)) i++;
    props[unescape(key)] = unescape(line.slice(i));
  }
  return props;
}
