/**
 * `ozone admin scm finalizeupgrade [--takeover]` and `ozone admin scm finalizationstatus` — Ozone 2.2's
 * FinalizeScmUpgradeSubcommand and FinalizationScmStatusSubcommand (hadoop-ozone/cli-admin
 * org/apache/hadoop/ozone/admin/scm/), with UpgradeFinalization's messages (hdds-common
 * org/apache/hadoop/ozone/upgrade/UpgradeFinalization.java). The embedded SCM always runs at its newest
 * layout (HDDS layout 10), so the leader answers ALREADY_FINALIZED and the commands print what Ozone prints
 * for a finalized cluster:
 *
 *   $ ozone admin scm finalizeupgrade          $ ozone admin scm finalizationstatus
 *   Upgrade has already been finalized.         ALREADY_FINALIZED
 *   Exiting...
 *
 * A finalization in progress is followed as Ozone's UpgradeMonitor does (every 500 ms, messages printed,
 * `Exiting...` and `Finalization of Storage Container Manager's metadata upgrade finished.`); any other answer is `Invalid response from Storage Container Manager.` (exit 255).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../common/clock.js';
import type { ClientProtocol } from '../protocols/client-protocol.js';
import type { FailoverRpcClient } from '../transport/rpc-failover-client.js';
import { EXIT_FAILURE, ToolError } from './tool-error.js';
import type { ToolIo } from './tool-io.js';

const upgradeClientId = (): string => `Upgrade-Client-${randomUUID()}`;

export async function runFinalizeUpgrade(client: FailoverRpcClient<ClientProtocol>, o: { takeover: boolean }, clock: Clock, io: ToolIo): Promise<void> {
  const id = upgradeClientId();
  const res = await client.call('finalizeScmUpgrade', { upgradeClientId: id });
  if (res.status === 'ALREADY_FINALIZED') {
    io.out('Upgrade has already been finalized.');
    io.out('Exiting...');
    return;
  }
  if (res.status !== 'STARTING_FINALIZATION') {
    io.err('Invalid response from Storage Container Manager.');
    io.err(`Current finalization status is: ${res.status}`);
    throw new ToolError('UPGRADE_INVALID_RESPONSE', 'Exiting...', { exitCode: EXIT_FAILURE });
  }
  for (;;) {
    await clock.sleep(500);
    const progress = await client.call('queryUpgradeFinalizationProgress', { upgradeClientId: id, takeover: o.takeover, readonly: false });
    if (progress.status === 'ALREADY_FINALIZED') {
      io.out('Finalization already finished.');
      io.out('Exiting...');
      break;
    }
    if (progress.status === 'FINALIZATION_IN_PROGRESS' || progress.status === 'FINALIZATION_DONE') for (const m of progress.msgs) io.out(m);
    if (progress.status === 'FINALIZATION_DONE') {
      io.out('Exiting...');
      break;
    }
  }
  io.out("Finalization of Storage Container Manager's metadata upgrade finished.");
}

export async function runFinalizationStatus(client: FailoverRpcClient<ClientProtocol>, io: ToolIo): Promise<void> {
  const progress = await client.call('queryUpgradeFinalizationProgress', { upgradeClientId: upgradeClientId(), takeover: false, readonly: true });
  io.out(progress.status);
}
