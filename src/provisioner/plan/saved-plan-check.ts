/**
 * Why `scmctl apply plan.json` can trust a saved plan: it does not. The plan file is plain JSON on the
 * operator's disk; an edited task (a `write-file` of an executable to another path under an innocent title)
 * would otherwise run as written. Instead apply re-derives the plan from the plan's own inputs and runs the
 * plan it derived, only when that equals the saved one (docs/plan-apply.md §6):
 *
 *  1. `savedTopology`: the embedded topology (the normalised model) is printed as a topology file and loaded
 *     again by the ordinary loader — schema, references, rules. It must load without error and give back
 *     exactly the embedded model. Before any host is contacted.
 *  2. apply reads fresh facts (PLAN_STALE when a host's fingerprint changed), renders the files again and
 *     plans again with the saved inputs: the topology, the saved `--ignore-preflight-errors` list and the
 *     saved bundle identity (`plan.bundle`, checked against the bundle at hand).
 *  3. `checkSamePlan`: the new plan must equal the saved one in everything apply acts on or shows: phases and
 *     tasks (ids, titles, paths, contents, modes, …), nodes, hosts, bundle, timeouts, file diffs, refused
 *     states. Preflight results are not compared (their messages carry measurements such as free space and
 *     clock skew that differ between two reads); the new plan's own preflight is what counts.
 *
 * Any failure is PLAN_TAMPERED naming the first difference, thrown before the cluster lock or the journal:
 * nothing is done on any host. Re-planning was chosen over a keyed MAC (docs/plan-apply.md §6): it needs no
 * key to keep, rotate or back up, it also catches a plan that an older or buggy scmctl made, and what runs is
 * always a plan this scmctl computed from validated inputs, never bytes read from the file.
 */
import { exportYaml } from '../topology/export-yaml.js';
import { loadTopologyText } from '../topology/load.js';
import type { Topology } from '../topology/model.js';
import { firstDifference, type JsonPath } from './first-difference.js';
import { PlanError } from './plan-error.js';
import type { Plan } from './plan-model.js';
import type { SavedPlan } from './saved-plan.js';

const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v ?? null)) as unknown;

function short(v: unknown): string {
  if (v === undefined) return 'absent';
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function pathText(path: JsonPath): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '');
}

function tampered(file: string, what: string, hint: string): PlanError {
  return new PlanError('PLAN_TAMPERED', `refusing the saved plan ${file}: ${what}; nothing was done on any host`, { hint });
}

/** The embedded topology, validated as a topology file is and equal to what loading it gives; else PLAN_TAMPERED. */
export function savedTopology(saved: SavedPlan, file: string): Topology {
  const again = `make a new plan from the topology file and review it: scmctl plan ${saved.topologyFile} --out ${file}`;
  let text: string;
  try {
    text = exportYaml(saved.topology);
  } catch (err) {
    throw tampered(file, `its topology is not a topology scmctl wrote (${err instanceof Error ? err.message : String(err)})`, again);
  }
  const loaded = loadTopologyText(text, `${file} (embedded topology)`);
  if (!loaded.topology) {
    const first = loaded.diagnostics.find((d) => d.severity === 'error')!;
    throw tampered(file, `its topology does not validate: ${first.code} ${first.summary}`, again);
  }
  const d = firstDifference(json(saved.topology), json(loaded.topology));
  if (d) throw tampered(file, `its topology differs from what it loads as at topology.${pathText(d.path)} (${short(d.a)} in the file, ${short(d.b)} loaded)`, again);
  if (!Array.isArray(saved.ignorePreflightErrors) || !saved.ignorePreflightErrors.every((x) => typeof x === 'string')) {
    throw tampered(file, 'its ignorePreflightErrors is not a list of check names', again);
  }
  return loaded.topology;
}

/** What apply acts on or shows: the plan without its preflight results. */
function compared(p: Plan): unknown {
  const { preflight: _preflight, ...rest } = p;
  return json(rest);
}

/** PLAN_TAMPERED unless `fresh` (planned now from the saved inputs) equals `saved` in what apply acts on. */
export function checkSamePlan(saved: Plan, fresh: Plan, file: string, topologyFile: string): void {
  const d = firstDifference(compared(saved), compared(fresh));
  if (!d) return;
  const [top, i, tasks, j, ...field] = d.path;
  let where: string;
  if (top === 'phases' && tasks === 'tasks' && typeof i === 'number' && typeof j === 'number') {
    const phase = saved.phases[i]?.id ?? fresh.phases[i]?.id ?? String(i);
    const s = saved.phases[i]?.tasks[j];
    const f = fresh.phases[i]?.tasks[j];
    where =
      s === undefined
        ? `the task "${f!.title}" (${f!.id}) of phase ${phase} is missing from it`
        : f === undefined
          ? `its task "${s.title}" (${s.id}) of phase ${phase} is not in the plan`
          : `its task "${s.title}" (${s.id}) of phase ${phase} differs in ${field.length > 0 ? pathText(field) : 'kind'} (${short(d.a)} saved, ${short(d.b)} planned now)`;
  } else {
    where = `it differs at ${pathText(d.path)} (${short(d.a)} saved, ${short(d.b)} planned now)`;
  }
  throw tampered(
    file,
    `it is not the plan scmctl makes now from its own topology and the hosts' current state: ${where}. Either the file was edited, or the cluster changed in a way the facts fingerprint does not cover (e.g. which SCM leads)`,
    `make a new plan and review it: scmctl plan ${topologyFile} --out ${file}`,
  );
}
