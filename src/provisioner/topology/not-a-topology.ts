/**
 * "This file is not a topology" (TOPOLOGY_NOT_A_TOPOLOGY), decided by content: a file whose name does not
 * say YAML (`.yaml`/`.yml`) — notes.txt, a README, a tarball, no extension at all — is read as a topology
 * when its content is one (a YAML mapping with `apiVersion` or `kind`, or an ozone-site.xml), and otherwise
 * refused with one error that says what the file holds and what is accepted, instead of schema errors about
 * a "(document)" that was never meant to be a topology.
 *
 * A file named `.yaml`/`.yml` keeps the schema's own messages (its author meant a topology; "missing key
 * apiVersion" is the useful answer there), and `.xml` files are the ozone-site.xml importer's to judge.
 */
import { extname } from 'node:path';

/** Extensions that declare the file a YAML topology. */
const YAML_EXTENSIONS: ReadonlySet<string> = new Set(['.yaml', '.yml']);

export const ACCEPTED_FORMATS =
  'a topology is YAML that starts with "apiVersion: scmctl.io/v1alpha1" and "kind: ScmCluster" (docs/topology.md), or a Hadoop ozone-site.xml (<configuration>) to import';

export interface NotATopology {
  readonly summary: string;
  readonly hint: string;
}

function preview(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 40 ? `${one.slice(0, 40)}…` : one;
}

/** What the content is, in a few words; null when it may be a topology. */
function describeContent(text: string, parsed: { readonly ok: boolean; readonly value?: unknown }): string | null {
  // NUL or other C0 controls (besides tab, newline, carriage return): an archive, an image, a binary
  if (/[\u0000-\u0008\u000e-\u001f]/.test(text.slice(0, 8192))) return 'binary data';
  if (text.replace(/^\uFEFF/, '').trim() === '') return 'nothing (it is empty)';
  if (!parsed.ok) return 'text that is not YAML (it does not parse)';
  const v = parsed.value;
  if (v === null || v === undefined) return 'only comments';
  if (Array.isArray(v)) return `a list (${v.length} item${v.length === 1 ? '' : 's'}), not a mapping`;
  if (typeof v !== 'object') return `plain text ("${preview(String(v))}")`;
  const keys = Object.keys(v);
  if (keys.includes('apiVersion') || keys.includes('kind')) return null;
  return `a mapping without apiVersion or kind (keys: ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''})`;
}

/**
 * The verdict for a file read as YAML: null when it is (or may be) a topology — or when its name says
 * YAML, so the schema explains what is wrong — else the error to report instead of every other one.
 */
export function notATopology(filename: string, text: string, parsed: { readonly ok: boolean; readonly value?: unknown }): NotATopology | null {
  if (YAML_EXTENSIONS.has(extname(filename).toLowerCase())) return null;
  const what = describeContent(text, parsed);
  if (what === null) return null;
  return {
    summary: `${filename} is not a topology: it holds ${what}. ${ACCEPTED_FORMATS[0]!.toUpperCase()}${ACCEPTED_FORMATS.slice(1)}; the content decides, not the file name's extension`,
    hint: 'give the topology file (e.g. examples/local-ha.yaml), or write a starter one with `scmctl init`',
  };
}
