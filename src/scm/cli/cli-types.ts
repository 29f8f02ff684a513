/** The parsed `ozone` command line, independent of the parser (commander lives in program.ts only). */
import type { ReplicationFactor, ReplicationType } from '../state/records.js';
import type { FreonOptions } from '../tools/freon.js';
import type { TokenCreateOptions } from '../tools/token-commands.js';
import type { ContainerListOptions } from '../tools/container-list.js';
import type { DatanodeListOptions } from '../tools/datanode-list.js';
import type { PipelineListOptions } from '../tools/pipeline-list.js';

export interface GlobalOptions {
  readonly conf?: string;
  readonly daemon?: 'start' | 'stop' | 'status';
}

export interface ScmOptions {
  readonly init: boolean;
  readonly bootstrap: boolean;
  readonly genclusterid: boolean;
  readonly clusterid?: string;
  /** --bootstrap on a secure cluster: where the join token is (`-` = stdin) and the pinned root CA hash */
  readonly tokenFile?: string;
  readonly caCertHash?: string;
}

/** Where a command finds the SCMs: `--service-id`, `--scm host:port` */
export interface ScmTarget {
  readonly serviceId?: string;
  readonly scm?: string;
}

export type TokenCreateCliOptions = ScmTarget & TokenCreateOptions;

export interface CertRequestCliOptions {
  readonly kind: 'datanode' | 'om' | 'admin';
  readonly tokenFile: string;
  readonly caCertHash: string;
  readonly out: string;
}

export interface RolesOptions {
  readonly serviceId?: string;
  readonly scm?: string;
  readonly format: 'plain' | 'json' | 'table';
}

export interface TransferOptions {
  readonly serviceId?: string;
  readonly scm?: string;
  readonly nodeId?: string;
  readonly random: boolean;
}

export interface ContainerCreateCliOptions {
  readonly serviceId?: string;
  readonly scm?: string;
  readonly count: number;
  readonly replicationType: ReplicationType;
  readonly factor: ReplicationFactor;
  readonly owner: string;
}

export interface LdbOptions {
  readonly db: string;
}

export interface LdbScanCliOptions {
  readonly columnFamily: string;
  readonly withKeys: boolean;
  readonly limit: number;
  readonly compact: boolean;
  readonly count: boolean;
}

/** freon's own options (the block size comes from the configuration), plus the command line's extras */
export interface FreonCliOptions extends Omit<FreonOptions, 'blockSize'> {
  readonly omServiceId?: string;
  readonly cleanObjects: boolean;
}

export interface DatanodeOptions {
  readonly count: number;
  readonly prefix?: string;
  /** secure cluster: the datanode identity's directory, and how to obtain it the first time */
  readonly identityDir?: string;
  readonly tokenFile?: string;
  readonly caCertHash?: string;
}

/** `admin datanode list` (tools/datanode-list.ts) */
export type DatanodeListCliOptions = ScmTarget & DatanodeListOptions;

/** `admin pipeline list` (tools/pipeline-list.ts) */
export type PipelineListCliOptions = ScmTarget & PipelineListOptions;

/** `admin container list` (tools/container-list.ts) */
export type ContainerListCliOptions = ScmTarget & ContainerListOptions;

/** `admin container info <id>…`: the ids as typed (checked by the action, as Ozone's ContainerIDParameters) */
export interface ContainerInfoCliOptions extends ScmTarget {
  readonly ids: readonly string[];
  readonly json: boolean;
}

/** `getconf storagecontainermanagers | confKey <key>` (tools/getconf.ts) */
export type GetconfCliOptions = { readonly what: 'storagecontainermanagers' } | { readonly what: 'confKey'; readonly key: string };

/** `ozone admin safemode status|wait|exit` (SafeModeCommands) */
export type SafeModeCliOptions = ScmTarget &
  (
    | { readonly command: 'status'; readonly all: boolean; readonly verbose: boolean }
    | { readonly command: 'wait'; readonly timeoutSeconds: number }
    | { readonly command: 'exit' }
  );

/** What each command does; main.ts binds the real implementations, tests bind recorders. */
export interface CliActions {
  version(g: GlobalOptions): Promise<number>;
  safeMode(g: GlobalOptions, o: SafeModeCliOptions): Promise<number>;
  scm(g: GlobalOptions, o: ScmOptions): Promise<number>;
  roles(g: GlobalOptions, o: RolesOptions): Promise<number>;
  transfer(g: GlobalOptions, o: TransferOptions): Promise<number>;
  containerCreate(g: GlobalOptions, o: ContainerCreateCliOptions): Promise<number>;
  ldbList(g: GlobalOptions, o: LdbOptions): Promise<number>;
  ldbScan(g: GlobalOptions, o: LdbOptions, s: LdbScanCliOptions): Promise<number>;
  ldbCheckpoint(g: GlobalOptions, o: LdbOptions, output: string): Promise<number>;
  freon(g: GlobalOptions, o: FreonCliOptions): Promise<number>;
  datanode(g: GlobalOptions, o: DatanodeOptions): Promise<number>;
  tokenCreate(g: GlobalOptions, o: TokenCreateCliOptions): Promise<number>;
  tokenList(g: GlobalOptions, o: ScmTarget & { json: boolean }): Promise<number>;
  tokenRevoke(g: GlobalOptions, o: ScmTarget & { id: string }): Promise<number>;
  decommission(g: GlobalOptions, o: ScmTarget & { nodeId: string }): Promise<number>;
  certList(g: GlobalOptions, o: ScmTarget & { role?: 'SCM' | 'OM' | 'DATANODE' | 'ADMIN'; json: boolean; count?: number; start?: string }): Promise<number>;
  certRevoke(g: GlobalOptions, o: ScmTarget & { serial: string; reason?: string }): Promise<number>;
  certRequest(g: GlobalOptions, o: CertRequestCliOptions): Promise<number>;
  // operator listings and getconf (tools/datanode-list, pipeline-list, container-list, container-info,
  // getconf, finalize-upgrade)
  datanodeList(g: GlobalOptions, o: DatanodeListCliOptions): Promise<number>;
  pipelineList(g: GlobalOptions, o: PipelineListCliOptions): Promise<number>;
  containerList(g: GlobalOptions, o: ContainerListCliOptions): Promise<number>;
  containerInfo(g: GlobalOptions, o: ContainerInfoCliOptions): Promise<number>;
  getconf(g: GlobalOptions, o: GetconfCliOptions): Promise<number>;
  finalizeUpgrade(g: GlobalOptions, o: ScmTarget & { takeover: boolean }): Promise<number>;
  finalizationStatus(g: GlobalOptions, o: ScmTarget): Promise<number>;
}
