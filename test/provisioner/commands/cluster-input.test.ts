/**
 * What every command that connects shares (cluster-input.ts): with `knownHosts: off` the run warns once, on
 * stderr only — plan (text and --output json), apply --output json and unlock, on simulated hosts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runApply } from '../../../src/provisioner/commands/apply.js';
import { runPlan } from '../../../src/provisioner/commands/plan.js';
import { runUnlock } from '../../../src/provisioner/commands/unlock.js';
import { SimCluster } from '../../support/sim-scm-cluster.js';
import { AutoClock, BUNDLE_INFO } from '../apply/sim-loop.js';
import { threeNodeText, topologyOf } from '../plan/cluster-fixture.js';
import { fakeContext, type CapturedContext } from './fake-context.js';

const off = threeNodeText().replace('    user: ozone\n', '    user: ozone\n    knownHosts: off\n');
const WARNING = 'warning[SSH_HOST_KEYS_UNCHECKED]';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scmctl-input-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function ctx(): CapturedContext {
  return fakeContext({ cwd: dir, env: { HOME: '/home/op', SCMCTL_STATE_DIR: join(dir, 'state') } });
}

function write(text: string): string {
  const file = join(dir, 'cluster.yaml');
  writeFileSync(file, text);
  return file;
}

const count = (text: string): number => text.split(WARNING).length - 1;

describe('knownHosts: off', () => {
  it('plan warns once on stderr, naming the cluster and the hosts; stdout carries no warning', async () => {
    const file = write(off);
    const sim = new SimCluster(topologyOf(off));
    const c = ctx();
    expect(await runPlan([file], {}, c, { connect: sim.connect as never, bundle: BUNDLE_INFO })).toBe(2);
    expect(count(c.err())).toBe(1);
    expect(c.err()).toContain('cluster t3');
    expect(c.err()).toContain('scm1 (10.0.0.1), scm2 (10.0.0.2), scm3 (10.0.0.3)');
    expect(c.out()).not.toContain(WARNING);
  });

  it('--output json stays one JSON document on stdout (plan) and NDJSON (apply); the warning is on stderr', async () => {
    const file = write(off);
    const sim = new SimCluster(topologyOf(off));
    const p = ctx();
    expect(await runPlan([file], { output: 'json' }, p, { connect: sim.connect as never, bundle: BUNDLE_INFO })).toBe(2);
    expect(() => JSON.parse(p.out()) as unknown).not.toThrow();
    expect(count(p.err())).toBe(1);
    const a = ctx();
    expect(await runApply([file], { yes: true, output: 'json' }, a, { connect: sim.connect as never, bundle: BUNDLE_INFO, install: sim.install as never, clock: new AutoClock() })).toBe(0);
    for (const line of a.out().trim().split('\n')) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(count(a.err())).toBe(1);
  });

  it('unlock warns too; the default (strict) does not', async () => {
    const sim = new SimCluster(topologyOf(off));
    const u = ctx();
    await runUnlock(['000000000000', write(off)], {}, u, { connect: sim.connect as never });
    expect(count(u.err())).toBe(1);
    const strict = ctx();
    expect(await runPlan([write(threeNodeText())], {}, strict, { connect: new SimCluster(topologyOf(threeNodeText())).connect as never, bundle: BUNDLE_INFO })).toBe(2);
    expect(strict.err()).not.toContain(WARNING);
  });
});
