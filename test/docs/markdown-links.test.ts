/**
 * The repository's docs are self-contained: every relative link in a *.md file, every anchor and every mention of
 * a Markdown file (in the docs and in source comments) resolves inside this repository. The checker lives in
 * ./markdown-links.ts; the second half proves it fails on a throw-away tree with each kind of broken reference.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkMarkdownLinks, checkSourceMentions, formatProblems, githubSlug, headingAnchors, listFiles } from './markdown-links.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('links and mentions in this repository', () => {
  it('finds the Markdown files: README, BENCHMARKS and docs/, nothing from node_modules or dist', () => {
    const files = listFiles(root, ['.md']);
    expect(files).toEqual(expect.arrayContaining(['README.md', 'BENCHMARKS.md', 'docs/design.md', 'docs/ozone-scm-ha.md', 'docs/ozone-host-contract.md']));
    expect(files.filter((f) => f.startsWith('node_modules/') || f.startsWith('dist/'))).toEqual([]);
  });

  it('every relative link, anchor and Markdown mention of a *.md file resolves inside the repository', () => {
    expect(formatProblems(checkMarkdownLinks(root))).toEqual([]);
  });

  it('source comments, examples, schemas, templates and launchers name only Markdown files of this repository', () => {
    expect(formatProblems(checkSourceMentions(root))).toEqual([]);
  });
});

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'scmctl-links-'));
  made.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

const TARGET_DOC = [
  '# A',
  '',
  '## Section one',
  '## Section one',
  '## 4. Numbered',
  '### 4.2 Sub',
  '<a id="explicit-id"></a>',
  '```',
  '## Not a heading (in a fence)',
  '```',
  '',
].join('\n');

describe('the checker fails on each kind of broken reference (throw-away tree)', () => {
  it('links: missing files, anchors, links that leave the repository; good links, URLs and code are left alone', () => {
    const dir = tree({
      'docs/a.md': TARGET_DOC,
      'src/x.ts': 'export const x = 1;\n',
      'README.md': [
        'Good: [a](docs/a.md), [one](docs/a.md#section-one), [dup](docs/a.md#section-one-1), [root](/docs/a.md#4-numbered),',
        '[id](docs/a.md#explicit-id), [self](#top), [line](src/x.ts#L1-L2), [web](https://example.org/missing.md).',
        'Bad anchor: [x](docs/a.md#nope) and [fenced](docs/a.md#not-a-heading-in-a-fence).',
        'Missing: [m](docs/missing.md) ![img](img/missing.png) <a href="docs/gone.md">g</a>',
        'Leaving: [out](../outside.md) [abs](file:///etc/hosts)',
        'Code anchor: [c](src/x.ts#foo). In code, not a link: `[no](nowhere-in-code.md)`.',
        '[ref]: docs/reference-missing.md',
        '# Top',
        '```md',
        '[in a fence](fence-missing.md)',
        '```',
        '',
      ].join('\n'),
    });
    expect(formatProblems(checkMarkdownLinks(dir, ['README.md']))).toEqual([
      'README.md:3: docs/a.md#nope has anchor #nope, but docs/a.md has no such heading',
      'README.md:3: docs/a.md#not-a-heading-in-a-fence has anchor #not-a-heading-in-a-fence, but docs/a.md has no such heading',
      'README.md:4: docs/missing.md points to docs/missing.md, which does not exist',
      'README.md:4: img/missing.png points to img/missing.png, which does not exist',
      'README.md:4: docs/gone.md points to docs/gone.md, which does not exist',
      'README.md:5: ../outside.md leaves the repository',
      'README.md:5: file:///etc/hosts leaves the repository (file: URL)',
      'README.md:6: src/x.ts#foo has anchor #foo into src/x.ts, which is not Markdown (only #L<line> anchors work there)',
      'README.md:7: docs/reference-missing.md points to docs/reference-missing.md, which does not exist',
    ]);
  });

  it('mentions: a doc name that is not here, a section that does not exist, a path out of the repository', () => {
    const dir = tree({
      'docs/a.md': TARGET_DOC,
      'docs/b.md': [
        'See a.md §4 and `a.md` §4.2 and docs/a.md (all fine), design.md and docs/gone.md (missing),',
        'a.md §7 (no such section), ../shared/architecture.md (outside), and Ozone’s SCM-HA.md or',
        'hadoop-hdds/docs/content/feature/SCM-HA.md (not ours, not checked).',
        '',
      ].join('\n'),
    });
    expect(formatProblems(checkMarkdownLinks(dir, ['docs/b.md']))).toEqual([
      'docs/b.md:1: design.md names a Markdown file that is not in the repository (looked in docs/, the root)',
      'docs/b.md:1: docs/gone.md names a Markdown file that is not in the repository (looked in docs/, the root)',
      'docs/b.md:2: a.md §7 names section §7, but docs/a.md has no heading numbered 7',
      'docs/b.md:2: ../shared/architecture.md leaves the repository',
    ]);
  });

  it('source comments: only comments are read, and a name must be in the repository (bare names may live in docs/)', () => {
    const dir = tree({
      'docs/a.md': TARGET_DOC,
      'src/p/x.ts': [
        '/** Follows docs/a.md §4 and a.md (in docs/); see ../shared/ozone-scm-ha.md and missing-doc.md. */',
        "export const s = 'string-only.md is not a comment';",
        '// trailing: gone.md',
        '',
      ].join('\n'),
      'examples/e.yaml': '# per old-notes.md\nkey: value\n',
    });
    expect(formatProblems(checkSourceMentions(dir))).toEqual([
      'src/p/x.ts:1: ../shared/ozone-scm-ha.md leaves the repository',
      'src/p/x.ts:1: missing-doc.md names a Markdown file that is not in the repository (looked in the root, src/p/, docs/)',
      'src/p/x.ts:3: gone.md names a Markdown file that is not in the repository (looked in the root, src/p/, docs/)',
      'examples/e.yaml:1: old-notes.md names a Markdown file that is not in the repository (looked in the root, examples/, docs/)',
    ]);
  });

  it('walks the tree without node_modules, dist and dot-directories', () => {
    const dir = tree({ 'a.md': '', 'node_modules/p/README.md': '', 'dist/x.md': '', '.git/y.md': '', 'docs/z.md': '' });
    expect(listFiles(dir, ['.md'])).toEqual(['a.md', 'docs/z.md']);
  });
});

describe('GitHub heading anchors', () => {
  it.each([
    ['8. Migration non-HA / 1-node Ratis → 3 nodes', '8-migration-non-ha--1-node-ratis--3-nodes'],
    ['`ozone admin scm roles [--json | --table]`', 'ozone-admin-scm-roles---json----table'],
    ['bench:day2 — results and method', 'benchday2--results-and-method'],
    ['**Bold**, _em_ and snake_case', 'bold-em-and-snake_case'],
    ['A [link](https://example.org) and <code>html</code>', 'a-link-and-html'],
    ['Déjà vu 2.0', 'déjà-vu-20'],
  ])('%s → #%s', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });

  it('numbers repeated headings and ignores fenced code', () => {
    expect([...headingAnchors(TARGET_DOC)]).toEqual(['a', 'section-one', 'section-one-1', '4-numbered', '42-sub', 'explicit-id']);
  });
});
