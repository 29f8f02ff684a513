/**
 * Which SCM reads each service's ring while a cluster's facts are gathered. `ozone admin scm roles` answers
 * with the leader's view of the ring whichever SCM of the service runs it, and the plan uses one answer per
 * service: that of the first running node, in the topology's order, whose roles answered
 * (dangerous-states.ts serviceRing). Asking it on every SCM host started a Node.js (or a JVM) on each of them
 * for answers nobody read (issue 13). So:
 *  - a running node asks at once when every node before it is known to have no answer (not running, its
 *    host unreadable, or its roles failed): the first node of a healthy service asks right away;
 *  - a node after one that answered does not ask (its roles stay null: not asked);
 *  - a node whose predecessors are still being read waits for nothing: it is "deferred", and after gathering
 *    the deferred nodes of a service without an answer are asked one by one, in order, until one answers.
 * The answer the plan uses is thus the one it used when every node was asked; nothing waits inside a host's
 * reading, so no order of hosts or concurrency limit can deadlock.
 *
 * With the embedded runtime the first node of each service starts asking at once (RolesTurn.early), beside
 * its host's first reads rather than two round trips after them: `bin/ozone admin scm roles` is a short
 * Node.js start there, and any SCM of the service answers with the leader's view even when the local one
 * is stopped (the answer is then dropped, as the node does not run). A real Ozone release starts a JVM for
 * it, so there the node asks only once it is known to run.
 */
import type { RolesFacts } from '../facts/host-facts.js';
import type { RolesTurn } from '../facts/scm-probe.js';
import type { Topology } from '../topology/model.js';
import { nodeKey, type NodeKey } from './plan-model.js';

type ReadState = 'pending' | 'asking' | 'answered' | 'no-answer' | 'deferred' | 'not-asked';

export class RingReads {
  private readonly order = new Map<NodeKey, readonly NodeKey[]>();
  private readonly state = new Map<NodeKey, ReadState>();
  private readonly services: readonly (readonly NodeKey[])[];
  private readonly earlyAsk: boolean;

  constructor(topology: Topology) {
    this.earlyAsk = topology.runtime.kind === 'embedded';
    this.services = topology.services.map((s) => s.nodes.map((n) => nodeKey(n.serviceId, n.nodeId)));
    for (const keys of this.services) {
      keys.forEach((k, i) => {
        this.order.set(k, keys.slice(0, i));
        this.state.set(k, 'pending');
      });
    }
  }

  /** The turn of one node, for gatherFacts. */
  turn(key: NodeKey): RolesTurn {
    return {
      early: this.earlyAsk && (this.order.get(key) ?? []).length === 0,
      decide: (running) => this.decide(key, running),
      answered: (roles) => this.answered(key, roles),
    };
  }

  answered(key: NodeKey, roles: RolesFacts): void {
    this.state.set(key, roles.ok ? 'answered' : 'no-answer');
  }

  /** The host of these nodes has been read (or could not be): a node still pending or asking has no answer. */
  settle(keys: readonly NodeKey[]): void {
    for (const k of keys) {
      const s = this.state.get(k);
      if (s === 'pending' || s === 'asking') this.state.set(k, 'no-answer');
    }
  }

  /** Per service without an answer, its deferred nodes in order: to ask one by one until one answers. */
  deferred(): NodeKey[][] {
    return this.services
      .filter((keys) => !keys.some((k) => this.state.get(k) === 'answered'))
      .map((keys) => keys.filter((k) => this.state.get(k) === 'deferred'))
      .filter((keys) => keys.length > 0);
  }

  private decide(key: NodeKey, running: boolean): boolean {
    if (!running) {
      this.state.set(key, 'no-answer');
      return false;
    }
    const before = (this.order.get(key) ?? []).map((k) => this.state.get(k));
    if (before.includes('answered')) {
      this.state.set(key, 'not-asked');
      return false;
    }
    if (before.every((s) => s === 'no-answer')) {
      this.state.set(key, 'asking');
      return true;
    }
    this.state.set(key, 'deferred');
    return false;
  }
}
