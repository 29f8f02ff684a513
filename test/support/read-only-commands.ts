/**
 * The allowlist that proves a phase only reads: `readOnlyViolation(command)` returns why a shell command
 * might change a host (or cannot be shown not to), or null. Use it as FakeHost's `commandPolicy` for facts
 * and `scmctl plan`.
 *
 * It parses the subset of POSIX sh that the `sh` tag produces: words, '…' and "…" quoting, `\` escapes,
 * `;` `&&` `||` `|` and newlines, `#` comments, and redirections. Anything it cannot prove harmless is a
 * violation: `$` expansions and backquotes, `&`, subshells, here-documents, output redirection to anything
 * but /dev/null or another descriptor, and every program not listed below with its allowed arguments.
 * Wrappers are checked recursively: `sh -c SCRIPT`, `env NAME=VALUE… CMD`, `exec CMD`, `timeout N CMD`.
 */
const ALWAYS = new Set([
  'cat', 'uname', 'readlink', 'stat', 'sha256sum', 'df', 'id', 'ls', 'head', 'wc', 'true', 'false', ':',
  'nproc', 'getent', 'echo', 'printf', 'test', '[', 'pwd', 'whoami', 'getconf', 'exit', 'set',
]);

const FIND_READ = new Set(['--', '-H', '-L', '-P', '-maxdepth', '-mindepth', '-empty', '-print', '-type', '-name']);

const SYSTEMCTL_READ = new Set(['is-active', 'is-enabled', 'is-failed', 'is-system-running', 'show', 'status', 'cat']);

type Token = { readonly kind: 'word'; readonly value: string } | { readonly kind: 'op' } | { readonly kind: 'redirect'; readonly op: string; readonly target: string };

function tokenize(src: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  let word: string | null = null;
  const endWord = (): void => {
    if (word !== null) tokens.push({ kind: 'word', value: word });
    word = null;
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t') {
      endWord();
      i++;
    } else if (c === '\n' || c === ';') {
      endWord();
      tokens.push({ kind: 'op' });
      i++;
    } else if (c === '#' && word === null) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === "'") {
      const end = src.indexOf("'", i + 1);
      if (end < 0) return 'unterminated single quote';
      word = (word ?? '') + src.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let v = '';
      while (j < src.length && src[j] !== '"') {
        const d = src[j]!;
        if (d === '$' || d === '`') return 'expansion inside double quotes';
        if (d === '\\' && j + 1 < src.length && '"\\$`\n'.includes(src[j + 1]!)) {
          v += src[j + 1];
          j += 2;
          continue;
        }
        v += d;
        j++;
      }
      if (j >= src.length) return 'unterminated double quote';
      word = (word ?? '') + v;
      i = j + 1;
    } else if (c === '\\') {
      if (i + 1 >= src.length) return 'trailing backslash';
      if (src[i + 1] !== '\n') word = (word ?? '') + src[i + 1];
      i += 2;
    } else if (c === '$' || c === '`') {
      return 'parameter, command or arithmetic expansion';
    } else if (c === '(' || c === ')') {
      return 'subshell or function';
    } else if (c === '&') {
      if (src[i + 1] === '&') {
        endWord();
        tokens.push({ kind: 'op' });
        i += 2;
      } else return 'background job';
    } else if (c === '|') {
      endWord();
      tokens.push({ kind: 'op' });
      i += src[i + 1] === '|' ? 2 : 1;
    } else if (c === '>' || c === '<') {
      let fd = '';
      if (word !== null && /^[0-9]$/.test(word)) {
        fd = word;
        word = null;
      }
      endWord();
      let op = c;
      i++;
      if (src[i] === c || src[i] === '&' || (c === '>' && src[i] === '|')) op += src[i++]!;
      if (op === '<<') return 'here-document';
      while (src[i] === ' ' || src[i] === '\t') i++;
      let target = '';
      while (i < src.length && !' \t\n;&|<>()'.includes(src[i]!)) {
        if (src[i] === "'" || src[i] === '"' || src[i] === '$' || src[i] === '`' || src[i] === '\\') return 'quoted or expanded redirection target';
        target += src[i++];
      }
      if (target === '') return 'redirection without a target';
      tokens.push({ kind: 'redirect', op: fd + op, target });
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  endWord();
  return tokens;
}

function checkRedirect(op: string, target: string): string | null {
  if (/^[0-9]?<$/.test(op)) return null; // reading a file
  if (/^[0-9]?>&$/.test(op) && /^[0-9]$/.test(target)) return null; // dup to another descriptor
  if (/^[0-9]?>>?$/.test(op) && target === '/dev/null') return null;
  return `redirection ${op}${target} may write a file`;
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function checkOzone(args: readonly string[]): string | null {
  const a = [...args];
  if (a[0] === 'version' && a.length === 1) return null;
  if (a.length === 3 && a[0] === '--daemon' && a[1] === 'status' && a[2] === 'scm') return null;
  if (a[0] === 'admin' && a[1] === 'scm' && a[2] === 'roles' && a.slice(3).every((x) => x.startsWith('--'))) return null;
  if (a[0] === 'debug' && a[1] === 'ldb') {
    const rest = a.slice(2).filter((x) => !x.startsWith('--'));
    if (rest.length === 1 && ['ls', 'list_column_families', 'scan', 'value-schema'].includes(rest[0]!) && !a.some((x) => x.startsWith('--out') || x === '-o')) return null;
  }
  return `ozone ${a.join(' ')} is not a read-only ozone command`;
}

function checkSimple(words: readonly string[], depth: number): string | null {
  let k = 0;
  while (k < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[k]!)) k++;
  if (k === words.length) return k === 0 ? null : 'variable assignment without a command';
  const prog = basename(words[k]!);
  const args = words.slice(k + 1);
  if (ALWAYS.has(prog)) return null;
  switch (prog) {
    case 'date':
      return args.every((x) => x.startsWith('+') || x === '-u' || x === '--utc') ? null : `date ${args.join(' ')} may set the clock`;
    case 'hostname':
      return args.every((x) => /^-[fsidIA]$|^--(fqdn|short|ip-address|all-ip-addresses|domain)$/.test(x)) ? null : 'hostname with an argument sets the name';
    case 'command':
      return args[0] === '-v' ? null : 'command without -v runs a program';
    case 'systemctl': {
      const verb = args.find((x) => !x.startsWith('-'));
      return verb !== undefined && SYSTEMCTL_READ.has(verb) ? null : `systemctl ${verb ?? ''} is not a read-only verb`;
    }
    case 'find': {
      // paths and the tests that only read: no -delete, -exec, -ok, -fprint…, -fls
      const bad = args.find((x) => x.startsWith('-') && !FIND_READ.has(x));
      return bad === undefined ? null : `find ${bad} is not a read-only find`;
    }
    case 'node':
      return args.length === 1 && (args[0] === '--version' || args[0] === '-v') ? null : 'node may only print its version';
    case 'java':
      return args.length === 1 && args[0] === '-version' ? null : 'java may only print its version';
    case 'ozone':
      return checkOzone(args);
    case 'env': {
      let j = 0;
      while (j < args.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(args[j]!)) j++;
      return j === args.length ? null : checkSimple(args.slice(j), depth);
    }
    case 'exec':
      return args.length === 0 ? 'bare exec changes descriptors' : checkSimple(args, depth);
    case 'timeout': {
      let j = 0;
      while (j < args.length && args[j]!.startsWith('-')) j++;
      return checkSimple(args.slice(j + 1), depth);
    }
    case 'sh':
    case 'dash':
    case 'bash':
      if (args[0] !== '-c' || args[1] === undefined) return `${prog} without -c SCRIPT`;
      return depth > 4 ? 'nested too deep' : violationAt(args[1], depth + 1);
    default:
      return `program ${prog} is not on the read-only allowlist`;
  }
}

function violationAt(command: string, depth: number): string | null {
  const tokens = tokenize(command);
  if (typeof tokens === 'string') return tokens;
  let words: string[] = [];
  const flush = (): string | null => {
    const w = words;
    words = [];
    return w.length === 0 ? null : checkSimple(w, depth);
  };
  for (const t of tokens) {
    if (t.kind === 'word') words.push(t.value);
    else if (t.kind === 'redirect') {
      const r = checkRedirect(t.op, t.target);
      if (r) return r;
    } else {
      const v = flush();
      if (v) return v;
    }
  }
  return flush();
}

/** Why `command` may change the host, or null when it is provably read-only. */
export function readOnlyViolation(command: string): string | null {
  return violationAt(command, 0);
}

/** FakeHost `commandPolicy` form. sudo does not change the verdict: reading as root is still reading. */
export function readOnlyPolicy(command: string, _sudo: boolean): string | null {
  return readOnlyViolation(command);
}
