/**
 * The apply journal: NDJSON on the operator machine (`<state dir>/journal/<cluster>-<id8>.ndjson`), one
 * line per event, appended and fsynced, so a killed apply leaves an exact record. Lines hold ids, titles,
 * hosts, codes and times: never file contents or secrets.
 *
 * The journal is the record, the hosts are the truth: a re-run plans again from fresh facts (done tasks
 * are no longer in the plan), and uses the journal to say what it resumes and to take over its own lock
 * when the process that held it is gone.
 */
import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ApplyError } from './apply-error.js';
import type { ApplyEvent } from './apply-events.js';

export interface RunStart {
  readonly applyId: string;
  readonly lockId: string;
  readonly hostname: string;
  readonly pid: number;
  readonly cluster: string;
  readonly topologyFile: string;
  /** true when this run resumes an interrupted one */
  readonly resumes?: string;
}

export type JournalLine =
  | ({ readonly t: string; readonly type: 'begin' } & RunStart)
  | { readonly t: string; readonly type: 'task-start' | 'task-done' | 'task-skipped'; readonly id: string; readonly title: string; readonly host: string }
  | { readonly t: string; readonly type: 'task-failed'; readonly id: string; readonly title: string; readonly host: string; readonly code: string; readonly message: string }
  | { readonly t: string; readonly type: 'end'; readonly outcome: 'ok' | 'failed' | 'interrupted' };

export interface LastRun {
  readonly start: RunStart & { readonly t: string };
  readonly ended: boolean;
  readonly outcome: 'ok' | 'failed' | 'interrupted' | null;
  readonly done: readonly string[];
  /** the title of the last task started and not finished */
  readonly inFlight: string | null;
}

export class Journal {
  private constructor(
    readonly path: string,
    private readonly now: () => Date,
  ) {}

  /** Starts a new record (the file is replaced unless this run resumes the last one). */
  static begin(path: string, start: RunStart, now: () => Date = () => new Date()): Journal {
    const j = new Journal(path, now);
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      const line = `${JSON.stringify({ t: now().toISOString(), type: 'begin', ...start })}\n`;
      if (start.resumes) appendFileSync(path, '');
      const fd = openSync(path, start.resumes ? 'a' : 'w', 0o600);
      try {
        writeSync(fd, line);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      throw new ApplyError('APPLY_STATE_FAILED', `cannot write the apply journal ${path}: ${(err as Error).message}`, { cause: err, hint: 'set SCMCTL_STATE_DIR to a writable directory' });
    }
    return j;
  }

  private write(o: Record<string, unknown>): void {
    const fd = openSync(this.path, 'a');
    try {
      writeSync(fd, `${JSON.stringify({ t: this.now().toISOString(), ...o })}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  record(e: ApplyEvent): void {
    switch (e.type) {
      case 'task-start':
      case 'task-done':
      case 'task-skipped':
        this.write({ type: e.type, id: e.task.id, title: e.task.title, host: e.task.host });
        return;
      case 'task-failed':
        this.write({ type: e.type, id: e.task.id, title: e.task.title, host: e.task.host, code: e.code, message: e.message });
        return;
      default:
        return;
    }
  }

  end(outcome: 'ok' | 'failed' | 'interrupted'): void {
    this.write({ type: 'end', outcome });
  }
}

/** The last run recorded in a journal file, or null when there is none. */
export function readLastRun(path: string): LastRun | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const lines: JournalLine[] = [];
  for (const l of text.split('\n')) {
    if (!l.trim()) continue;
    try {
      lines.push(JSON.parse(l) as JournalLine);
    } catch {
      // a torn last line (killed while writing): ignore it
    }
  }
  let beginAt = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]!.type === 'begin') {
      beginAt = i;
      break;
    }
  }
  if (beginAt < 0) return null;
  const start = lines[beginAt] as Extract<JournalLine, { type: 'begin' }>;
  const rest = lines.slice(beginAt + 1);
  const done = rest.filter((l) => l.type === 'task-done').map((l) => (l as { id: string }).id);
  const started = new Map<string, string>();
  for (const l of rest) {
    if (l.type === 'task-start') started.set(l.id, l.title);
    else if (l.type === 'task-done' || l.type === 'task-failed' || l.type === 'task-skipped') started.delete(l.id);
  }
  const end = rest.find((l) => l.type === 'end') as Extract<JournalLine, { type: 'end' }> | undefined;
  return { start, ended: end !== undefined, outcome: end?.outcome ?? null, done, inFlight: [...started.values()].pop() ?? null };
}
