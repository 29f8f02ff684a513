/**
 * The progress view renders executor events: plain lines when not on a terminal (progress-lines.ts; times and
 * heartbeats are tested in progress-lines.test.ts), one per state change, with done/failed/skipped tasks;
 * close() settles tasks nobody reported and returns.
 */
import { describe, expect, it } from 'vitest';
import { startListrView } from '../../../src/provisioner/apply/listr-view.js';
import type { TaskRef } from '../../../src/provisioner/apply/apply-events.js';
import { allTasks } from '../../../src/provisioner/plan/plan-model.js';
import { plan } from '../../../src/provisioner/plan/planner.js';
import { BUNDLE, buildFacts, threeNodeText, topologyOf } from '../plan/cluster-fixture.js';

function freshPlan() {
  const t = topologyOf(threeNodeText());
  return plan({ topology: t, ...buildFacts(t, {}), bundle: BUNDLE });
}

const ref = (t: { id: string; kind: TaskRef['kind']; title: string; host: string }): TaskRef => ({ id: t.id, kind: t.kind, title: t.title, host: t.host });

describe('listr view', () => {
  it('prints plain lines for done, failed and skipped tasks when not on a terminal', async () => {
    const p = freshPlan();
    let out = '';
    const view = startListrView(p, { write: (s: string) => (out += s), isTTY: false }, { tty: false });
    const tasks = allTasks(p);
    for (const t of tasks.slice(0, 3)) {
      view.onEvent({ type: 'task-progress', task: ref(t), message: 'upload' });
      view.onEvent({ type: 'task-done', task: ref(t), durationMs: 5, detail: 'installed 0.1.0' });
    }
    const bad = tasks[3]!;
    view.onEvent({ type: 'task-failed', task: ref(bad), durationMs: 1, code: 'APPLY_DIRECTORY_FAILED', message: 'host scm1: mkdir failed' });
    for (const t of tasks.slice(4)) view.onEvent({ type: 'task-skipped', task: ref(t), reason: 'an earlier task failed' });
    await view.close();
    expect(out).toContain(`${tasks[0]!.title}: installed 0.1.0`);
    expect(out).toContain('[APPLY_DIRECTORY_FAILED] host scm1: mkdir failed');
    expect(out).toContain(`${tasks[5]!.title} (skipped: an earlier task failed)`);
    expect(out).not.toMatch(/\u001b\[\d*[ABKJ]/); // no cursor movement: plain lines
  });

  it('close() returns even when the executor reported nothing (everything becomes skipped)', async () => {
    const p = freshPlan();
    let out = '';
    const view = startListrView(p, { write: (s: string) => (out += s) }, { tty: false });
    await view.close();
    expect(out).toContain('(skipped: not run)');
  });
});
