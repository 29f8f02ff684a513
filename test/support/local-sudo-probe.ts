/**
 * Runs the local transport with sudo from the user it is started as (test/e2e/ssh-sudo.test.ts starts it
 * with `runuser -u scmctl-e2e`). Usage: node local-sudo-probe.js TARGET_FILE; the sudo password comes from
 * $SCMCTL_E2E_SUDO_PW. Prints one JSON line: {user, rootUid, owner} or {error: CODE}.
 */
import { isCodedError } from '../../src/common/coded-error.js';
import { connectLocal } from '../../src/provisioner/hosts/local-host.js';
import { sh } from '../../src/provisioner/hosts/shell-quote.js';

const target = process.argv[2];
if (!target) throw new Error('usage: local-sudo-probe TARGET_FILE');
const host = await connectLocal({ name: 'local-sudo', secrets: { env: process.env }, sudo: { passwordEnv: 'SCMCTL_E2E_SUDO_PW' } });
try {
  const user = (await host.exec(sh`id -un`)).stdout.trim();
  const rootUid = (await host.exec(sh`id -u`, { sudo: true })).stdout.trim();
  const env = (await host.exec(sh`env`, { sudo: false })).stdout;
  await host.writeFileAtomic(target, 'written by root\n', { mode: 0o600, sudo: true });
  const owner = (await host.exec(sh`stat -c %U ${target}`, { sudo: true })).stdout.trim();
  process.stdout.write(`${JSON.stringify({ user, rootUid, owner, childEnvHasSecret: env.includes('SCMCTL_E2E_SUDO_PW') })}\n`);
} catch (err) {
  process.stdout.write(`${JSON.stringify({ error: isCodedError(err) ? err.code : String(err) })}\n`);
} finally {
  await host.close();
}
