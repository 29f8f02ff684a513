/**
 * Loading a topology: read (at most TOPOLOGY_MAX_BYTES, topology-file.ts) → parse (YAML with positions, or
 * ozone-site.xml import) → `${ENV}` expansion (YAML only) → schema (ajv) → normalise (defaults, references)
 * → semantic rules.
 *
 * Contract: never throws for anything wrong with the input; every problem is a coded diagnostic with a
 * position. `topology` is present exactly when there is no error (warnings allowed). A bug in scmctl is
 * reported as TOPOLOGY_INTERNAL rather than thrown, so one bad file cannot stop `validate` of the others.
 */
import { dirname, extname, resolve } from 'node:path';
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostic.js';
import { expandEnvironment, type Environment } from './env-expand.js';
import { checkIdentityFiles } from './identity-files.js';
import type { LocatedDocument } from './located-document.js';
import type { Topology } from './model.js';
import { normalise } from './normalise.js';
import { notATopology } from './not-a-topology.js';
import { Reporter } from './reporter.js';
import { checkReleaseFiles, namesLocalFiles } from './release-files.js';
import { RULES } from './rules/index.js';
import { checkCharacters, checkSchema } from './schema-check.js';
import { SourceText } from './source-text.js';
import type { TopologyDocument } from './spec-types.js';
import { formatSize, readTopologyFile, TOPOLOGY_MAX_BYTES } from './topology-file.js';
import { importOzoneSite } from './xml-import.js';
import { parseYaml } from './yaml-adapter.js';

export type TopologyFormat = 'yaml' | 'xml';

export interface LoadOptions {
  /** environment for `${NAME}` references; default: none set */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** default: by extension (.xml → xml, else yaml), or by content when it starts with `<` */
  readonly format?: TopologyFormat;
  /** the file name shown in diagnostics (default: the path as given) */
  readonly displayName?: string;
  /**
   * check the SSH identity files the topology names (loadTopology; identity-files.ts), relative paths from
   * this working directory — for commands that connect (validate, plan, apply…); default: not checked
   */
  readonly identityFiles?: { readonly cwd: string };
}

export interface LoadResult {
  /** present iff there are no error diagnostics */
  readonly topology?: Topology;
  /** sorted by position */
  readonly diagnostics: readonly Diagnostic[];
  /** the text that was loaded ('' when unreadable), for source excerpts in messages */
  readonly text: string;
}

export function detectFormat(filename: string, text: string): TopologyFormat {
  const ext = extname(filename).toLowerCase();
  if (ext === '.xml') return 'xml';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  return /^\uFEFF?\s*</.test(text) ? 'xml' : 'yaml';
}

/** A run's result, and the checked document when there is a topology (the local file checks read it). */
type RunResult = Omit<LoadResult, 'text'> & { readonly document?: TopologyDocument };

function run(source: SourceText, format: TopologyFormat, env: Environment, reporter = new Reporter(source)): RunResult {
  let doc: LocatedDocument | undefined;
  if (format === 'xml') {
    doc = importOzoneSite(source, reporter);
  } else {
    const parsed = parseYaml(source.text);
    const notOne = notATopology(source.filename, source.text, parsed.document ? { ok: true, value: parsed.document.value } : { ok: false });
    if (notOne) {
      reporter.atSpan(undefined, 'error', 'TOPOLOGY_NOT_A_TOPOLOGY', notOne.summary, { hint: notOne.hint });
      return { diagnostics: reporter.diagnostics };
    }
    for (const p of parsed.problems) {
      const duplicate = p.yamlCode === 'DUPLICATE_KEY';
      const message = p.message.replace(/\s+at line \d+, column \d+:?[\s\S]*$/, '');
      reporter.atSpan(p.span, p.severity, duplicate ? 'TOPOLOGY_YAML_DUPLICATE_KEY' : 'TOPOLOGY_YAML_SYNTAX', message, {
        detail: `YAML ${p.yamlCode}`,
        hint: duplicate ? 'remove or rename one of the two keys' : 'fix the YAML syntax here (indentation, brackets, quotes, colons)',
      });
    }
    if (parsed.document) {
      reporter.setDocument(parsed.document);
      doc = parsed.document.withValue(expandEnvironment(parsed.document.value, env, reporter));
    }
  }
  if (!doc || hasErrors(reporter.diagnostics)) return { diagnostics: sortDiagnostics(reporter.diagnostics) };
  reporter.setDocument(doc);
  checkCharacters(doc.value, reporter);
  if (!checkSchema(doc.value, reporter) || hasErrors(reporter.diagnostics)) return { diagnostics: sortDiagnostics(reporter.diagnostics) };
  const document = doc.value as TopologyDocument;
  const { topology, provenance } = normalise(document, reporter);
  // Rules also run when references failed: the model holds what could be resolved, rules skip the rest.
  for (const rule of RULES) rule({ document, topology, provenance, reporter });
  const diagnostics = sortDiagnostics(reporter.diagnostics);
  return hasErrors(diagnostics) ? { diagnostics } : { topology, diagnostics, document };
}

function internal(source: SourceText, err: unknown): Omit<LoadResult, 'text'> {
  const reporter = new Reporter(source);
  reporter.atSpan(undefined, 'error', 'TOPOLOGY_INTERNAL', `scmctl failed on this file: ${err instanceof Error ? err.message : String(err)}`, {
    detail: err instanceof Error ? (err.stack ?? err.message) : String(err),
    hint: 'this is a bug in scmctl; please report it with the file',
  });
  return { diagnostics: reporter.diagnostics };
}

function tooLarge(shown: string, size: number): LoadResult {
  const reporter = new Reporter(new SourceText(shown, ''));
  reporter.atSpan(undefined, 'error', 'TOPOLOGY_FILE_TOO_LARGE', `${shown} is ${formatSize(size)}, over the ${formatSize(TOPOLOGY_MAX_BYTES)} limit for topology files; it was not parsed`, {
    hint: 'a topology is a few kilobytes: check that this is the right file',
  });
  return { diagnostics: reporter.diagnostics, text: '' };
}

/** Loads topology text (no I/O): the function tests and `loadTopology` share. Text over the size limit is refused too. */
export function loadTopologyText(text: string, filename: string, options: LoadOptions = {}): LoadResult {
  return loadText(text, filename, options).result;
}

/** loadTopologyText, and the reporter of the run (it knows where each pointer is in the text), when it ran */
function loadText(text: string, filename: string, options: LoadOptions): { result: LoadResult; reporter?: Reporter; document?: TopologyDocument } {
  // UTF-16 units ≤ UTF-8 bytes ≤ 3 × units: count bytes only when the length does not decide
  if (text.length > TOPOLOGY_MAX_BYTES || (text.length * 3 > TOPOLOGY_MAX_BYTES && Buffer.byteLength(text, 'utf8') > TOPOLOGY_MAX_BYTES)) {
    return { result: tooLarge(filename, Buffer.byteLength(text, 'utf8')) };
  }
  const source = new SourceText(filename, text);
  const reporter = new Reporter(source);
  try {
    const { document, ...result } = run(source, options.format ?? detectFormat(filename, text), options.env ?? {}, reporter);
    return { result: { ...result, text }, reporter, ...(document ? { document } : {}) };
  } catch (err) {
    return { result: { ...internal(source, err), text } };
  }
}

/** Reads and loads a topology file (YAML, or an ozone-site.xml to import); files over TOPOLOGY_MAX_BYTES are refused unread. */
export async function loadTopology(file: string, options: LoadOptions = {}): Promise<LoadResult> {
  const shown = options.displayName ?? file;
  const read = await readTopologyFile(file);
  if (!read.ok && read.reason === 'too-large') return tooLarge(shown, read.size);
  if (!read.ok) {
    const reporter = new Reporter(new SourceText(shown, ''));
    const code = read.code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' || code === 'EPERM' ? `permission denied (${code})` : code;
    reporter.atSpan(undefined, 'error', 'TOPOLOGY_FILE_UNREADABLE', `cannot read ${shown}: ${why}`, {
      hint:
        code === 'ENOENT'
          ? 'check the path'
          : code === 'EISDIR'
            ? 'name the topology file in it, e.g. cluster.yaml'
            : code === 'EACCES' || code === 'EPERM'
              ? `give this user read access to ${shown} (ls -l shows its owner and mode), or run scmctl as a user who can read it`
              : 'check the file and the disk it is on',
    });
    return { diagnostics: reporter.diagnostics, text: '' };
  }
  const text = read.text;
  const { result, reporter, document } = loadText(text, shown, { ...options, format: options.format ?? detectFormat(file, text) });
  if (!result.topology || !reporter || !document) return result;
  // the files a topology names on this machine are checked here: SSH keys (warnings; relative to the working
  // directory, as the SSH layer reads them), an Ozone release, a JDK, keytabs (relative to the topology's directory)
  const before = reporter.diagnostics.length;
  if (options.identityFiles) checkIdentityFiles(document, result.topology, reporter, { env: options.env ?? {}, cwd: options.identityFiles.cwd });
  if (namesLocalFiles(result.topology)) await checkReleaseFiles(result.topology, dirname(resolve(file)), reporter);
  if (reporter.diagnostics.length === before) return result;
  const diagnostics = sortDiagnostics(reporter.diagnostics);
  return hasErrors(diagnostics) ? { diagnostics, text } : { ...result, diagnostics };
}
