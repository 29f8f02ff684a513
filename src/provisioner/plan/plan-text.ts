/**
 * A plan as text for people (`scmctl plan`, and `scmctl apply` before it asks): the phases in order with
 * their tasks, each file change with its unified diff indented below it, failed and ignored preflight checks
 * one per line (passing ones counted), refused states with their codes and fixes, and a closing summary:
 * `Plan: N changes (...)` or `No changes. The cluster matches the topology.`
 */
import { allTasks, changeCount, isRunnable, type Plan, type Task } from './plan-model.js';

export const NO_CHANGES = 'No changes. The cluster matches the topology.';

function marker(t: Task): string {
  switch (t.kind) {
    case 'write-file':
      return t.title.startsWith('create') ? '+' : '~';
    case 'install-runtime':
    case 'create-directories':
    case 'init-scm':
    case 'bootstrap-scm':
    case 'backup-scm':
    case 'restore-scm':
      return '+';
    case 'decommission-scm':
      return '-';
    case 'set-aside-scm-data':
      return '>';
    case 'install-keytab':
      return '+';
    case 'mark-restart-pending':
    case 'start-scm':
    case 'restart-scm':
    case 'stop-scm':
      return '~';
    case 'wait-ring':
    case 'verify-service':
    case 'verify-containers':
      return '?';
    default: {
      const never: never = t;
      return String(never);
    }
  }
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .filter((l, i, a) => !(i === a.length - 1 && l === ''))
    .map((l) => prefix + l)
    .join('\n');
}

export function summaryLine(plan: Plan): string {
  if (!isRunnable(plan)) return 'The plan cannot be applied: see the errors above.';
  const n = changeCount(plan);
  if (n === 0) return NO_CHANGES;
  const tasks = allTasks(plan);
  const count = (pred: (t: Task) => boolean): number => tasks.filter(pred).length;
  const parts: readonly (readonly [number, string, string])[] = [
    [count((t) => t.kind === 'install-runtime'), 'runtime install', 'runtime installs'],
    [count((t) => t.kind === 'create-directories'), 'host with new directories', 'hosts with new directories'],
    [plan.fileChanges.filter((f) => f.action === 'create').length, 'file to create', 'files to create'],
    [plan.fileChanges.filter((f) => f.action === 'update').length, 'file to update', 'files to update'],
    [count((t) => t.kind === 'backup-scm'), 'backup', 'backups'],
    [count((t) => t.kind === 'restore-scm'), 'restore from a backup', 'restores from a backup'],
    [count((t) => t.kind === 'set-aside-scm-data'), 'node\'s data set aside', 'nodes\' data set aside'],
    [count((t) => t.kind === 'stop-scm'), 'stop', 'stops'],
    [count((t) => t.kind === 'init-scm'), 'init', 'inits'],
    [count((t) => t.kind === 'bootstrap-scm'), 'bootstrap', 'bootstraps'],
    [count((t) => t.kind === 'decommission-scm'), 'removal from the ring', 'removals from the ring'],
    [count((t) => t.kind === 'start-scm'), 'start', 'starts'],
    [count((t) => t.kind === 'restart-scm'), 'restart', 'restarts'],
    [count((t) => t.kind === 'mark-restart-pending'), 'restart marker', 'restart markers'],
  ];
  const text = parts
    .filter(([c]) => c > 0)
    .map(([c, one, many]) => `${c} ${c === 1 ? one : many}`)
    .join(', ');
  return `Plan: ${n} change${n === 1 ? '' : 's'} (${text}).`;
}

export function formatPlan(plan: Plan, options: { diffs?: boolean } = {}): string {
  const out: string[] = [];
  const hostCount = Object.keys(plan.hosts).length;
  const serviceCount = new Set(Object.values(plan.nodes).map((n) => n.serviceId)).size;
  out.push(`Plan for cluster ${plan.cluster} (${hostCount} host${hostCount === 1 ? '' : 's'}, ${serviceCount} SCM service${serviceCount === 1 ? '' : 's'})`);
  if (plan.bundle) out.push(`runtime release ${plan.bundle.release}${plan.bundle.bundledNode ? ' (with Node.js)' : ''}`);
  for (const phase of plan.phases) {
    out.push('', phase.title);
    if (phase.id === 'preflight') {
      const passed = plan.preflight.filter((c) => c.status === 'pass');
      const hosts = new Set(passed.map((c) => c.host)).size;
      if (passed.length > 0) out.push(`  ✓ ${passed.length} check${passed.length === 1 ? '' : 's'} passed on ${hosts} host${hosts === 1 ? '' : 's'}`);
      for (const c of plan.preflight.filter((x) => x.status !== 'pass')) {
        out.push(`  ${c.status === 'fail' ? '✗' : '!'} [${c.check}] ${c.host}: ${c.code ? `error[${c.code}] ` : ''}${c.message}${c.status === 'ignored' ? ' (ignored)' : ''}`);
      }
      for (const p of plan.problems) out.push(`  ✗ error[${p.code}]: ${p.message}`, `      hint: ${p.hint}`);
      continue;
    }
    if (phase.tasks.length === 0) {
      out.push('  (nothing to do)');
      continue;
    }
    if (phase.rollback) out.push(`  rollback: ${phase.rollback}`);
    for (const t of phase.tasks) {
      out.push(`  ${marker(t)} ${t.title}`);
      if (t.kind === 'write-file' && options.diffs !== false) {
        const change = plan.fileChanges.find((f) => f.host === t.host && f.path === t.path);
        if (change?.diff) out.push(indent(change.diff, '      '));
      }
    }
  }
  out.push('', summaryLine(plan));
  return `${out.join('\n')}\n`;
}
