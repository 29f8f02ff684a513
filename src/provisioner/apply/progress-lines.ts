/**
 * The progress of a run as plain lines, for a log rather than a terminal (stderr is not a TTY, or NO_COLOR
 * is set): one line per state change, each with the wall time and the time since the run began, so a log
 * read later says when each step happened and how long it took:
 *
 *   2026-12-07T10:00:00Z +0s     Bootstrap and start the other SCMs (2 tasks)
 *   2026-12-07T10:00:00Z +0s     … bootstrap svc/scm2 on scm2
 *   2026-12-07T10:00:41Z +41s      still waiting for svc/scm2 to join the ring (one leader): 40 s / 90 s
 *   2026-12-07T10:00:44Z +44s    ✔ bootstrap svc/scm2 on scm2: clusterID CID-… (44.1 s)
 *
 * Heartbeats (task-waiting events, every 10 s of a wait) prove the run is alive during long waits. A task's
 * own progress messages are shown with `detail` (--verbose). Time comes from the run's Clock.
 */
import type { Clock } from '../../common/clock.js';
import type { Plan } from '../plan/plan-model.js';
import type { ApplyEvent } from './apply-events.js';
import { heartbeatText } from './wait-until.js';

export interface LineStream {
  write(chunk: string): unknown;
}

export interface ProgressLines {
  onEvent(e: ApplyEvent): void;
  /** reports every task no event settled as skipped ("not run") */
  close(): Promise<void>;
}

/** `+5s`, `+1m05s`, `+1h02m` */
export function elapsedText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `+${s}s`;
  if (s < 3600) return `+${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `+${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function duration(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function startProgressLines(plan: Plan, stream: LineStream, options: { readonly clock: Clock; readonly detail?: boolean }): ProgressLines {
  const { clock } = options;
  const began = clock.now();
  const open = new Set(plan.phases.filter((p) => p.id !== 'preflight').flatMap((p) => p.tasks.map((t) => t.id)));
  const titles = new Map(plan.phases.flatMap((p) => p.tasks.map((t) => [t.id, t.title] as const)));
  const line = (indent: string, text: string): void => {
    const at = clock.wallTime().toISOString().replace(/\.\d{3}Z$/, 'Z');
    stream.write(`${at} ${elapsedText(clock.now() - began).padEnd(7)} ${indent}${text}\n`);
  };
  return {
    onEvent(e) {
      switch (e.type) {
        case 'phase-start':
          line('', `${e.title} (${e.tasks} task${e.tasks === 1 ? '' : 's'})`);
          return;
        case 'task-start':
          line('  ', `… ${e.task.title}`);
          return;
        case 'task-progress':
          if (options.detail) line('    ', `${e.task.title}: ${e.message}`);
          return;
        case 'task-waiting':
          line('    ', heartbeatText(e));
          return;
        case 'task-done':
          open.delete(e.task.id);
          line('  ', `✔ ${e.task.title}${e.detail ? `: ${e.detail}` : ''} (${duration(e.durationMs)})`);
          return;
        case 'task-failed':
          open.delete(e.task.id);
          line('  ', `✖ ${e.task.title}: [${e.code}] ${e.message} (${duration(e.durationMs)})`);
          return;
        case 'task-skipped':
          open.delete(e.task.id);
          line('  ', `↓ ${e.task.title} (skipped: ${e.reason})`);
          return;
        default:
          return;
      }
    },
    async close() {
      for (const id of open) line('  ', `↓ ${titles.get(id) ?? id} (skipped: not run)`);
      open.clear();
    },
  };
}
