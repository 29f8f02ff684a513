/**
 * The commander adapter (the only file in src/scm importing commander): the `ozone` command surface of
 * docs/design.md §4.3 with Ozone's option spellings — freon's documented kebab-case options and the
 * camelCase forms of ≤2.1 (`--numOfKeys` …), ldb's `--column-family`/`--column_family`/`--cf`,
 * `--with-keys[=false]`. Parses, validates option values, and calls one CliActions method; returns its
 * exit code (usage errors: 1 with commander's message on stderr).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { parseStorageSize } from '../config/storage-size.js';
import type { ReplicationFactor, ReplicationType } from '../state/records.js';
import type { CliActions, FreonCliOptions, GlobalOptions } from './cli-types.js';

const positiveInt = (what: string) => (v: string): number => {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError(`${what} must be a positive integer`);
  return Number(v);
};
const limitInt = (v: string): number => {
  if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError('limit must be an integer (-1 = all)');
  return Number(v);
};
const bool = (v: string | undefined): boolean => {
  if (v === undefined || v === 'true') return true;
  if (v === 'false') return false;
  throw new InvalidArgumentError('expected true or false');
};
const size = (v: string): number => {
  try {
    return parseStorageSize(v, 'b');
  } catch {
    throw new InvalidArgumentError('expected a size in bytes or with a unit (10KB, 512MB)');
  }
};
const repType = (v: string): ReplicationType => {
  const u = v.toUpperCase();
  if (u !== 'RATIS' && u !== 'STAND_ALONE') throw new InvalidArgumentError('replication type must be RATIS or STAND_ALONE');
  return u;
};
const factor = (v: string): ReplicationFactor => {
  const u = v.toUpperCase();
  if (u === 'ONE' || u === '1') return 'ONE';
  if (u === 'THREE' || u === '3') return 'THREE';
  throw new InvalidArgumentError('factor must be ONE or THREE');
};

export const USAGE_HEADER = 'Usage: ozone [--conf DIR] [--daemon start|stop|status] <command> [options]';

/**
 * Builds the program. `run` receives the chosen action's promise; commander's own output goes to
 * `write.out`/`write.err`.
 */
export function buildProgram(actions: CliActions, write: { out: (s: string) => void; err: (s: string) => void }, onAction: (p: Promise<number>) => void): Command {
  const program = new Command('ozone');
  const global = (): GlobalOptions => program.opts<GlobalOptions>();
  program
    .usage('[--conf DIR] [--daemon start|stop|status] <command> [options]')
    .description('Embedded Apache Ozone SCM (scmctl): SCM server and operator tools')
    .option('--conf <dir>', 'directory holding ozone-site.xml (default: $OZONE_CONF_DIR)')
    .addOption(new Option('--daemon <action>', 'run scm as a background daemon').choices(['start', 'stop', 'status']))
    .exitOverride()
    .configureOutput({ writeOut: write.out, writeErr: write.err })
    .showHelpAfterError(false)
    .enablePositionalOptions();

  program.command('version').description('print the version').action(() => onAction(actions.version(global())));

  program
    .command('scm')
    .description('run the SCM in the foreground, or prepare its storage')
    .option('--init', 'initialise the (primordial) SCM storage', false)
    .option('--clusterid <uuid>', 'with --init: the cluster id to use (a UUID)')
    .option('--bootstrap', 'join an existing SCM HA cluster', false)
    .option('--genclusterid', 'print a new cluster id', false)
    .action((o: { init: boolean; bootstrap: boolean; genclusterid: boolean; clusterid?: string }) =>
      onAction(actions.scm(global(), { init: o.init, bootstrap: o.bootstrap, genclusterid: o.genclusterid, ...(o.clusterid === undefined ? {} : { clusterid: o.clusterid }) })),
    );

  const admin = program.command('admin').description('administration commands');
  const adminScm = admin.command('scm').description('SCM administration');
  adminScm
    .command('roles')
    .description('list the SCM Raft ring: host:ratisPort:ROLE:scmUuid:ip')
    .option('--service-id <id>', 'SCM service id')
    .option('--scm <host:port>', 'ask this SCM (client port) only')
    .option('--json', 'JSON output', false)
    .option('--table', 'table output', false)
    .action((o: { serviceId?: string; scm?: string; json: boolean; table: boolean }) =>
      onAction(actions.roles(global(), { ...(o.serviceId ? { serviceId: o.serviceId } : {}), ...(o.scm ? { scm: o.scm } : {}), format: o.json ? 'json' : o.table ? 'table' : 'plain' })),
    );
  adminScm
    .command('transfer')
    .description('transfer SCM leadership to another SCM')
    .option('--service-id <id>', 'SCM service id')
    .option('--scm <host:port>', 'ask this SCM (client port) only')
    .option('-n, --newLeaderId <id>', 'scmUuid or node id of the new leader')
    .option('-r, --random', 'a random follower', false)
    .action((o: { serviceId?: string; scm?: string; newLeaderId?: string; random: boolean }) => {
      if (!o.newLeaderId && !o.random) program.error('error: one of -n <id> or -r is required', { exitCode: 1, code: 'ozone.usage' });
      onAction(actions.transfer(global(), { ...(o.serviceId ? { serviceId: o.serviceId } : {}), ...(o.scm ? { scm: o.scm } : {}), ...(o.newLeaderId ? { nodeId: o.newLeaderId } : {}), random: o.random }));
    });

  const adminContainer = admin.command('container').description('container administration');
  adminContainer
    .command('create')
    .description('create OPEN containers on an open pipeline (leader)')
    .option('--service-id <id>', 'SCM service id')
    .option('--scm <host:port>', 'ask this SCM (client port) only')
    .option('--count <n>', 'number of containers (bulk creation)', positiveInt('count'), 1)
    .addOption(new Option('-t, --replication-type <type>', 'RATIS or STAND_ALONE').argParser(repType).default('RATIS'))
    .addOption(new Option('-r, --replication <factor>', 'ONE or THREE').argParser(factor).default('THREE'))
    .option('-o, --owner <owner>', 'owner of the containers', 'admin')
    .action((o: { serviceId?: string; scm?: string; count: number; replicationType: ReplicationType; replication: ReplicationFactor; owner: string }) =>
      onAction(actions.containerCreate(global(), { ...(o.serviceId ? { serviceId: o.serviceId } : {}), ...(o.scm ? { scm: o.scm } : {}), count: o.count, replicationType: o.replicationType, factor: o.replication, owner: o.owner })),
    );

  const debug = program.command('debug').description('debugging tools');
  const ldb = debug.command('ldb').description('inspect scm.db').requiredOption('--db <path>', 'path to scm.db').enablePositionalOptions();
  const ldbOpts = (): { db: string } => ({ db: ldb.opts<{ db: string }>().db });
  const list = (): void => onAction(actions.ldbList(global(), ldbOpts()));
  ldb.command('ls').description('list column families').action(list);
  ldb.command('list_column_families').description('list column families').action(list);
  ldb
    .command('scan')
    .description('print the records of a column family as JSON')
    .option('--column-family <cf>', 'column family')
    .option('--column_family <cf>', 'column family (deprecated spelling)')
    .option('--cf <cf>', 'column family')
    .option('--with-keys [bool]', 'print keys (default true)', bool, true)
    .option('-l, --limit <n>', 'at most n records (-1 = all)', limitInt, -1)
    .option('--compact', 'compact JSON', false)
    .option('--count', 'print the number of records only', false)
    .action((o: { columnFamily?: string; column_family?: string; cf?: string; withKeys: boolean; limit: number; compact: boolean; count: boolean }) => {
      const cf = o.columnFamily ?? o.column_family ?? o.cf;
      if (!cf) program.error("error: required option '--column-family <cf>' not specified", { exitCode: 1, code: 'ozone.usage' });
      onAction(actions.ldbScan(global(), ldbOpts(), { columnFamily: cf!, withKeys: o.withKeys, limit: o.limit, compact: o.compact, count: o.count }));
    });

  const freon = program.command('freon').description('load generators');
  const rk = freon.command('randomkeys').alias('rk').description('allocate blocks for random keys through the SCM leader');
  const dual = (kebab: string, camel: string, short: string | undefined, arg: string, desc: string, parse?: (v: string) => unknown, def?: unknown): void => {
    const flags = `${short ? `-${short}, ` : ''}--${kebab} ${arg}`;
    const o = new Option(flags, desc);
    if (parse) o.argParser(parse);
    if (def !== undefined) o.default(def);
    rk.addOption(o);
    const c = new Option(`--${camel} ${arg}`, `${desc} (deprecated spelling)`).hideHelp();
    if (parse) c.argParser(parse);
    rk.addOption(c);
  };
  dual('num-of-threads', 'numOfThreads', 't', '<n>', 'number of threads', positiveInt('num-of-threads'), 10);
  dual('num-of-volumes', 'numOfVolumes', 'v', '<n>', 'number of volumes', positiveInt('num-of-volumes'), 10);
  dual('num-of-buckets', 'numOfBuckets', 'b', '<n>', 'number of buckets per volume', positiveInt('num-of-buckets'), 1000);
  dual('num-of-keys', 'numOfKeys', 'k', '<n>', 'number of keys per bucket', positiveInt('num-of-keys'), 500000);
  dual('key-size', 'keySize', undefined, '<size>', 'key size in bytes (or with a unit)', size, 10240);
  dual('buffer-size', 'bufferSize', undefined, '<size>', 'write buffer size', size, 4096);
  dual('replication-type', 'replicationType', undefined, '<type>', 'RATIS or STAND_ALONE', repType, 'RATIS');
  dual('num-of-validate-threads', 'numOfValidateThreads', undefined, '<n>', 'validation threads (ignored: no data path)', positiveInt('num-of-validate-threads'), 1);
  dual('om-service-id', 'omServiceId', undefined, '<id>', 'OM service id (ignored: no OM)');
  dual('bucket-layout', 'bucketLayout', undefined, '<layout>', 'bucket layout (ignored: no OM)');
  rk.addOption(new Option('--type <type>', 'replication type').argParser(repType).hideHelp());
  rk.addOption(new Option('-F, --factor <factor>', 'replication factor ONE or THREE').argParser(factor).default('THREE'));
  rk.addOption(new Option('-r, --replication <factor>', 'replication (ONE or THREE)').argParser(factor));
  rk.option('--validate-writes', 'validate writes (not applicable: no data path)', false);
  rk.addOption(new Option('--validateWrites', 'deprecated spelling').hideHelp());
  rk.option('--clean-objects', 'clean objects afterwards (nothing to clean)', false);
  rk.addOption(new Option('--cleanObjects', 'deprecated spelling').hideHelp());
  rk.option('--json [dir]', 'print the result as JSON (a directory argument is accepted for compatibility)');
  rk.action((o: Record<string, unknown>) => {
    // `--num-of-keys` and `--numOfKeys` both set the attribute numOfKeys; the last one given wins.
    const opts: FreonCliOptions = {
      numOfThreads: o.numOfThreads as number,
      numOfVolumes: o.numOfVolumes as number,
      numOfBuckets: o.numOfBuckets as number,
      numOfKeys: o.numOfKeys as number,
      keySize: o.keySize as number,
      bufferSize: o.bufferSize as number,
      replicationType: (o.type as ReplicationType | undefined) ?? (o.replicationType as ReplicationType),
      factor: (o.replication as ReplicationFactor | undefined) ?? (o.factor as ReplicationFactor),
      validateWrites: o.validateWrites === true,
      json: o.json === undefined ? undefined : o.json === true ? '' : String(o.json),
      ...(typeof o.omServiceId === 'string' ? { omServiceId: o.omServiceId } : {}),
      cleanObjects: o.cleanObjects === true,
    };
    onAction(actions.freon(global(), opts));
  });

  program
    .command('datanode')
    .description('run simulated datanodes that register and heartbeat to every SCM')
    .option('--count <n>', 'number of datanodes in this process', positiveInt('count'), 3)
    .option('--prefix <name>', 'host name prefix of the simulated datanodes (default: the local host name)')
    .action((o: { count: number; prefix?: string }) => onAction(actions.datanode(global(), { count: o.count, ...(o.prefix ? { prefix: o.prefix } : {}) })));

  return program;
}

/** Parses argv (without node and script) and runs the action; resolves with the exit code. */
export async function runProgram(argv: readonly string[], actions: CliActions, write: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  let pending: Promise<number> | undefined;
  const program = buildProgram(actions, write, (p) => (pending = p));
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version' ? 0 : err.exitCode === 0 ? 0 : 1;
    throw err;
  }
  if (!pending) {
    write.out(program.helpInformation());
    return argv.length === 0 ? 0 : 1;
  }
  return pending;
}
