/** The steps of migrate's rollback texts that several phases share: restore the existing SCM, stop the new ones. */
import { backupLocation, outermost } from './backup.js';
import type { MigrationContext } from './phase-context.js';

/** Put the existing SCM back as the backup stage archived it. */
export function restoreSteps(m: MigrationContext): string {
  const e = m.existing;
  const { archiveDir, archivePrefix } = backupLocation(e);
  const dirs = outermost((['metadata', 'db', 'ratis', 'snapshot'] as const).map((d) => e.directories[d])).join(' ');
  return (
    `on ${e.host}: \`ozone --daemon stop scm\`; move ${dirs} aside; \`tar -C / -xzf ${archiveDir}/${archivePrefix}<time>.tar.gz\` ` +
    `(the archive the backup stage printed; it also restores the previous configuration in ${e.directories.config}); \`ozone --daemon start scm\`. ` +
    'Allocations made after the conversion are lost; Ozone cannot turn a Ratis SCM back into a standalone one in place'
  );
}

/** Stop the SCMs the migration added and set their copies of the cluster aside. */
export function stopNewSteps(m: MigrationContext): string {
  return `stop the new SCMs (${m.others.map((n) => `${n.nodeId} on ${n.host}`).join(', ')}: \`ozone --daemon stop scm\`) and move their metadata directories aside (they hold a copy of this cluster)`;
}
