/**
 * `-o/--output json` on errors: stdout still carries JSON — one document for plan and status (shaped like
 * validate's: format_version, ok false, error{code,message,hint}, counts, diagnostics), the closing NDJSON
 * `result` event for apply — for an invalid topology, a bad option, and a plan that cannot run; `-o` is the
 * short flag of every command's --output.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runApply } from '../../../src/provisioner/commands/apply.js';
import { COMMANDS } from '../../../src/provisioner/commands/index.js';
import type { FailureJson } from '../../../src/provisioner/commands/json-output.js';
import { runPlan } from '../../../src/provisioner/commands/plan.js';
import { runStatus } from '../../../src/provisioner/commands/status.js';
import { SimCluster } from '../../support/sim-scm-cluster.js';
import { AutoClock, BUNDLE_INFO } from '../apply/sim-loop.js';
import { threeNodeText, topologyOf } from '../plan/cluster-fixture.js';
import { fakeContext, type CapturedContext } from './fake-context.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scmctl-json-errors-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ctx = (): CapturedContext => fakeContext({ cwd: dir, env: { HOME: '/home/op', SCMCTL_STATE_DIR: join(dir, 'state') } });
const write = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return name;
};
const invalid = (): string => write('bad.yaml', threeNodeText().replace('address: 10.0.0.2', 'adress: 10.0.0.2'));

describe('-o json on errors', () => {
  it('plan: an invalid topology gives one JSON document with TOPOLOGY_INVALID and the diagnostics (exit 1)', async () => {
    const c = ctx();
    expect(await runPlan([invalid()], { output: 'json' }, c)).toBe(1);
    const doc = JSON.parse(c.out()) as FailureJson;
    expect(doc).toMatchObject({ format_version: '1.0', ok: false, error: { code: 'TOPOLOGY_INVALID' }, error_count: 1 });
    expect(doc.error.message).toMatch(/^bad.yaml is not a valid topology \(1 error, the first TOPOLOGY_UNKNOWN_KEY at \d+:\d+\); no host was contacted$/);
    expect(doc.error.hint).toBe('scmctl validate bad.yaml shows every problem with its line and fix');
    expect(doc.diagnostics.map((d) => d.code)).toEqual(['TOPOLOGY_UNKNOWN_KEY']);
    expect(doc.diagnostics[0]!.range.filename).toBe('bad.yaml');
    expect(c.err()).toContain('error[TOPOLOGY_UNKNOWN_KEY]'); // the text stays on stderr for people
  });

  it('status: the same for an invalid topology and for a bad option', async () => {
    const c = ctx();
    expect(await runStatus([invalid()], { output: 'json' }, c)).toBe(1);
    expect((JSON.parse(c.out()) as FailureJson).error.code).toBe('TOPOLOGY_INVALID');
    const o = ctx();
    expect(await runStatus([write('ok.yaml', threeNodeText())], { output: 'json', concurrency: 'many' }, o)).toBe(1);
    expect(JSON.parse(o.out())).toMatchObject({ ok: false, error: { code: 'PLAN_INVALID_OPTION', message: '--concurrency must be a whole number from 1 to 1000, got many' }, diagnostics: [] });
    expect(o.err()).toContain('error[PLAN_INVALID_OPTION]');
  });

  it('plan: a plan that cannot run says so in its document (ok false, the error); one that can has ok true', async () => {
    const t3 = topologyOf(threeNodeText());
    const sim = new SimCluster(t3);
    const file = write('cluster.yaml', threeNodeText());
    const good = ctx();
    expect(await runPlan([file], { output: 'json' }, good, { connect: sim.connect as never, bundle: BUNDLE_INFO })).toBe(2);
    expect(JSON.parse(good.out())).toMatchObject({ ok: true, runnable: true });
    const down = ctx();
    const unreachable = async (spec: { name: string }): Promise<never> => {
      throw Object.assign(new Error(`host ${spec.name}: refused`), { code: 'SSH_UNREACHABLE' });
    };
    expect(await runPlan([file], { output: 'json' }, down, { connect: unreachable as never, bundle: BUNDLE_INFO })).toBe(1);
    const doc = JSON.parse(down.out()) as { ok: boolean; runnable: boolean; error: { code: string } };
    expect(doc).toMatchObject({ ok: false, runnable: false, error: { code: 'PLAN_HOSTS_UNREACHABLE' } });
  });

  it('apply: NDJSON ends with a result event carrying the error — invalid topology, bad --timeout', async () => {
    const c = ctx();
    expect(await runApply([invalid()], { output: 'json', yes: true }, c)).toBe(1);
    const lines = c.out().trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(result).toMatchObject({ type: 'result', ok: false, error: { code: 'TOPOLOGY_INVALID' }, error_count: 1 });
    expect(typeof result['time']).toBe('string');
    const t = ctx();
    expect(await runApply([write('ok.yaml', threeNodeText())], { output: 'json', yes: true, timeout: 'soon' }, t)).toBe(1);
    expect(JSON.parse(t.out())).toMatchObject({ type: 'result', ok: false, error: { code: 'PLAN_INVALID_OPTION', message: '--timeout soon is not a duration' } });
    expect(t.err()).toContain('error[PLAN_INVALID_OPTION]: --timeout soon is not a duration');
  });

  it('apply: a run whose task fails ends with a result event naming the failure', async () => {
    const t3 = topologyOf(threeNodeText());
    const sim = new SimCluster(t3, { fail: (op, key) => (op === 'bootstrap' && key === 'svc/scm2' ? { exitCode: 1, stderr: 'boom' } : null) });
    const c = ctx();
    const code = await runApply([write('cluster.yaml', threeNodeText())], { output: 'json', yes: true }, c, { connect: sim.connect as never, bundle: BUNDLE_INFO, install: sim.install as never, clock: new AutoClock() });
    expect(code).toBe(1);
    const last = JSON.parse(c.out().trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(last).toMatchObject({ type: 'result', ok: false, failures: 1, error: { code: 'APPLY_SCM_BOOTSTRAP_FAILED' } });
  });

  it('every command with --output has -o', async () => {
    const specs = await Promise.all(COMMANDS.map((c) => c.load()));
    const outputs = specs.flatMap((s) => s.options.filter((o) => o.flags.includes('--output')).map((o) => `${s.name} ${o.flags}`));
    expect(outputs.length).toBeGreaterThanOrEqual(8);
    for (const o of outputs) expect(o).toMatch(/^\S+ -o, --output <format>$/);
  });
});
