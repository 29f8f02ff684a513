/**
 * The commander adapter (the only file in src/scm importing commander): the `ozone` command surface of
 * docs/design.md §4.3 with Ozone's option spellings — freon's documented kebab-case options and the
 * camelCase forms of ≤2.1 (`--numOfKeys` …), ldb's `--column-family`/`--column_family`/`--cf`,
 * `--with-keys[=false]`. Parses, validates option values, and calls one CliActions method; returns its
 * exit code (usage errors: 2 with commander's message on stderr, as picocli; execution errors 255).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { parseDurationMs } from '../config/duration.js';
import { parseStorageSize } from '../config/storage-size.js';
import type { ContainerState, ReplicationFactor, ReplicationType } from '../state/records.js';
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

const duration = (v: string): number => {
  try {
    return parseDurationMs(v, 's');
  } catch {
    throw new InvalidArgumentError('expected a duration like 30m, 1h or 2d');
  }
};
const tokenKind = (v: string): 'scm' | 'datanode' | 'om' | 'admin' => {
  if (v !== 'scm' && v !== 'datanode' && v !== 'om' && v !== 'admin') throw new InvalidArgumentError('type must be scm, datanode, om or admin');
  return v;
};
const certRole = (v: string): 'SCM' | 'OM' | 'DATANODE' | 'ADMIN' => {
  const u = v.toUpperCase();
  if (u !== 'SCM' && u !== 'OM' && u !== 'DATANODE' && u !== 'ADMIN') throw new InvalidArgumentError('role must be SCM, OM, DATANODE or ADMIN');
  return u;
};
const target = (o: { serviceId?: string; scm?: string }): { serviceId?: string; scm?: string } => ({ ...(o.serviceId ? { serviceId: o.serviceId } : {}), ...(o.scm ? { scm: o.scm } : {}) });

const TOKEN_HELP = `
Join tokens (secure clusters) let a new SCM, datanode, OM or admin obtain its certificate. A token is
<id>.<secret>; it is shown once, expires (default 1h), and is single-use unless --uses says otherwise.
Hand it over out of band in a file only its owner can read (mode 0600), never on a command line.

Example:
  ozone admin scm token create --type scm --node-id scm4 --out /root/scm4.token
  scp /root/scm4.token scm4:/root/ && ssh scm4 ozone scm --bootstrap --token-file /root/scm4.token --ca-cert-hash sha256:…`;

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
    .option('--version', 'print the version (same as `ozone version`)')
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
    .option('--token-file <file>', 'with --bootstrap on a secure cluster: file holding the join token (mode 0600), or - for stdin')
    .option('--ca-cert-hash <sha256:hex>', 'with --bootstrap on a secure cluster: hash of the root CA public key to pin')
    .action((o: { init: boolean; bootstrap: boolean; genclusterid: boolean; clusterid?: string; tokenFile?: string; caCertHash?: string }) =>
      onAction(
        actions.scm(global(), {
          init: o.init,
          bootstrap: o.bootstrap,
          genclusterid: o.genclusterid,
          ...(o.clusterid === undefined ? {} : { clusterid: o.clusterid }),
          ...(o.tokenFile === undefined ? {} : { tokenFile: o.tokenFile }),
          ...(o.caCertHash === undefined ? {} : { caCertHash: o.caCertHash }),
        }),
      ),
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
    // TransferScmLeaderSubCommand: -n/--new-leader-id (--newLeaderId until 2.2), -r/--random
    .option('-n, --new-leader-id <id>', 'scmUuid or node id of the new leader')
    .addOption(new Option('--newLeaderId <id>', 'deprecated spelling of --new-leader-id').hideHelp())
    .option('-r, --random', 'a random follower', false)
    .action((o: { serviceId?: string; scm?: string; newLeaderId?: string; random: boolean }) => {
      if (!o.newLeaderId && !o.random) program.error('error: one of -n <id> or -r is required', { exitCode: 2, code: 'ozone.usage' });
      onAction(actions.transfer(global(), { ...(o.serviceId ? { serviceId: o.serviceId } : {}), ...(o.scm ? { scm: o.scm } : {}), ...(o.newLeaderId ? { nodeId: o.newLeaderId } : {}), random: o.random }));
    });

  adminScm
    .command('decommission')
    .description('remove an SCM from the Raft ring and revoke its certificates (leader must be another SCM)')
    .option('--service-id <id>', 'SCM service id')
    .option('--scm <host:port>', 'ask this SCM (client port) only')
    .requiredOption('--nodeid <id>', 'scmUuid (or node id) of the SCM to decommission')
    .addHelpText('after', '\nExample:\n  ozone admin scm transfer -n <another scmUuid>   # if the SCM to remove leads\n  ozone admin scm decommission --nodeid 1c73d6f5-9a35-4325-b414-30ddfb58de64')
    .action((o: { serviceId?: string; scm?: string; nodeid: string }) => onAction(actions.decommission(global(), { ...target(o), nodeId: o.nodeid })));

  const token = adminScm.command('token').description('join tokens for SCMs, datanodes, OMs and admin identities (secure clusters)').addHelpText('after', TOKEN_HELP);
  token
    .command('create')
    .description('mint a join token on the leader; prints it once with the root CA hash to pin')
    .addOption(new Option('--type <type>', 'what the token obtains: scm, datanode, om or admin').argParser(tokenKind).makeOptionMandatory())
    .option('--node-id <id>', 'with --type scm: the node id of the joining SCM')
    .option('--host <host>', 'the host the certificate is for (SCM: default from the configuration)')
    .option('--ttl <duration>', 'how long the token is valid (default 1h, at most 7d)', duration)
    .option('--uses <n>', 'how many certificates it may obtain (default 1)', positiveInt('uses'))
    .option('--description <text>', 'shown by token list')
    .option('--out <file>', 'write the token to this new file (mode 0600) instead of stdout')
    .option('--json', 'JSON output', false)
    .option('--service-id <id>', 'SCM service id')
    .option('--scm <host:port>', 'ask this SCM (client port) only')
    .action((o: { type: 'scm' | 'datanode' | 'om' | 'admin'; nodeId?: string; host?: string; ttl?: number; uses?: number; description?: string; out?: string; json: boolean; serviceId?: string; scm?: string }) =>
      onAction(
        actions.tokenCreate(global(), {
          ...target(o),
          kind: o.type,
          json: o.json,
          ...(o.nodeId ? { nodeId: o.nodeId } : {}),
          ...(o.host ? { host: o.host } : {}),
          ...(o.ttl !== undefined ? { ttlSeconds: Math.round(o.ttl / 1000) } : {}),
          ...(o.uses !== undefined ? { uses: o.uses } : {}),
          ...(o.description ? { description: o.description } : {}),
          ...(o.out ? { out: o.out } : {}),
        }),
      ),
    );
  token
    .command('list')
    .description('list join tokens (never their secrets)')
    .option('--json', 'JSON output', false)
    .option('--service-id <id>', 'SCM service id')
    .option('--scm <host:port>', 'ask this SCM (client port) only')
    .action((o: { json: boolean; serviceId?: string; scm?: string }) => onAction(actions.tokenList(global(), { ...target(o), json: o.json })));
  token
    .command('revoke')
    .description('revoke a join token by its id')
    .argument('<id>', 'the token id (the part before the dot)')
    .option('--service-id <id>', 'SCM service id')
    .option('--scm <host:port>', 'ask this SCM (client port) only')
    .action((id: string, o: { serviceId?: string; scm?: string }) => onAction(actions.tokenRevoke(global(), { ...target(o), id })));

  const cert = admin.command('cert').description('certificates of a secure cluster');
  cert
    .command('list')
    .description('list the certificates the cluster issued')
    .option('--role <role>', 'only SCM, OM, DATANODE or ADMIN certificates', certRole)
    .option('-c, --count <n>', 'Maximum number of certificates to list', positiveInt('count'), 20)
    .option('-s, --start <serial>', 'Certificate serial id to start the iteration', (v: string): string => {
      if (!/^\d{1,40}$/.test(v)) throw new InvalidArgumentError('start must be a serial number');
      return v;
    })
    .option('--json', 'JSON output', false)
    .option('--service-id <id>', 'SCM service id')
    .option('--scm <host:port>', 'ask this SCM (client port) only')
    .action((o: { role?: 'SCM' | 'OM' | 'DATANODE' | 'ADMIN'; count: number; start?: string; json: boolean; serviceId?: string; scm?: string }) =>
      onAction(actions.certList(global(), { ...target(o), json: o.json, count: o.count, ...(o.start ? { start: o.start } : {}), ...(o.role ? { role: o.role } : {}) })),
    );
  cert
    .command('revoke')
    .description('revoke a certificate: it authenticates nobody on any SCM port from then on')
    .requiredOption('--serial <n>', 'serial number (see cert list)')
    .option('--reason <text>', 'recorded with the revocation')
    .option('--service-id <id>', 'SCM service id')
    .option('--scm <host:port>', 'ask this SCM (client port) only')
    .action((o: { serial: string; reason?: string; serviceId?: string; scm?: string }) => onAction(actions.certRevoke(global(), { ...target(o), serial: o.serial, ...(o.reason ? { reason: o.reason } : {}) })));
  cert
    .command('request')
    .description('obtain a datanode, OM or admin identity with a join token')
    .addOption(new Option('--type <type>', 'datanode, om or admin (must be the token\'s)').choices(['datanode', 'om', 'admin']).makeOptionMandatory())
    .requiredOption('--token-file <file>', 'file holding the join token (mode 0600), or - for stdin')
    .requiredOption('--ca-cert-hash <sha256:hex>', 'hash of the root CA public key to pin')
    .requiredOption('--out <dir>', 'directory to save the key and certificates in')
    .addHelpText('after', '\nExample:\n  ozone admin cert request --type admin --token-file ~/admin.token --ca-cert-hash sha256:… --out ~/.ozone/admin\n  OZONE_CLIENT_IDENTITY_DIR=~/.ozone/admin ozone admin scm roles')
    .action((o: { type: 'datanode' | 'om' | 'admin'; tokenFile: string; caCertHash: string; out: string }) =>
      onAction(actions.certRequest(global(), { kind: o.type, tokenFile: o.tokenFile, caCertHash: o.caCertHash, out: o.out })),
    );

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

  // SafeModeCommands (Ozone cli-admin): status [-a] [--verbose], wait [-t SECONDS], exit — each SCM answers for itself
  const safemode = admin.command('safemode').description('Safe mode specific operations');
  safemode
    .command('status')
    .description('Check if SCM is in safe mode (the leader; --scm: that SCM; --all: every SCM of the service)')
    .option('--service-id <id>', 'SCM service id')
    .option('--scm <host:port>', 'the destination SCM (host:port of a configured SCM)')
    .option('-a, --all', 'show safe mode status for all SCM nodes in the service', false)
    .option('--verbose', 'also show the status of every safe mode rule', false)
    .action((o: { serviceId?: string; scm?: string; all: boolean; verbose: boolean }) => onAction(actions.safeMode(global(), { ...target(o), command: 'status', all: o.all, verbose: o.verbose })));
  safemode
    .command('wait')
    .description('Wait until the scm is out from the safe mode.')
    .option('--service-id <id>', 'SCM service id')
    .option('--scm <host:port>', 'the destination SCM (host:port)')
    .option(
      '-t, --timeout <seconds>',
      'Define timeout (in second) to wait until (exit code 255) or until safemode is ended (exit code 0).',
      (v: string): number => {
        if (!/^\d+$/.test(v)) throw new InvalidArgumentError('timeout must be a number of seconds');
        return Number(v);
      },
      30,
    )
    .action((o: { serviceId?: string; scm?: string; timeout: number }) => onAction(actions.safeMode(global(), { ...target(o), command: 'wait', timeoutSeconds: o.timeout })));
  safemode
    .command('exit')
    .description('Force SCM out of safe mode (the SCM the client reaches first, or --scm)')
    .option('--service-id <id>', 'SCM service id')
    .option('--scm <host:port>', 'the destination SCM (host:port)')
    .action((o: { serviceId?: string; scm?: string }) => onAction(actions.safeMode(global(), { ...target(o), command: 'exit' })));

  // ---- Ozone operator listings, getconf, upgrade finalization (formats: src/scm/tools/<command>.ts) ----
  const intArg = (what: string) => (v: string): number => {
    if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError(`${what} must be an integer`);
    return Number(v);
  };
  const adminDatanode = admin.command('datanode').description('Datanode specific operations');
  adminDatanode
    .command('list')
    .description('List info of datanodes (as the leader SCM knows them)')
    .option('--service-id <id>', 'SCM service id')
    .option('--scm <host:port>', 'ask this SCM (client port) only')
    .option('--operational-state <state>', 'Show info by datanode NodeOperationalState (IN_SERVICE, DECOMMISSIONING, DECOMMISSIONED, ENTERING_MAINTENANCE, IN_MAINTENANCE)')
    .option('--node-state <state>', 'Show info by datanode NodeState (HEALTHY, STALE, DEAD)')
    .option('--node-id <uuid>', 'UUID of the datanode')
    .addOption(new Option('--id <uuid>', 'UUID of the datanode (deprecated spelling)').hideHelp())
    .addOption(new Option('--uuid <uuid>', 'UUID of the datanode (deprecated spelling)').hideHelp())
    .option('--hostname <name>', 'Hostname of the datanode')
    .option('--ip <address>', 'IP address of the datanode')
    .option('--nodes-with-failed-volumes', 'Only show datanodes that have at least one failed volume', false)
    .option('-l, --length <n>', 'Maximum number of items to list', intArg('length'), 100)
    .option('-a, --all', 'List all results (without pagination limit)', false)
    .option('--json', 'Show info in json format', false)
    .action((o: { serviceId?: string; scm?: string; operationalState?: string; nodeState?: string; nodeId?: string; id?: string; uuid?: string; hostname?: string; ip?: string; nodesWithFailedVolumes: boolean; length: number; all: boolean; json: boolean }) => {
      const nodeId = o.nodeId || o.id || o.uuid;
      if (nodeId && o.nodesWithFailedVolumes) program.error('error: --nodes-with-failed-volumes cannot be used with --id/--node-id. Use them separately.', { exitCode: 2, code: 'ozone.usage' });
      onAction(
        actions.datanodeList(global(), {
          ...target(o),
          ...(o.operationalState ? { operationalState: o.operationalState } : {}),
          ...(o.nodeState ? { nodeState: o.nodeState } : {}),
          ...(nodeId ? { nodeId } : {}),
          ...(o.hostname ? { hostname: o.hostname } : {}),
          ...(o.ip ? { ip: o.ip } : {}),
          ...(o.nodesWithFailedVolumes ? { nodesWithFailedVolumes: true } : {}),
          length: o.length,
          all: o.all,
          json: o.json,
        }),
      );
    });

  const adminPipeline = admin.command('pipeline').description('Pipeline specific operations');
  adminPipeline
    .command('list')
    .description('List all active pipelines')
    .option('--service-id <id>', 'SCM service id')
    .option('--scm <host:port>', 'ask this SCM (client port) only')
    .option('-s, --state <state>', 'Filter listed pipelines by State, eg OPEN, CLOSED')
    .addOption(new Option('--filter-by-state <state>', 'Filter listed pipelines by State (deprecated spelling)').hideHelp())
    .addOption(new Option('--filterByState <state>', 'Filter listed pipelines by State (deprecated spelling)').hideHelp())
    .option('-t, --type <type>', 'Filter pipelines by replication type, RATIS or EC')
    .option('-r, --replication <replication>', 'Filter pipelines by replication, eg ONE, THREE')
    .addOption(new Option('--filter-by-factor <factor>', '[deprecated] Filter pipelines by factor (e.g. ONE, THREE) (implies RATIS replication type)').argParser(factor))
    .addOption(new Option('--filterByFactor <factor>', 'deprecated spelling').argParser(factor).hideHelp())
    .option('--json', 'Format output as JSON', false)
    .action((o: { serviceId?: string; scm?: string; state?: string; filterByState?: string; type?: string; replication?: string; filterByFactor?: ReplicationFactor; json: boolean }) => {
      const state = o.state ?? o.filterByState;
      onAction(
        actions.pipelineList(global(), {
          ...target(o),
          ...(state ? { state } : {}),
          ...(o.type ? { type: o.type } : {}),
          ...(o.replication ? { replication: o.replication } : {}),
          ...(o.filterByFactor ? { factor: o.filterByFactor } : {}),
          json: o.json,
        }),
      );
    });

  adminContainer
    .command('list')
    .description('List containers (a JSON array)')
    .option('--service-id <id>', 'SCM service id')
    .option('--scm <host:port>', 'ask this SCM (client port) only')
    .option('-s, --start <id>', 'Container id to start the iteration', intArg('start'), 0)
    .option('-c, --count <n>', 'Maximum number of containers to list', intArg('count'), 20)
    .option('-a, --all', 'List all containers', false)
    .addOption(new Option('--state <state>', 'Container state').choices(['OPEN', 'CLOSING', 'QUASI_CLOSED', 'CLOSED', 'DELETING', 'DELETED']))
    .addOption(new Option('-t, --type <type>', 'Replication Type (RATIS, STAND_ALONE or EC)').choices(['RATIS', 'STAND_ALONE', 'EC']))
    .option('-r, --replication <replication>', 'Container replication (ONE, THREE for Ratis)')
    .addOption(new Option('--factor <replication>', 'Container replication (deprecated spelling)').hideHelp())
    .option('--suppressed <bool>', "Filter by suppression status ('true' or 'false')", bool)
    .action((o: { serviceId?: string; scm?: string; start: number; count: number; all: boolean; state?: ContainerState; type?: ReplicationType | 'EC'; replication?: string; factor?: string; suppressed?: boolean }) => {
      const replication = o.replication ?? o.factor;
      onAction(
        actions.containerList(global(), {
          ...target(o),
          start: o.start,
          count: o.count,
          all: o.all,
          ...(o.state ? { state: o.state } : {}),
          ...(o.type ? { type: o.type } : {}),
          ...(replication ? { replication } : {}),
          ...(o.suppressed !== undefined ? { suppressed: o.suppressed } : {}),
        }),
      );
    });
  adminContainer
    .command('info')
    .description('Show information about a specific container')
    .argument('[ids...]', 'Container IDs: one or more, separated by spaces')
    .option('--service-id <id>', 'SCM service id')
    .option('--scm <host:port>', 'ask this SCM (client port) only')
    .option('--json', 'Format output as JSON', false)
    .action((ids: string[], o: { serviceId?: string; scm?: string; json: boolean }) => onAction(actions.containerInfo(global(), { ...target(o), ids, json: o.json })));

  adminScm
    .command('finalizeupgrade')
    .description('Finalize SCM Upgrade')
    .option('--service-id <id>', 'SCM service id')
    .option('--scm <host:port>', 'ask this SCM (client port) only')
    .option('--takeover', 'Forces takeover of monitoring from another client, if finalization has already been started and did not finish yet.', false)
    .action((o: { serviceId?: string; scm?: string; takeover: boolean }) => onAction(actions.finalizeUpgrade(global(), { ...target(o), takeover: o.takeover })));
  adminScm
    .command('finalizationstatus')
    .description('Finalization SCM Status')
    .option('--service-id <id>', 'SCM service id')
    .option('--scm <host:port>', 'ask this SCM (client port) only')
    .action((o: { serviceId?: string; scm?: string }) => onAction(actions.finalizationStatus(global(), target(o))));

  // OzoneGetConf: `confKey <key>` / `-confKey <key>`, `storagecontainermanagers` / `-storagecontainermanagers`
  // (the single-dash spellings are picocli aliases, which commander cannot declare: the words are read here)
  program
    .command('getconf')
    .description('ozone getconf is utility for getting configuration information from the config file.')
    .usage('[confKey|-confKey <key>] [storagecontainermanagers|-storagecontainermanagers]')
    .argument('[words...]')
    .allowUnknownOption()
    .addHelpText('after', '\nCommands:\n  confKey, -confKey <key>           gets a specific key from the configuration\n  storagecontainermanagers, -storagecontainermanagers\n                                    gets list of ozone storage container manager nodes in the cluster')
    .action((words: string[]) => {
      const [what, ...rest] = words;
      if (what === 'confKey' || what === '-confKey') {
        if (rest.length !== 1) program.error(rest.length === 0 ? "error: Missing required parameter: 'confKey'" : `error: Unmatched argument: '${rest[1]}'`, { exitCode: 2, code: 'ozone.usage' });
        onAction(actions.getconf(global(), { what: 'confKey', key: rest[0]! }));
      } else if (what === 'storagecontainermanagers' || what === '-storagecontainermanagers') {
        if (rest.length > 0) program.error(`error: Unmatched argument: '${rest[0]}'`, { exitCode: 2, code: 'ozone.usage' });
        onAction(actions.getconf(global(), { what: 'storagecontainermanagers' }));
      } else {
        program.error(what === undefined ? 'error: Missing required subcommand (confKey, storagecontainermanagers)' : `error: Unmatched argument: '${what}' (expected confKey or storagecontainermanagers)`, { exitCode: 2, code: 'ozone.usage' });
      }
    });

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
      if (!cf) program.error("error: required option '--column-family <cf>' not specified", { exitCode: 2, code: 'ozone.usage' });
      onAction(actions.ldbScan(global(), ldbOpts(), { columnFamily: cf!, withKeys: o.withKeys, limit: o.limit, compact: o.compact, count: o.count }));
    });

  ldb
    .command('checkpoint')
    .description('write a consistent copy of the database (from the running SCM that holds it, if any)')
    .requiredOption('--output <dir>', 'where to create the copy (must not exist)')
    .action((o: { output: string }) => onAction(actions.ldbCheckpoint(global(), ldbOpts(), o.output)));

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
  rk.option('--json [dir]', 'write the figures to <dir>/<yyyyMMddHHmmss>.json (as Ozone); without a directory: print them as JSON instead of the summary');
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
    .option('--prefix <name>', 'host name prefix of the simulated datanodes (default: the identity\'s host on a secure cluster, else the local host name)')
    .option('--identity-dir <dir>', 'secure cluster: the datanode identity (default <metadata>/dn/<prefix>)')
    .option('--token-file <file>', 'secure cluster, first start: file holding a datanode join token (mode 0600), or - for stdin')
    .option('--ca-cert-hash <sha256:hex>', 'secure cluster, first start: hash of the root CA public key to pin')
    .action((o: { count: number; prefix?: string; identityDir?: string; tokenFile?: string; caCertHash?: string }) =>
      onAction(
        actions.datanode(global(), {
          count: o.count,
          ...(o.prefix ? { prefix: o.prefix } : {}),
          ...(o.identityDir ? { identityDir: o.identityDir } : {}),
          ...(o.tokenFile ? { tokenFile: o.tokenFile } : {}),
          ...(o.caCertHash ? { caCertHash: o.caCertHash } : {}),
        }),
      ),
    );

  return program;
}

/**
 * Ozone's option spellings commander cannot declare: ScmOption's `-id` (a two-letter short option, alias of
 * `--service-id`). Rewritten before parsing; every other argument passes unchanged.
 */
export function ozoneSpellings(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of argv) {
    if (a === '-id') out.push('--service-id');
    else if (a.startsWith('-id=')) out.push(`--service-id=${a.slice(4)}`);
    else out.push(a);
  }
  return out;
}

/** Parses argv (without node and script) and runs the action; resolves with the exit code. */
export async function runProgram(argv: readonly string[], actions: CliActions, write: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  let pending: Promise<number> | undefined;
  const program = buildProgram(actions, write, (p) => (pending = p));
  if (argv.length === 1 && argv[0] === '--version') return actions.version({});
  if (argv.length === 0) {
    // bin/ozone without a subcommand: usage, exit 1 (hadoop_exit_with_usage 1)
    write.out(program.helpInformation());
    return 1;
  }
  argv = ozoneSpellings(argv);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    // picocli (Ozone's CLI library) exits 2 on a usage error (CommandLine.ExitCode.USAGE); help and version 0
    if (err instanceof CommanderError) return err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version' ? 0 : err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  if (!pending) {
    write.out(program.helpInformation());
    return 2;
  }
  return pending;
}
