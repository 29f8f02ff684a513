/**
 * `bootstrap-scm`: `ozone scm --bootstrap` on a node that has no VERSION yet. On a secure cluster
 * (`task.token`) a single-use SCM join token for exactly this node id and host is minted first on the
 * `via` node's host (`ozone admin scm token create --json`, authenticated with that SCM's admin identity;
 * the client follows hints to the leader), then handed to `--bootstrap` on stdin together with the root CA
 * hash to pin. The token lives in this process's memory only: never in argv, a file, the plan, the journal,
 * progress lines or error messages (failures quote the commands' output, which never contains it).
 */
import type { Task } from '../../plan/plan-model.js';
import { ApplyError } from '../apply-error.js';
import { SCM_BOOTSTRAP, scmTokenArgs, secureBootstrapArgs } from '../scm-commands.js';
import { tail } from '../scm-ops.js';
import type { TaskContext } from '../task-context.js';

const BOOTSTRAP_HINT = 'exit 255 means the node is initialised for another cluster (its metadata must be moved away deliberately); otherwise check that the leader runs and is reachable';
const TOKEN_FORMAT = /^[a-z0-9]{6}\.[a-z0-9]{32}$/;

/** Mints the node's join token on `via`; returns the token and the root CA hash to pin. */
async function mintToken(ctx: TaskContext, via: string, nodeId: string, address: string): Promise<{ token: string; caCertHash: string }> {
  const v = ctx.node(via);
  const r = await (await ctx.ops(via)).ozone(scmTokenArgs(nodeId, address), { ...(ctx.signal ? { signal: ctx.signal } : {}), timeoutMs: ctx.plan.timeouts.commandMs });
  let parsed: { token?: unknown; caCertHash?: unknown } = {};
  try {
    parsed = r.exitCode === 0 ? (JSON.parse(r.stdout) as typeof parsed) : {};
  } catch {
    parsed = {};
  }
  const { token, caCertHash } = parsed;
  if (r.exitCode !== 0 || typeof token !== 'string' || !TOKEN_FORMAT.test(token) || typeof caCertHash !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(caCertHash)) {
    // on success stdout holds the token: only stderr is quoted
    throw new ApplyError('APPLY_TOKEN_FAILED', `could not mint a join token for ${nodeId} on ${v.key} (exit ${r.exitCode}): ${r.exitCode === 0 ? 'unexpected output' : tail({ ...r, stdout: '' }, 4)}`, {
      host: v.host,
      hint: `the admin identity of ${v.key} must be readable by the SCM's user and a leader must be running (ozone admin scm roles)`,
    });
  }
  return { token, caCertHash };
}

export async function runBootstrapScm(t: Extract<Task, { kind: 'bootstrap-scm' }>, ctx: TaskContext, progress: (m: string) => void): Promise<string | undefined> {
  const n = ctx.node(t.node);
  const sig = ctx.signal ? { signal: ctx.signal } : {};
  const timeoutMs = ctx.plan.timeouts.scmInfoWaitMs + 60_000;
  let r;
  if (t.token) {
    progress(`minting a single-use join token for ${n.nodeId} on ${ctx.node(t.token.via).key}`);
    const { token, caCertHash } = await mintToken(ctx, t.token.via, n.nodeId, n.address);
    progress('ozone scm --bootstrap (token on stdin, root CA pinned)');
    r = await (await ctx.ops(n.key)).ozoneOk(secureBootstrapArgs(caCertHash), 'APPLY_SCM_BOOTSTRAP_FAILED', 'ozone scm --bootstrap', { ...sig, timeoutMs, stdin: `${token}\n` }, BOOTSTRAP_HINT);
  } else {
    r = await (await ctx.ops(n.key)).ozoneOk(SCM_BOOTSTRAP, 'APPLY_SCM_BOOTSTRAP_FAILED', 'ozone scm --bootstrap', { ...sig, timeoutMs }, BOOTSTRAP_HINT);
  }
  const cid = /ClusterID (CID-[0-9a-fA-F-]+)/.exec(r.stdout)?.[1];
  return cid ? `clusterID ${cid}` : undefined;
}
