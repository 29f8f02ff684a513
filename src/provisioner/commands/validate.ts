/**
 * `scmctl validate FILE...`: loads each topology (YAML, or an ozone-site.xml to import) and reports every
 * problem. Exit 0 when no file has an error (warnings allowed), 1 otherwise. `--output json` prints one
 * document with Terraform-shaped diagnostics (format_version, valid, error_count, warning_count,
 * diagnostics[{severity, code, summary, detail, range{filename, start, end}, pointer, hint}]).
 */
import type { CommandSpec } from '../command.js';
import type { Diagnostic } from '../topology/diagnostic.js';
import { loadFromArgs, printDiagnostics } from './topology-io.js';

export interface ValidateJson {
  readonly format_version: '1.0';
  readonly valid: boolean;
  readonly error_count: number;
  readonly warning_count: number;
  readonly files: ReadonlyArray<{ readonly filename: string; readonly valid: boolean; readonly error_count: number; readonly warning_count: number }>;
  readonly diagnostics: readonly Diagnostic[];
}

const count = (ds: readonly Diagnostic[], severity: Diagnostic['severity']): number => ds.filter((d) => d.severity === severity).length;

export const validateCommand: CommandSpec = {
  name: 'validate',
  summary: 'check topology files (YAML, or an ozone-site.xml to import) and report every problem',
  description:
    'Checks each file against the topology schema and the SCM HA rules (unique ids, primordial node, ports, ' +
    'quorum size, directories, security) without touching any host. Reports file:line:column, a stable code ' +
    'and a hint for each problem. Exits 0 when every file is valid (warnings allowed), 1 otherwise. ' +
    '${NAME} references in YAML values are expanded from the environment.',
  args: ['<file...>'],
  options: [{ flags: '-o, --output <format>', description: 'text or json (Terraform-style diagnostics)', defaultValue: 'text', choices: ['text', 'json'] }],
  examples: ['scmctl validate examples/three-node.yaml', 'scmctl validate --output json examples/*.yaml', 'scmctl validate /etc/ozone/ozone-site.xml'],
  async run(args, options, ctx) {
    const json = options['output'] === 'json';
    const files: Array<ValidateJson['files'][number]> = [];
    const all: Diagnostic[] = [];
    for (const file of args) {
      const result = await loadFromArgs(file, ctx, { connects: true });
      const errors = count(result.diagnostics, 'error');
      const warnings = count(result.diagnostics, 'warning');
      files.push({ filename: file, valid: errors === 0, error_count: errors, warning_count: warnings });
      all.push(...result.diagnostics);
      if (!json) {
        printDiagnostics(ctx.stdout, result);
        const status = errors === 0 ? 'valid' : 'invalid';
        const tally = [errors ? `${errors} error${errors > 1 ? 's' : ''}` : '', warnings ? `${warnings} warning${warnings > 1 ? 's' : ''}` : ''].filter(Boolean).join(', ');
        ctx.stdout.write(`${file}: ${status}${tally ? ` (${tally})` : ''}\n`);
      }
    }
    const errors = count(all, 'error');
    if (json) {
      const doc: ValidateJson = {
        format_version: '1.0',
        valid: errors === 0,
        error_count: errors,
        warning_count: count(all, 'warning'),
        files,
        diagnostics: all,
      };
      ctx.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    }
    return errors === 0 ? 0 : 1;
  },
};
