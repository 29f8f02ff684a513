#!/usr/bin/env node
/**
 * `bin/ozone` entry point: the host-side command surface of the embedded SCM (docs/design.md §4).
 * Placeholder until the embedded SCM lands (issue 4): prints help, exits 1 on anything else.
 */
const usage = `Usage: ozone [--daemon start|stop|status] <command> [options]

Commands (embedded SCM, Apache Ozone compatible subset):
  scm --init [--clusterid=ID]   initialise the primordial SCM's storage (no-op on other nodes)
  scm --bootstrap               join an existing SCM HA cluster (no-op on the primordial node)
  scm --genclusterid            print a new cluster id
  scm                           run the SCM in the foreground (SIGTERM = clean shutdown)
  admin scm roles               list the SCM Raft ring: host:ratisPort:ROLE:scmUuid:ip
  debug ldb --db=DIR ls|scan    inspect scm.db column families
  freon randomkeys [options]    allocate blocks through the leader and report throughput
  datanode                      run simulated datanodes that report to every SCM

Configuration is read from $OZONE_CONF_DIR/ozone-site.xml or --conf DIR.
`;

const argv = process.argv.slice(2);
if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(usage);
} else {
  process.stderr.write(`ozone: '${argv.join(' ')}' is not available in this build yet\n${usage}`);
  process.exitCode = 1;
}
