/**
 * A failed preflight check says what to fix. A directory the SCM user cannot write (EACCES on the host)
 * names its owner and mode and how to give it to that user (or to work as root); it never suggests
 * --ignore-preflight-errors, which would only move the failure into apply. Checks that may be wrong about
 * a host (clock, disk, ports) still mention it, after the fix.
 */
import { describe, expect, it } from 'vitest';
import { preflightError } from '../../../src/provisioner/commands/cluster-input.js';
import { plan } from '../../../src/provisioner/plan/planner.js';
import { BUNDLE, buildFacts, threeNodeText, topologyOf, type ClusterState } from './cluster-fixture.js';

const failedOf = (text: string, state: ClusterState) => {
  const t = topologyOf(text);
  return plan({ topology: t, ...buildFacts(t, state), bundle: BUNDLE }).preflight.filter((c) => c.status === 'fail');
};

describe('preflight: what to fix', () => {
  it('an unwritable directory: owner, mode and the chown to run; no --ignore-preflight-errors (PLAN_PREFLIGHT_FAILED)', () => {
    const failed = failedOf(threeNodeText(), { hosts: { scm3: { dirs: true, unwritable: ['/srv/scm3/meta'] } } });
    expect(failed.map((c) => `${c.check} ${c.host}`)).toEqual(['directories scm3']);
    const c = failed[0]!;
    expect(c.message).toBe('/srv/scm3/meta is not writable by ozone (owner ozone:ozone, mode 0755)');
    expect(c.hint).toBe('give ozone the directories (on scm3: sudo mkdir -p /srv/scm3/meta && sudo chown ozone /srv/scm3/meta), or let scmctl work as root: ssh.become.enabled: true');
    const err = preflightError(failed);
    expect(err.code).toBe('PLAN_PREFLIGHT_FAILED');
    expect(err.hint).toBe(c.hint);
    expect(err.hint).not.toContain('--ignore-preflight-errors');
  });

  it('with become, root cannot write either: the hint says read-only, not chown', () => {
    const failed = failedOf(threeNodeText({ become: true }), { hosts: { scm2: { dirs: true, unwritable: ['/srv/scm2/meta'] } } });
    expect(failed.map((c) => c.check)).toEqual(['directories']);
    expect(failed[0]!.hint).toContain('through sudo cannot write /srv/scm2/meta on scm2: the file system is read-only');
    expect(failed[0]!.hint).not.toContain('chown');
  });

  it('clock skew and low disk: the fix first, then the option to let a wrong check warn', () => {
    const failed = failedOf(threeNodeText(), { hosts: { scm1: { skewMs: 60_000 }, scm2: { freeBytes: 1024 } } });
    expect(failed.map((c) => c.check).sort()).toEqual(['clock-skew', 'disk', 'disk']);
    const hint = preflightError(failed).hint!;
    expect(hint).toContain('synchronise the clock of scm1');
    expect(hint).toContain('free space on / of scm2');
    expect(hint).toMatch(/; only when a check is wrong about a host, let it warn with --ignore-preflight-errors=(disk,clock-skew|clock-skew,disk)$/);
  });
});
