/**
 * ozone-site.xml import: maps Ozone's keys (docs/ozone-scm-ha.md §1, §7) and scmctl's own `scmctl.*` keys onto a
 * topology document of the same shape as a YAML file, with every value located at the `<property>` it came
 * from. The loader then validates that document exactly as it validates YAML (schema, normalise, rules), so
 * both inputs give one model and one set of diagnostics.
 *
 * Mapping (reverse of the renderer): service ids, default service, nodes, addresses (hosts), per-node and
 * cluster ports, bind hosts (listen), primordial, ratis, metadata/db/ratis/snapshot directories (a per-node
 * `ozone.scm.db.dirs.<sid>.<nid>` too), security and Kerberos, `ozone.scm.info.wait.duration`. Everything
 * else becomes an extra property, except mistyped SCM keys (scm-key-check.ts), which are errors.
 * Hadoop `${…}` substitutions in values are kept as written.
 *
 * One file per section under xml-import/, run in the order below (importer.ts holds the state they share:
 * a section consumes the keys it maps; the last section passes the rest through). The order matters:
 * scmctl.* keys first (they name hosts and carry per-node settings), hosts after the nodes placed on them,
 * the primordial after the hosts (it may name a node by address), extra properties last.
 */
import { LocatedDocument } from './located-document.js';
import { API_VERSION, KIND } from './model.js';
import type { Reporter } from './reporter.js';
import { SCMCTL_SCALARS } from './scmctl-keys.js';
import type { SourceText } from './source-text.js';
import { importClusterDirectories } from './xml-import/directories.js';
import { HostTable } from './xml-import/hosts.js';
import { openSite, type Json } from './xml-import/importer.js';
import { importClusterPorts } from './xml-import/ports.js';
import { checkNodeId, importDefaultService, importPrimordials } from './xml-import/primordial.js';
import { importExtraProperties } from './xml-import/properties.js';
import { importRuntime, importTimeouts } from './xml-import/runtime.js';
import { checkNodeKeys, importScmctlSettings, readScmctlKeys } from './xml-import/scmctl-settings.js';
import { importSecurity } from './xml-import/security.js';
import { importRatis, importServices, readServiceIds } from './xml-import/services.js';
import { splitList } from './xml-import/values.js';

/** Builds the topology document from an ozone-site.xml; undefined when the file cannot be read as one. */
export function importOzoneSite(source: SourceText, reporter: Reporter): LocatedDocument | undefined {
  const im = openSite(source, reporter);
  if (!im) return undefined;
  const spec: Json = {};
  const doc: Json = { apiVersion: API_VERSION, kind: KIND, spec };

  const keys = readScmctlKeys(im);
  importScmctlSettings(im, keys, doc, spec);
  const ids = readServiceIds(im);
  if (!ids) return undefined;

  const hosts = new HostTable(keys.hostJson);
  const listed = keys.scalars.get(SCMCTL_SCALARS.hosts);
  if (listed) for (const name of splitList(listed.value)) hosts.ensure(name, listed);
  const { services, serviceNodes } = importServices(im, ids, keys, hosts);
  spec['services'] = services;
  checkNodeKeys(im, keys, serviceNodes);
  spec['hosts'] = hosts.toSpec(im);

  const defaultProp = importDefaultService(im, spec);
  importPrimordials(im, services, ids.ids, keys, hosts, defaultProp);
  checkNodeId(im, serviceNodes);
  importRatis(im, spec, ids.legacy);
  importClusterPorts(im, spec);
  importClusterDirectories(im, keys, spec);
  importSecurity(im, keys, spec);
  importTimeouts(im, keys, spec);
  importRuntime(im, keys, spec);
  importExtraProperties(im, spec, serviceNodes);
  return new LocatedDocument(doc, im.spans);
}
