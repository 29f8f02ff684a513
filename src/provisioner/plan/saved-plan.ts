/**
 * Saved plans (`scmctl plan --out plan.json`, then `scmctl apply plan.json`): the plan, every input the
 * planner took besides the facts (the normalised topology, the `--ignore-preflight-errors` list, the bundle
 * identity as `plan.bundle`), and the fingerprint of the facts (fingerprint.ts). Apply re-reads the hosts and
 * refuses the plan (PLAN_STALE) when any host's fingerprint changed, and plans again from these inputs: it
 * runs only a plan equal to the saved one (PLAN_TAMPERED otherwise, saved-plan-check.ts). No secrets are
 * inside: the topology names environment variables only, and rendered files carry none.
 */
import type { Topology } from '../topology/model.js';
import { API_VERSION } from '../topology/model.js';
import { PlanError } from './plan-error.js';
import { PLAN_FORMAT, type Plan } from './plan-model.js';

export const SAVED_PLAN_FORMAT = 'scmctl-saved-plan/v1';

export interface SavedPlan {
  readonly format: typeof SAVED_PLAN_FORMAT;
  readonly createdAt: string;
  readonly scmctlVersion: string;
  /** the topology file it was planned from (for messages and the journal) */
  readonly topologyFile: string;
  readonly topology: Topology;
  readonly ignorePreflightErrors: readonly string[];
  /** host → fingerprint of the facts */
  readonly fingerprint: Readonly<Record<string, string>>;
  readonly plan: Plan;
}

export function serializeSavedPlan(p: SavedPlan): string {
  return `${JSON.stringify(p, null, 2)}\n`;
}

/** Whether a file's text is a saved plan (rather than a topology). */
export function looksLikeSavedPlan(text: string): boolean {
  return /^\s*\{/.test(text) && text.includes(`"${SAVED_PLAN_FORMAT}"`);
}

export function parseSavedPlan(text: string, path: string): SavedPlan {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (err) {
    throw new PlanError('PLAN_FILE_INVALID', `${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const p = o as Partial<SavedPlan>;
  if (
    typeof o !== 'object' ||
    o === null ||
    p.format !== SAVED_PLAN_FORMAT ||
    p.plan?.format !== PLAN_FORMAT ||
    p.topology?.apiVersion !== API_VERSION ||
    typeof p.fingerprint !== 'object' ||
    !Array.isArray(p.plan.phases)
  ) {
    throw new PlanError('PLAN_FILE_INVALID', `${path} is not a plan saved by this scmctl (${SAVED_PLAN_FORMAT})`, { hint: 'make it again with `scmctl plan FILE --out plan.json`' });
  }
  return p as SavedPlan;
}
