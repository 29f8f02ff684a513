/**
 * The link checker behind test/docs/markdown-links.test.ts: every reference a Markdown file or a source comment
 * makes to another file must stay inside the repository and hit something that exists, so a fresh clone reads
 * whole (no `../shared/…`, no stale `docs/<name>.md §n`).
 *
 * What it checks, in every *.md under `root` (node_modules, dist and dot-directories skipped):
 *  - links `[t](target)`, images, reference definitions `[id]: target`, HTML `href`/`src`: a relative target must
 *    exist and stay inside `root` (GitHub semantics: relative to the file's folder, `/x` from the root);
 *    `#anchor` must be a heading of the target (GitHub's slug rules, duplicates numbered `-1`, `-2`) or an
 *    explicit `id`/`name`; code files accept GitHub's line anchors `#L10-L20`. URLs with a scheme are not
 *    followed, except `file:`, which always leaves the repository.
 *  - mentions in the prose (code spans included) of Markdown files: `docs/<name>.md`, `../<name>.md`, and
 *    lowercase kebab-case `<name>.md` must name a file next to the mentioning file or from the root, and
 *    `<name>.md §n` a heading numbered `n` in it. Names with capitals (Ozone's `SCM-HA.md`) or under a folder
 *    this repository does not have are other projects' files and are not checked.
 * In source comments (checkSourceMentions): the same mention rule, where a bare `<name>.md` may also mean
 * `docs/<name>.md`.
 *
 * Pure functions over a root directory, so a test can point them at a throw-away tree.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { comments, parseTs } from '../architecture/ts-source.js';

export interface LinkProblem {
  /** path relative to the root, with `/` */
  readonly file: string;
  readonly line: number;
  readonly target: string;
  readonly problem: string;
}

const SKIPPED_DIRS = new Set(['node_modules', 'dist']);

/** Files under `root` whose name ends with one of `extensions`, skipping node_modules, dist and dot-directories. */
export function listFiles(root: string, extensions: readonly string[], under = '.'): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      if (statSync(abs).isDirectory()) {
        if (!name.startsWith('.') && !SKIPPED_DIRS.has(name)) walk(abs);
      } else if (extensions.some((e) => name.endsWith(e))) {
        out.push(toRel(root, abs));
      }
    }
  };
  walk(resolve(root, under));
  return out;
}

function toRel(root: string, abs: string): string {
  return relative(root, abs).split(sep).join('/');
}

/** GitHub's heading anchor for one heading text (github-slugger, without the duplicate counter). */
export function githubSlug(heading: string): string {
  return renderedText(heading)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The text GitHub renders for inline Markdown: code spans kept as text, markup and HTML tags removed. */
function renderedText(md: string): string {
  const codes: string[] = [];
  let s = md.replace(/(`+)([\s\S]*?)\1/g, (_m, _ticks: string, code: string) => {
    codes.push(code.trim());
    return `\u0000${codes.length - 1}\u0000`;
  });
  s = s
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/\\([!-/:-@[-`{-~])/g, '$1')
    .replace(/(^|[^\p{L}\p{N}])_+([^_]+?)_+(?=[^\p{L}\p{N}]|$)/gu, '$1$2');
  return s.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => codes[Number(i)]!);
}

interface MdLine {
  readonly text: string;
  readonly line: number;
}

/** Lines outside fenced code blocks (``` or ~~~, closed by a fence of the same kind at least as long). */
function proseLines(markdown: string): MdLine[] {
  const out: MdLine[] = [];
  let fence: { char: string; len: number } | null = null;
  markdown.split('\n').forEach((text, i) => {
    const m = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(text);
    if (fence) {
      if (m && m[1]![0] === fence.char && m[1]!.length >= fence.len && m[2]!.trim() === '') fence = null;
      return;
    }
    if (m && !(m[1]![0] === '`' && m[2]!.includes('`'))) {
      fence = { char: m[1]![0]!, len: m[1]!.length };
      return;
    }
    out.push({ text, line: i + 1 });
  });
  return out;
}

/** Every anchor a Markdown text offers: heading slugs (ATX and setext, numbered when repeated) and HTML ids. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const add = (heading: string): void => {
    const base = githubSlug(heading);
    let slug = base;
    if (seen.has(base)) {
      let n = seen.get(base)!;
      do {
        n++;
        slug = `${base}-${n}`;
      } while (seen.has(slug));
      seen.set(base, n);
    }
    seen.set(slug, 0);
    anchors.add(slug);
  };
  const lines = proseLines(markdown);
  lines.forEach(({ text, line }, i) => {
    const atx = /^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(text);
    if (atx) add(atx[1] ?? '');
    const prev = lines[i - 1];
    if (!atx && prev && prev.line === line - 1 && /^ {0,3}(=+|-+)[ \t]*$/.test(text) && isSetextText(prev.text)) add(prev.text.trim());
    for (const m of text.matchAll(/<[a-z][^>]*?\s(?:id|name)\s*=\s*["']([^"']+)["']/gi)) anchors.add(m[1]!);
  });
  return anchors;
}

function isSetextText(text: string): boolean {
  return text.trim() !== '' && !/^ {0,3}(#|[-*+>|]|\d+[.)]\s|(=+|-+)\s*$)/.test(text);
}

/** Numbered headings (`## 4. Title`, `### 4.3 Title`) as their numbers: `4`, `4.3`. */
function headingNumbers(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const { text } of proseLines(markdown)) {
    const m = /^ {0,3}#{1,6}[ \t]+(\d+(?:\.\d+)*)\.?[ \t]/.exec(text);
    if (m) out.add(m[1]!);
  }
  return out;
}

/** `text` with inline code spans blanked out (same length), so links are not looked for inside code. */
function withoutCodeSpans(text: string): string {
  return text.replace(/(`+)[\s\S]*?\1/g, (m) => ' '.repeat(m.length));
}

function linkTargets(text: string): string[] {
  const s = withoutCodeSpans(text);
  const out: string[] = [];
  for (const m of s.matchAll(/\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g)) out.push(m[1]!);
  const def = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(s);
  if (def) out.push(def[1]!);
  for (const m of s.matchAll(/<(?:a|img|source)\s[^>]*?(?:href|src)\s*=\s*["']([^"']*)["']/gi)) out.push(m[1]!);
  return out.map((t) => (t.startsWith('<') && t.endsWith('>') ? t.slice(1, -1) : t));
}

const MENTION = /(?<![\w./@-])((?:\.\.?\/)*(?:[\w-]+\/)*[\w-]+\.md)(?![\w-])(?:`?\*?\*?[ \t]*§[ \t]?(\d+(?:\.\d+)*))?/g;

class Checker {
  private readonly texts = new Map<string, string>();

  constructor(private readonly root: string) {}

  text(rel: string): string {
    let t = this.texts.get(rel);
    if (t === undefined) {
      t = readFileSync(join(this.root, rel), 'utf8');
      this.texts.set(rel, t);
    }
    return t;
  }

  /** Resolves `path` (already without anchor) from `fromDir` (a folder relative to the root); null if it leaves the root. */
  resolveRel(fromDir: string, path: string): string | null {
    const abs = path.startsWith('/') ? resolve(this.root, `.${path}`) : resolve(this.root, fromDir, path);
    const rel = toRel(this.root, abs);
    if (rel === '..' || rel.startsWith('../') || rel.startsWith('/')) return null;
    return rel === '' ? '.' : rel;
  }

  exists(rel: string): boolean {
    return existsSync(join(this.root, rel));
  }

  isFile(rel: string): boolean {
    return this.exists(rel) && statSync(join(this.root, rel)).isFile();
  }

  checkLink(file: string, line: number, target: string): LinkProblem | null {
    const problem = (p: string): LinkProblem => ({ file, line, target, problem: p });
    if (/^file:/i.test(target)) return problem('leaves the repository (file: URL)');
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return null;
    const hash = target.indexOf('#');
    const rawPath = hash < 0 ? target : target.slice(0, hash);
    const anchor = hash < 0 ? null : target.slice(hash + 1);
    let path: string;
    try {
      path = decodeURIComponent(rawPath.replace(/\?.*$/, ''));
    } catch {
      return problem('is not a valid URL path');
    }
    let rel: string;
    if (path === '') {
      rel = file;
    } else {
      const r = this.resolveRel(dirname(file), path);
      if (r === null) return problem('leaves the repository');
      if (!this.exists(r)) return problem(`points to ${r}, which does not exist`);
      rel = r;
    }
    if (anchor === null || anchor === '') return null;
    if (!this.isFile(rel)) return problem(`has an anchor into ${rel}, which is not a file`);
    if (extname(rel).toLowerCase() !== '.md') {
      return /^L\d+(C\d+)?(-L\d+(C\d+)?)?$/.test(anchor) ? null : problem(`has anchor #${anchor} into ${rel}, which is not Markdown (only #L<line> anchors work there)`);
    }
    let wanted: string;
    try {
      wanted = decodeURIComponent(anchor).toLowerCase();
    } catch {
      return problem('has an invalid anchor');
    }
    const anchors = headingAnchors(this.text(rel));
    return anchors.has(wanted) || anchors.has(decodeURIComponent(anchor)) ? null : problem(`has anchor #${anchor}, but ${rel} has no such heading`);
  }

  /** A prose mention of a Markdown file; `bases` are folders (relative to the root) a bare name may live in. */
  checkMention(file: string, line: number, name: string, section: string | undefined, bases: readonly string[]): LinkProblem | null {
    const problem = (p: string): LinkProblem => ({ file, line, target: section ? `${name} §${section}` : name, problem: p });
    // Only names that claim to be ours: `./<name>.md`, `../<name>.md`, `docs/<name>.md` (a first folder this
    // repository has), or a bare lowercase kebab-case name; `hadoop-hdds/…` or capitalised names are not ours.
    const first = name.split('/')[0]!;
    const ours = name.includes('/')
      ? first === '.' || first === '..' || bases.some((b) => this.exists(toPosix(join(b, first))))
      : /^[a-z0-9][a-z0-9-]*\.md$/.test(name) || bases.some((b) => this.isFile(toPosix(join(b, name))));
    if (!ours) return null;
    const resolved = bases.map((base) => this.resolveRel(base, name));
    const found = resolved.find((r): r is string => r !== null && this.isFile(r));
    if (!found && resolved.includes(null)) return problem('leaves the repository');
    if (!found) return problem(`names a Markdown file that is not in the repository (looked in ${bases.map((b) => (b === '.' ? 'the root' : `${b}/`)).join(', ')})`);
    if (section && !headingNumbers(this.text(found)).has(section)) return problem(`names section §${section}, but ${found} has no heading numbered ${section}`);
    return null;
  }
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}

/** Checks the links and Markdown mentions of `files` (relative to `root`; default: every *.md under it). */
export function checkMarkdownLinks(root: string, files: readonly string[] = listFiles(root, ['.md'])): LinkProblem[] {
  const checker = new Checker(root);
  const problems: LinkProblem[] = [];
  for (const file of files) {
    const dir = toPosix(dirname(file));
    for (const { text, line } of proseLines(checker.text(file))) {
      for (const target of linkTargets(text)) {
        const p = checker.checkLink(file, line, target);
        if (p) problems.push(p);
      }
      for (const m of withoutLinkDestinations(text).matchAll(MENTION)) {
        const p = checker.checkMention(file, line, m[1]!, m[2], dir === '.' ? ['.'] : [dir, '.']);
        if (p) problems.push(p);
      }
    }
  }
  return problems;
}

/** `text` without link destinations (inline, reference definitions, HTML): those are checked as links. */
function withoutLinkDestinations(text: string): string {
  return text
    .replace(/\]\([^)]*\)/g, ']')
    .replace(/^( {0,3}\[[^\]]+\]:)\s*\S+/, '$1')
    .replace(/\b(href|src)\s*=\s*(["'])[^"']*\2/gi, '$1=');
}

/** Comments of a TypeScript source, line by line, with their line numbers. */
function tsCommentLines(rel: string, src: string): MdLine[] {
  return comments(parseTs(rel, src)).flatMap((c) => c.text.split('\n').map((text, i) => ({ text, line: c.line + i })));
}

/**
 * Mentions of Markdown files in source comments (*.ts), examples, schemas, templates and launchers: each must
 * name a file of the repository (from the root, next to the source, or in docs/).
 */
export function checkSourceMentions(root: string, files?: readonly string[]): LinkProblem[] {
  const list =
    files ??
    [
      ...listFiles(root, ['.ts'], 'src'),
      ...listFiles(root, ['.ts'], 'test'),
      ...listFiles(root, ['.ts'], 'bench'),
      ...listFiles(root, ['.yaml', '.yml', '.xml'], 'examples'),
      ...listFiles(root, ['.json'], 'schemas'),
      ...listFiles(root, [''], 'templates'),
      ...listFiles(root, [''], 'bin'),
    ];
  const checker = new Checker(root);
  const problems: LinkProblem[] = [];
  for (const file of list) {
    const text = checker.text(file);
    if (!text.includes('.md')) continue;
    const lines = file.endsWith('.ts') ? tsCommentLines(file, text) : text.split('\n').map((t, i) => ({ text: t, line: i + 1 }));
    const dir = toPosix(dirname(file));
    for (const { text: t, line } of lines) {
      for (const m of t.matchAll(MENTION)) {
        const p = checker.checkMention(file, line, m[1]!, undefined, ['.', dir, 'docs']);
        if (p) problems.push(p);
      }
    }
  }
  return problems;
}

/** One line per problem, for test failure messages. */
export function formatProblems(problems: readonly LinkProblem[]): string[] {
  return problems.map((p) => `${p.file}:${p.line}: ${p.target} ${p.problem}`);
}
