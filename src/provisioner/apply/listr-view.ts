/**
 * The progress view of `scmctl apply`: the only user of listr2 in the provisioner (the adapter). It renders
 * the executor's events; it does not run anything itself. Each plan task becomes a listr task whose promise
 * settles when the executor reports it done, failed or skipped; each phase is a parent task (its subtasks
 * concurrent for per-host phases). On a terminal the default renderer draws the tree (a heartbeat of a long
 * wait shows as the task's output); otherwise (`tty: false`) the run gets plain lines with the time and the
 * elapsed time, and heartbeats (progress-lines.ts).
 */
import { Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import { systemClock, type Clock } from '../../common/clock.js';
import type { Phase, Plan } from '../plan/plan-model.js';
import type { ApplyEvent } from './apply-events.js';
import { startProgressLines } from './progress-lines.js';
import { heartbeatText } from './wait-until.js';

export interface ViewStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

type Settle = { readonly kind: 'done'; readonly detail?: string } | { readonly kind: 'failed'; readonly message: string } | { readonly kind: 'skipped'; readonly reason: string };

interface Slot {
  readonly promise: Promise<Settle>;
  resolve(s: Settle): void;
  progress?: (message: string) => void;
}

function slot(): Slot {
  let resolve!: (s: Settle) => void;
  const promise = new Promise<Settle>((r) => (resolve = r));
  return { promise, resolve };
}

export interface ListrView {
  onEvent(e: ApplyEvent): void;
  /** settles every task not reported yet as skipped and waits for the renderer to finish */
  close(): Promise<void>;
}

export interface ViewOptions {
  /** draw the tree (a terminal); false: plain lines */
  readonly tty: boolean;
  /** the run's clock, for the times of plain lines; default the system clock */
  readonly clock?: Clock;
  /** plain lines: also each task's progress messages (--verbose) */
  readonly detail?: boolean;
}

export function startListrView(plan: Plan, stream: ViewStream, options: ViewOptions): ListrView {
  if (!options.tty) return startProgressLines(plan, stream, { clock: options.clock ?? systemClock, ...(options.detail !== undefined ? { detail: options.detail } : {}) });
  const slots = new Map<string, Slot>();
  // every slot exists before anything runs: events may arrive before listr reaches a phase
  for (const p of plan.phases) for (const t of p.tasks) slots.set(t.id, slot());
  const out = stream as unknown as NodeJS.WriteStream;
  const logger = new ListrLogger({ processOutput: new ProcessOutput(out, out, { dump: [] }) });
  const phaseTask = (p: Phase): ListrTask => ({
    title: p.title,
    task: (_ctx, task) =>
      task.newListr(
        p.tasks.map((t) => {
          const s = slots.get(t.id)!;
          return {
            title: t.title,
            task: async (_c, sub): Promise<void> => {
              s.progress = (m: string): void => {
                sub.output = m;
              };
              const r = await s.promise;
              if (r.kind === 'skipped') sub.skip(`${t.title} (skipped: ${r.reason})`);
              else if (r.kind === 'failed') throw new Error(r.message);
              else if (r.detail) sub.title = `${t.title}: ${r.detail}`;
            },
          } satisfies ListrTask;
        }),
        { concurrent: p.mode === 'per-host', exitOnError: false },
      ),
  });
  const list = new Listr(
    plan.phases.filter((p) => p.id !== 'preflight' && p.tasks.length > 0).map(phaseTask),
    {
      concurrent: false,
      exitOnError: false,
      registerSignalListeners: false,
      renderer: options.tty ? 'default' : 'simple',
      fallbackRenderer: 'simple',
      fallbackRendererCondition: !options.tty,
      rendererOptions: { logger, collapseSubtasks: false },
      fallbackRendererOptions: { logger },
    } as ConstructorParameters<typeof Listr>[1],
  );
  const running = list.run().catch(() => undefined);
  return {
    onEvent(e) {
      switch (e.type) {
        case 'task-progress':
          slots.get(e.task.id)?.progress?.(e.message);
          return;
        case 'task-waiting':
          slots.get(e.task.id)?.progress?.(heartbeatText(e));
          return;
        case 'task-done':
          slots.get(e.task.id)?.resolve({ kind: 'done', ...(e.detail ? { detail: e.detail } : {}) });
          return;
        case 'task-failed':
          slots.get(e.task.id)?.resolve({ kind: 'failed', message: `[${e.code}] ${e.message}` });
          return;
        case 'task-skipped':
          slots.get(e.task.id)?.resolve({ kind: 'skipped', reason: e.reason });
          return;
        default:
          return;
      }
    },
    async close() {
      // a settled promise ignores later resolves: this only settles tasks nobody reported
      for (const s of slots.values()) s.resolve({ kind: 'skipped', reason: 'not run' });
      await running;
    },
  };
}
