/**
 * XML import, directories: spec.directories from `ozone.metadata.dirs` (required by Ozone; an SCM uses the
 * first of a list), the SCM db/Ratis/snapshot keys and scmctl's install/config/logs keys; per node, the
 * directories of its `scmctl.node.<sid>.<nid>` entry and `ozone.scm.db.dirs.<sid>.<nid>`.
 * `hdds.metadata.dir` is not mapped: scmctl renders it as the metadata directory, so a different value warns.
 */
import { KEY } from '../ozone-keys.js';
import { SCMCTL_PREFIX, SCMCTL_SCALARS } from '../scmctl-keys.js';
import { setOwn, type Importer, type Json, type JsonProperty, type NodeAddress } from './importer.js';
import type { ScmctlKeys } from './scmctl-settings.js';
import { splitList } from './values.js';

/** The node's `directories` (empty when it sets none): its JSON overrides, plus a per-node db dir. */
export function importNodeDirectories(im: Importer, sid: string, e: NodeAddress, nAt: string, extra: JsonProperty | undefined): Json {
  const dirs: Json = {};
  const jsonDirs = extra?.value['directories'];
  if (jsonDirs !== null && typeof jsonDirs === 'object' && !Array.isArray(jsonDirs)) for (const [k, v] of Object.entries(jsonDirs)) setOwn(dirs, k, v);
  const dbProp = im.take(`${KEY.dbDirs}.${sid}.${e.nid}`);
  if (dbProp) {
    dirs['db'] = dbProp.value;
    im.locate(`${nAt}/directories/db`, dbProp);
  }
  return dirs;
}

const DIRECTORY_KEYS: ReadonlyArray<readonly [string, string]> = [
  [KEY.dbDirs, 'db'],
  [KEY.ratisStorageDir, 'ratis'],
  [KEY.ratisSnapshotDir, 'snapshot'],
  [SCMCTL_SCALARS.installDir, 'install'],
  [SCMCTL_SCALARS.configDir, 'config'],
  [SCMCTL_SCALARS.logsDir, 'logs'],
];

/** spec.directories; reports a missing metadata directory. */
export function importClusterDirectories(im: Importer, keys: ScmctlKeys, spec: Json): void {
  const dirs: Json = {};
  const metaProp = im.take(KEY.metadataDirs);
  if (!metaProp) {
    im.error(undefined, 'TOPOLOGY_DIRECTORY_REQUIRED', `the file does not set ${KEY.metadataDirs}, which Ozone requires`, `add ${KEY.metadataDirs} (e.g. /var/lib/ozone/metadata)`);
  } else {
    const list = splitList(metaProp.value);
    if (list.length > 1) im.warn(metaProp, 'TOPOLOGY_XML_IGNORED_VALUE', `${KEY.metadataDirs} lists ${list.length} directories; an SCM uses the first`, 'keep one directory');
    dirs['metadata'] = list[0] ?? metaProp.value;
    im.locate('/spec/directories/metadata', metaProp);
  }
  for (const [key, field] of DIRECTORY_KEYS) {
    const prop = key.startsWith(SCMCTL_PREFIX) ? keys.scalars.get(key) : im.take(key);
    if (!prop) continue;
    dirs[field] = prop.value;
    im.locate(`/spec/directories/${field}`, prop);
  }
  if (Object.keys(dirs).length > 0) spec['directories'] = dirs;
  const hddsMeta = im.take(KEY.hddsMetadataDir);
  if (hddsMeta && hddsMeta.value !== dirs['metadata']) {
    im.warn(hddsMeta, 'TOPOLOGY_XML_IGNORED_VALUE', `${KEY.hddsMetadataDir} differs from ${KEY.metadataDirs}; scmctl renders it as the metadata directory`, `keep security material under ${KEY.metadataDirs}`);
  }
}
