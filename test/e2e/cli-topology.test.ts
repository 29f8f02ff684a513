/**
 * The built `scmctl` launcher on the topology commands, as an operator runs them (issue 2 acceptance):
 * validate (text and JSON, exit codes), render into a folder, export round trip, --help examples.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { INVALID_CASES, INVALID_DIR } from '../provisioner/topology/fixtures/invalid-cases.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const work = mkdtempSync(join(tmpdir(), 'scmctl-cli-topology-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function scmctl(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(join(root, 'bin/scmctl'), args, { cwd: root, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('scmctl validate', () => {
  const yamls = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.yaml'));

  it('examples/*.yaml and the ozone-site.xml example are valid (exit 0)', () => {
    const files = [...yamls.map((f) => `examples/${f}`), 'examples/ozone-site.xml'];
    expect(yamls.length).toBeGreaterThanOrEqual(8);
    // the apache-ozone examples name a release tarball: one (with its .sha512) stands beside them here
    const tarball = join(work, 'ozone-2.2.0.tar.gz');
    writeFileSync(tarball, 'release bytes');
    writeFileSync(`${tarball}.sha512`, `${createHash('sha512').update('release bytes').digest('hex')}  ozone-2.2.0.tar.gz\n`);
    const r = scmctl(['validate', ...files], { OZONE_TARBALL: tarball });
    expect(r.stdout).toBe(files.map((f) => `${f}: valid\n`).join(''));
    expect(r.status).toBe(0);
  });

  it.each(INVALID_CASES)('$file exits 1 with file:line:col, $code and a hint (text and json)', (c) => {
    const file = relative(root, join(INVALID_DIR, c.file));
    const text = scmctl(['validate', file]);
    expect(text.status).toBe(1);
    expect(text.stdout).toContain(`${file}:${c.line}:${c.column}: error[${c.code}]`);
    expect(text.stdout).toContain(`hint: `);
    expect(text.stdout).toContain(c.hint);
    const json = scmctl(['validate', '--output', 'json', file]);
    expect(json.status).toBe(1);
    const doc = JSON.parse(json.stdout) as { valid: boolean; diagnostics: Array<{ code: string; hint?: string; range: { filename: string; start: { line: number; column: number } } }> };
    expect(doc.valid).toBe(false);
    const d = doc.diagnostics.find((x) => x.code === c.code)!;
    expect(d.range).toMatchObject({ filename: file, start: { line: c.line, column: c.column } });
    expect(d.hint).toContain(c.hint);
  });
});

describe('scmctl render and export', () => {
  it('renders three-node.yaml into one folder per host, matching the golden files', () => {
    const out = join(work, 'out');
    const r = scmctl(['render', 'examples/three-node.yaml', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const host of ['scm1', 'scm2', 'scm3']) {
      for (const name of ['ozone-site.xml', 'scm.env', 'ozone-scm.service']) {
        const written = readFileSync(join(out, host, `tmp/scmctl-e2e/${host}/conf`, name), 'utf8');
        expect(written).toBe(readFileSync(join(root, 'test/provisioner/render/golden/three-node', host, name), 'utf8'));
      }
    }
    // a rendered host file is itself a valid topology to import
    expect(scmctl(['validate', join(out, 'scm1/tmp/scmctl-e2e/scm1/conf/ozone-site.xml')]).status).toBe(0);
  });

  it('exports YAML → XML → YAML to the same topology', () => {
    const xml = join(work, 'three-node.xml');
    expect(scmctl(['export', 'examples/three-node.yaml', '--format', 'xml', '--out', xml]).status).toBe(0);
    const back = scmctl(['export', xml, '--format', 'yaml']);
    expect(back.status).toBe(0);
    const direct = scmctl(['export', 'examples/three-node.yaml', '--format', 'yaml']);
    expect(back.stdout.replace(/^#.*\n/, '')).toBe(direct.stdout.replace(/^#.*\n/, ''));
  });

  it.each(['validate', 'render', 'export'])('%s --help shows an example', (cmd) => {
    const r = scmctl([cmd, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Examples:\\n\\s+\\$ scmctl ${cmd} `));
  });
});
