import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateCommand, type ValidateJson } from '../../../src/provisioner/commands/validate.js';
import { INVALID_CASES, INVALID_DIR } from '../topology/fixtures/invalid-cases.js';
import { fakeContext } from './fake-context.js';

describe('scmctl validate', () => {
  it('exits 0 for valid files, printing one status line each', async () => {
    const ctx = fakeContext();
    expect(await validateCommand.run(['examples/local-ha.yaml', 'examples/ozone-site.xml'], { output: 'text' }, ctx)).toBe(0);
    expect(ctx.out()).toBe('examples/local-ha.yaml: valid\nexamples/ozone-site.xml: valid\n');
  });

  it('exits 1 when any file is invalid and shows file:line:col, code and hint', async () => {
    const ctx = fakeContext();
    const bad = relative(process.cwd(), join(INVALID_DIR, 'unknown-key.yaml'));
    expect(await validateCommand.run(['examples/local-ha.yaml', bad], { output: 'text' }, ctx)).toBe(1);
    expect(ctx.out()).toContain(`${bad}:12:7: error[TOPOLOGY_UNKNOWN_KEY] unknown key "adress"`);
    expect(ctx.out()).toContain('hint: did you mean "address"?');
    expect(ctx.out()).toContain(`${bad}: invalid (1 error)`);
  });

  it('prints Terraform-shaped JSON with --output json', async () => {
    const ctx = fakeContext();
    const files = INVALID_CASES.map((c) => relative(process.cwd(), join(INVALID_DIR, c.file)));
    expect(await validateCommand.run(files, { output: 'json' }, ctx)).toBe(1);
    const doc = JSON.parse(ctx.out()) as ValidateJson;
    expect(doc.format_version).toBe('1.0');
    expect(doc.valid).toBe(false);
    expect(doc.files.map((f) => f.valid)).toEqual(files.map(() => false));
    for (const c of INVALID_CASES) {
      const d = doc.diagnostics.find((x) => x.code === c.code && x.range.filename.endsWith(c.file))!;
      expect(d).toMatchObject({ severity: 'error', range: { start: { line: c.line, column: c.column } } });
      expect(typeof d.range.start.byte).toBe('number');
      expect(d.hint).toContain(c.hint);
      expect(d.summary.length).toBeGreaterThan(0);
    }
  });

  it('warns (TOPOLOGY_SSH_IDENTITY_MISSING) about an SSH key that does not exist, and stays valid', async () => {
    const ctx = fakeContext({ env: { HOME: '/nonexistent-home' } });
    expect(await validateCommand.run(['examples/three-node.yaml'], { output: 'json' }, ctx)).toBe(0);
    const doc = JSON.parse(ctx.out()) as ValidateJson;
    expect(doc).toMatchObject({ valid: true, error_count: 0, warning_count: 1 });
    expect(doc.diagnostics.map((d) => [d.severity, d.code, d.pointer])).toEqual([['warning', 'TOPOLOGY_SSH_IDENTITY_MISSING', '/spec/ssh/identityFile']]);
    expect(doc.diagnostics[0]!.summary).toContain('~/.ssh/id_ed25519 (/nonexistent-home/.ssh/id_ed25519) does not exist on this machine');
  });

  it('expands ${ENV} from the command environment', async () => {
    const ctx = fakeContext({ env: { SCMCTL_SSH_USER: 'not a valid user!' } });
    expect(await validateCommand.run(['examples/three-node.yaml'], { output: 'json' }, ctx)).toBe(1);
    expect((JSON.parse(ctx.out()) as ValidateJson).diagnostics[0]!.pointer).toBe('/spec/ssh/user');
  });
});
