/**
 * `node keeper-main.js SOCKET`: the SSH connection keeper process (hosts/ssh-keeper/connection-keeper.ts),
 * started detached by the first run that keeps connections (SCMCTL_SSH_PERSIST). Files it creates are the
 * operator's only (umask 077). It exits when it keeps nothing, on SHUTDOWN and on SIGTERM/SIGINT, removing
 * its socket unless another keeper has replaced it since.
 */
import { lstatSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { ConnectionKeeper } from './hosts/ssh-keeper/connection-keeper.js';
import { listenAtomically } from './hosts/ssh-keeper/keeper-paths.js';
import { openSshRunner } from './hosts/ssh-host.js';

const socketPath = process.argv[2];
if (!socketPath) {
  process.stderr.write('usage: keeper-main.js SOCKET\n');
  process.exit(2);
}
// what ps shows: which keeper this is (the title replaces argv in /proc/PID/cmdline)
process.title = `scmctl-ssh-keeper ${socketPath}`;
process.umask(0o077);

const server = createServer();
let ino: number | undefined;
let exiting = false;
const exit = (): void => {
  if (exiting) return;
  exiting = true;
  server.close();
  try {
    if (ino !== undefined && lstatSync(socketPath).ino === ino) unlinkSync(socketPath);
  } catch {
    // already gone
  }
  process.exit(0);
};
const keeper = new ConnectionKeeper({
  openRunner: (spec, logger) => openSshRunner({ ...spec, secrets: { env: {} }, logger }),
  onIdle: exit,
});
listenAtomically(server, socketPath).then(
  (inode) => {
    ino = inode;
    keeper.serve(server);
  },
  (err: Error) => {
    process.stderr.write(`${new Date().toISOString()} scmctl-ssh-keeper: cannot listen on ${socketPath}: ${err.message}\n`);
    process.exit(1);
  },
);
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => void keeper.shutdown());
