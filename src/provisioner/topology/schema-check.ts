/**
 * Structural validation: schemas/topology.schema.json through ajv (all errors at once), each issue turned
 * into a coded diagnostic at the offending token, with a hint (did-you-mean for unknown keys and values).
 * Also rejects characters that cannot appear in an XML 1.0 document, since every string may end up in a
 * rendered ozone-site.xml.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { compileSchema, fromStandalone, type SchemaIssue, type SchemaValidator } from './ajv-adapter.js';
import type { TopologyDiagnosticCode } from './diagnostic.js';
import { didYouMean } from './did-you-mean.js';
import { childPointer, dottedPath } from './json-pointer.js';
import { packageFile } from './package-root.js';
import type { Reporter } from './reporter.js';
import { TopologyError } from './topology-error.js';

let validator: SchemaValidator | undefined;
let schemaObject: Record<string, unknown> | undefined;
let schemaBytes: Buffer | undefined;

/** Where `npm run build` writes the precompiled validator: beside this module (dist/src, and dist/cli's bundle). */
export const PRECOMPILED_VALIDATOR = 'topology-schema.validate.js';

function schemaFile(): Buffer {
  if (!schemaBytes) {
    const file = packageFile('schemas', 'topology.schema.json');
    try {
      schemaBytes = readFileSync(file);
    } catch (err) {
      throw new TopologyError('TOPOLOGY_PACKAGE_FILES_MISSING', `cannot read the topology schema ${file}`, {
        cause: err,
        hint: 'reinstall scmctl: the package is incomplete',
      });
    }
  }
  return schemaBytes;
}

export function topologySchema(): Readonly<Record<string, unknown>> {
  schemaObject ??= JSON.parse(schemaFile().toString('utf8')) as Record<string, unknown>;
  return schemaObject;
}

export function schemaSha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The build's precompiled validator when it is there and was made from the schema this package holds (its
 * sha256), else null: the schema is compiled on first use instead (tests run from src/, where there is none).
 */
async function precompiled(): Promise<SchemaValidator | null> {
  try {
    const mod = (await import(new URL(`./${PRECOMPILED_VALIDATOR}`, import.meta.url).href)) as { schemaSha256?: unknown; validate?: unknown };
    return mod.schemaSha256 === schemaSha256(schemaFile()) && typeof mod.validate === 'function' ? fromStandalone(mod.validate) : null;
  } catch {
    return null;
  }
}

validator = (await precompiled()) ?? undefined;

function schemaValidator(): SchemaValidator {
  validator ??= compileSchema(topologySchema());
  return validator;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `a string (${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)})`;
    case 'number':
      return Number.isInteger(value) ? `an integer (${value})` : `a number (${value})`;
    case 'boolean':
      return `a boolean (${value})`;
    case 'object':
      return 'a mapping';
    default:
      return typeof value;
  }
}

const typeNames: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  object: 'a mapping',
  array: 'a list',
  null: 'null',
};

function valueAt(root: unknown, path: string): unknown {
  let cur: unknown = root;
  if (path === '') return cur;
  for (const raw of path.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Object.hasOwn(cur, token) ? (cur as Record<string, unknown>)[token] : undefined;
  }
  return cur;
}

function description(issue: SchemaIssue): string | undefined {
  const d = issue.parentSchema?.['description'];
  return typeof d === 'string' ? d : undefined;
}

function report(issue: SchemaIssue, data: unknown, reporter: Reporter, propertyName: string | undefined): void {
  const at = issue.instancePath;
  const where = dottedPath(at);
  const value = valueAt(data, at);
  switch (issue.keyword) {
    case 'additionalProperties': {
      const key = String(issue.params['additionalProperty']);
      const props = issue.parentSchema?.['properties'];
      const allowed = props && typeof props === 'object' ? Object.keys(props) : [];
      const suggestion = didYouMean(key, allowed);
      let hint = suggestion ? `did you mean "${suggestion}"?` : allowed.length ? `allowed keys: ${allowed.join(', ')}` : undefined;
      if (/pass(word)?/i.test(key)) {
        hint = 'scmctl never reads passwords from a file: set ssh.become.passwordEnv to the NAME of an environment variable';
      }
      reporter.error(childPointer(at, key), 'TOPOLOGY_UNKNOWN_KEY', `unknown key "${key}" in ${where}`, {
        at: 'key',
        ...(hint === undefined ? {} : { hint }),
      });
      return;
    }
    case 'required': {
      const key = String(issue.params['missingProperty']);
      reporter.error(at, 'TOPOLOGY_MISSING_KEY', `${where} is missing the required key "${key}"`, {
        at: 'key',
        hint: `add "${key}:" to ${where}`,
      });
      return;
    }
    case 'type': {
      const expected = String(issue.params['type'])
        .split(',')
        .map((t) => typeNames[t] ?? t)
        .join(' or ');
      const numeric = typeof value === 'string' && /^\s*\d+\s*$/.test(value) && /integer|number/.test(String(issue.params['type']));
      const desc = description(issue);
      reporter.error(at, 'TOPOLOGY_TYPE', `${where} must be ${expected}${desc ? ` (${desc})` : ''}, got ${describeValue(value)}`, {
        hint: numeric
          ? `write the number without quotes: ${where.split('.').pop()}: ${String(value).trim()}`
          : /integer/.test(String(issue.params['type']))
            ? `write a whole number without quotes${desc && /port/i.test(desc) ? ', from 1 to 65535' : ''}`
            : `give ${where} ${expected}`,
      });
      return;
    }
    case 'const': {
      const expected = String(issue.params['allowedValue']);
      const code: TopologyDiagnosticCode = at === '/apiVersion' ? 'TOPOLOGY_API_VERSION' : at === '/kind' ? 'TOPOLOGY_KIND' : 'TOPOLOGY_INVALID_VALUE';
      reporter.error(at, code, `${where} must be "${expected}", got ${describeValue(value)}`, { hint: `${where}: ${expected}` });
      return;
    }
    case 'enum': {
      const allowed = (issue.params['allowedValues'] as unknown[]).map(String);
      const suggestion = typeof value === 'string' ? didYouMean(value, allowed) : undefined;
      reporter.error(at, 'TOPOLOGY_INVALID_VALUE', `${where} must be one of ${allowed.join(', ')}, got ${describeValue(value)}`, {
        hint: suggestion ? `did you mean "${suggestion}"?` : `use one of: ${allowed.join(', ')}`,
      });
      return;
    }
    case 'pattern': {
      const desc = description(issue);
      if (propertyName !== undefined) {
        reporter.error(childPointer(at, propertyName), 'TOPOLOGY_INVALID_VALUE', `"${propertyName}" is not a valid property name in ${where}`, {
          at: 'key',
          hint: 'property names are letters, digits, ".", "-" and "_"',
        });
        return;
      }
      reporter.error(at, 'TOPOLOGY_INVALID_VALUE', `${where} is not valid: ${describeValue(value)}${desc ? `; expected ${desc}` : ''}`, {
        ...(desc ? { hint: `expected ${desc}` } : {}),
      });
      return;
    }
    case 'minimum':
    case 'maximum': {
      const lo = issue.parentSchema?.['minimum'];
      const hi = issue.parentSchema?.['maximum'];
      reporter.error(at, 'TOPOLOGY_INVALID_VALUE', `${where} must be between ${String(lo)} and ${String(hi)}, got ${describeValue(value)}`, {
        hint: `use a value from ${String(lo)} to ${String(hi)}`,
      });
      return;
    }
    case 'minItems':
      reporter.error(at, 'TOPOLOGY_INVALID_VALUE', `${where} needs at least ${String(issue.params['limit'])} entr${issue.params['limit'] === 1 ? 'y' : 'ies'}`);
      return;
    case 'minLength':
      reporter.error(at, 'TOPOLOGY_INVALID_VALUE', `${where} must not be empty`);
      return;
    case 'uniqueItems':
      reporter.error(at, 'TOPOLOGY_INVALID_VALUE', `${where} lists the same value twice`, { hint: 'remove the repeated entry' });
      return;
    case 'propertyNames':
      return; // reported through the nested issue that carries the name
    default:
      reporter.error(at, 'TOPOLOGY_INVALID_VALUE', `${where} ${issue.message}`);
  }
}

/** Reports every schema problem of `data`; returns true when the document matches the schema. */
export function checkSchema(data: unknown, reporter: Reporter): boolean {
  const issues = schemaValidator()(data);
  const seen = new Set<string>();
  for (const issue of issues) {
    const propertyName = issue.propertyName;
    const key = `${issue.keyword}|${issue.instancePath}|${propertyName ?? ''}|${JSON.stringify(issue.params)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    report(issue, data, reporter, propertyName);
  }
  return issues.length === 0;
}

// XML 1.0 Char production, minus what a configuration value has no business containing.
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Cheap first test: only strings with a control character or a surrogate need the precise one.
const SUSPECT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
const forbidden = (s: string): boolean => SUSPECT.test(s) && FORBIDDEN.test(s);

/** Reports strings (keys and values) holding characters an XML document cannot carry. */
export function checkCharacters(data: unknown, reporter: Reporter, path = ''): void {
  if (typeof data === 'string') {
    if (forbidden(data)) {
      reporter.error(path, 'TOPOLOGY_INVALID_CHARACTER', `${dottedPath(path)} contains a control character`, {
        hint: 'remove control characters (only tab and newline are allowed)',
      });
    }
    return;
  }
  if (Array.isArray(data)) {
    data.forEach((v, i) => checkCharacters(v, reporter, childPointer(path, i)));
    return;
  }
  if (data !== null && typeof data === 'object') {
    for (const [k, v] of Object.entries(data)) {
      if (forbidden(k)) {
        reporter.error(childPointer(path, k), 'TOPOLOGY_INVALID_CHARACTER', `a key in ${dottedPath(path)} contains a control character`, { at: 'key' });
      }
      checkCharacters(v, reporter, childPointer(path, k));
    }
  }
}
