/** The journal: fsynced NDJSON lines, the last run's state (ended, done tasks, task in flight), torn lines. */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, readLastRun } from '../../../src/provisioner/apply/journal.js';
import { resumable } from '../../../src/provisioner/commands/locked-plan-run.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function path(): string {
  const d = mkdtempSync(join(tmpdir(), 'scmctl-journal-'));
  dirs.push(d);
  return join(d, 'sub', 'c.ndjson');
}

const start = { applyId: 'a1', lockId: 'l1', hostname: 'op', pid: 999_999_999, cluster: 'c', topologyFile: '/x.yaml' };
const task = (id: string) => ({ id, kind: 'write-file' as const, title: `t ${id}`, host: 'h' });

describe('journal', () => {
  it('records a run; the last run shows what finished and what was in flight', () => {
    const p = path();
    const j = Journal.begin(p, start);
    j.record({ type: 'task-start', phase: 'files', task: task('1') });
    j.record({ type: 'task-done', task: task('1'), durationMs: 1 });
    j.record({ type: 'task-start', phase: 'files', task: task('2') });
    appendFileSync(p, '{"t":"torn'); // killed while writing
    const last = readLastRun(p)!;
    expect(last).toMatchObject({ ended: false, outcome: null, done: ['1'], inFlight: 't 2' });
    expect(last.start).toMatchObject(start);
    expect(resumable(last, 'op')).toBe(last); // its pid does not exist
    expect(resumable(last, 'other-machine')).toBeNull();
    expect(resumable({ ...last, start: { ...last.start, pid: process.pid } }, 'op')).toBeNull();
  });

  it('an ended run is not resumable; a new run replaces the file, a resumed one appends', () => {
    const p = path();
    Journal.begin(p, start).end('ok');
    expect(readLastRun(p)).toMatchObject({ ended: true, outcome: 'ok' });
    expect(resumable(readLastRun(p), 'op')).toBeNull();
    Journal.begin(p, { ...start, applyId: 'a2' });
    expect(readFileSync(p, 'utf8').trim().split('\n')).toHaveLength(1);
    Journal.begin(p, { ...start, applyId: 'a3', resumes: 'a2' });
    expect(readFileSync(p, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(readLastRun(p)!.start.applyId).toBe('a3');
  });

  it('no journal: nothing to resume', () => {
    expect(readLastRun(join(tmpdir(), 'does-not-exist.ndjson'))).toBeNull();
  });
});
