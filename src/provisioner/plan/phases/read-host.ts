/** A host's facts when they could be read, else null (the ssh/facts checks of preflight say why). */
import type { ClusterFacts } from '../cluster-facts.js';
import type { ReadHost } from './phase-context.js';

export function readHost(facts: ClusterFacts, name: string): ReadHost | null {
  const h = facts.hosts[name];
  return h && h.ok ? h : null;
}
