/**
 * Verbosity (-q, -v, --log-level): what each level shows on stderr, while stdout stays the command's output.
 * quiet: errors and the final result only (apply --yes shows no plan, no lock line, no progress);
 * default: progress; verbose: every remote command with its host and duration.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/common/logger.js';
import { runApply } from '../../src/provisioner/commands/apply.js';
import { commandsFor } from '../../src/provisioner/commands/index.js';
import { runPlan } from '../../src/provisioner/commands/plan.js';
import { commandName, withCommandLog } from '../../src/provisioner/hosts/command-log.js';
import { sh } from '../../src/provisioner/hosts/shell-quote.js';
import { LOG_LEVELS, logLevelOf, shows, VERBOSITY_HELP, type LogLevel } from '../../src/provisioner/verbosity.js';
import { FakeClock } from '../support/fake-clock.js';
import { FakeHost } from '../support/fake-host.js';
import { SimCluster } from '../support/sim-scm-cluster.js';
import { AutoClock, BUNDLE_INFO } from './apply/sim-loop.js';
import { threeNodeText, topologyOf } from './plan/cluster-fixture.js';
import { fakeContext, type CapturedContext } from './commands/fake-context.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scmctl-verbosity-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const text = threeNodeText().replace('    user: ozone\n', '    user: ozone\n    knownHosts: off\n');
const ctx = (logLevel?: LogLevel): CapturedContext => ({ ...fakeContext({ cwd: dir, env: { HOME: '/home/op', SCMCTL_STATE_DIR: join(dir, 'state') } }), ...(logLevel ? { logLevel } : {}) });
const file = (): string => {
  writeFileSync(join(dir, 'cluster.yaml'), text);
  return join(dir, 'cluster.yaml');
};
const applyDeps = (sim: SimCluster) => ({ connect: sim.connect as never, bundle: BUNDLE_INFO, install: sim.install as never, clock: new AutoClock() });

describe('the global options', () => {
  it('map to a level: --log-level wins, then -q (error) or -v (debug), else info', () => {
    expect(logLevelOf({})).toBe('info');
    expect(logLevelOf({ quiet: true })).toBe('error');
    expect(logLevelOf({ verbose: true })).toBe('debug');
    expect(logLevelOf({ quiet: true, logLevel: 'warn' })).toBe('warn');
    expect(LOG_LEVELS.map((l) => [l, shows({ logLevel: l }, 'warn'), shows({ logLevel: l }, 'debug')])).toEqual([
      ['error', false, false],
      ['warn', true, false],
      ['info', true, false],
      ['debug', true, true],
    ]);
    expect(shows({}, 'info')).toBe(true);
    for (const flag of ['-q, --quiet', '-v, --verbose', '--log-level error', '--log-level debug']) expect(VERBOSITY_HELP).toContain(flag);
  });

  it('may come before the command name without loading every command', async () => {
    expect((await commandsFor(['-v', 'plan', 'x.yaml'])).map((c) => c.name)).toEqual(['plan']);
    expect((await commandsFor(['--log-level', 'debug', 'status', 'x.yaml'])).map((c) => c.name)).toEqual(['status']);
    expect((await commandsFor(['--log-level=warn', '-q', 'apply', 'x.yaml'])).map((c) => c.name)).toEqual(['apply']);
    expect((await commandsFor(['-v', '--help'])).length).toBeGreaterThan(1);
  });
});

describe('what each level shows', () => {
  it('quiet apply --yes: the final result and nothing else (no plan, lock, progress or warnings)', async () => {
    const sim = new SimCluster(topologyOf(text));
    const c = ctx('error');
    expect(await runApply([file()], { yes: true }, c, applyDeps(sim))).toBe(0);
    expect(c.out()).toMatch(/^\nApply complete: \d+ tasks done on cluster t3\.\n$/);
    expect(c.err()).toBe('');
  });

  it('default apply: the plan, the lock line and progress lines; no remote commands', async () => {
    const sim = new SimCluster(topologyOf(text));
    const c = ctx();
    expect(await runApply([file()], { yes: true }, c, applyDeps(sim))).toBe(0);
    expect(c.out()).toContain('Plan: ');
    expect(c.out()).toContain('Cluster lock ');
    expect(c.err()).toContain('warning[SSH_HOST_KEYS_UNCHECKED]');
    expect(c.err()).toMatch(/✔ start svc\/scm1 on scm1/);
    expect(c.err()).not.toContain('remote command');
  });

  it('verbose plan: each remote command with its host and duration, as timestamped DEBUG lines', async () => {
    const sim = new SimCluster(topologyOf(text));
    const c = ctx('debug');
    expect(await runPlan([file()], {}, c, { connect: sim.connect as never, bundle: BUNDLE_INFO })).toBe(2);
    const debug = c.err().split('\n').filter((l) => l.includes(' DEBUG remote command '));
    expect(debug.length).toBeGreaterThan(3);
    for (const l of debug) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z DEBUG remote command host=scm[123] .*ms=\d+/);
    const plain = ctx();
    expect(await runPlan([file()], {}, plain, { connect: sim.connect as never, bundle: BUNDLE_INFO })).toBe(2);
    expect(plain.err()).not.toContain('DEBUG');
    expect(plain.out()).toBe(c.out()); // stdout does not change with the level
  });
});

describe('the remote command log', () => {
  it('names the command (first line, shortened), its host, duration and exit; never stdin', async () => {
    const lines: string[] = [];
    const clock = new FakeClock(0);
    const host = new FakeHost({ name: 'scm2', responders: [{ match: /^ozone admin/, reply: { stdout: 'ok\n' } }] });
    const logged = withCommandLog(host, createLogger({ sink: { write: (l) => lines.push(l) }, level: 'debug', now: () => new Date(0) }), clock);
    await logged.exec(sh`ozone admin scm roles --json`, { stdin: 'secret-token\n' });
    expect(lines).toEqual(['1970-01-01T00:00:00.000Z DEBUG remote command host=scm2 ran="ozone admin scm roles --json" ms=0 exit=0\n']);
    expect(commandName(`\n  set -e\n${'x'.repeat(200)}`)).toBe('set -e');
    expect(commandName('y'.repeat(150))).toBe(`${'y'.repeat(100)}…`);
  });
});
