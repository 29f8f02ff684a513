/**
 * What the executor reports while it runs; the listr2 view, the NDJSON output and the journal all consume
 * these. Events carry titles, hosts and codes, never file contents or secrets.
 */
import type { PhaseId, TaskKind } from '../plan/plan-model.js';

export interface TaskRef {
  readonly id: string;
  readonly kind: TaskKind;
  readonly title: string;
  readonly host: string;
}

export type ApplyEvent =
  | { readonly type: 'phase-start'; readonly phase: PhaseId; readonly title: string; readonly tasks: number }
  | { readonly type: 'phase-done'; readonly phase: PhaseId; readonly title: string }
  | { readonly type: 'task-start'; readonly phase: PhaseId; readonly task: TaskRef }
  | { readonly type: 'task-progress'; readonly task: TaskRef; readonly message: string }
  | { readonly type: 'task-done'; readonly task: TaskRef; readonly durationMs: number; readonly detail?: string }
  | { readonly type: 'task-failed'; readonly task: TaskRef; readonly durationMs: number; readonly code: string; readonly message: string; readonly hint?: string }
  | { readonly type: 'task-skipped'; readonly task: TaskRef; readonly reason: string }
  /** a heartbeat while a task waits (every 10 s; wait-until.ts): what for, for how long, and the limit */
  | { readonly type: 'task-waiting'; readonly task: TaskRef; readonly what: string; readonly elapsedMs: number; readonly limitMs: number };

export type ApplyEventSink = (event: ApplyEvent) => void;
