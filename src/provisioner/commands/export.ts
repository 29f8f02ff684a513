/**
 * `scmctl export FILE --format xml|yaml`: converts a topology between YAML and a cluster-wide ozone-site.xml
 * (Ozone keys plus `scmctl.*` keys for what Ozone has no key for). Either direction loads into the same
 * model, so YAML → XML → YAML gives back the same topology. Writes to stdout, or to --out FILE.
 */
import { writeFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { CommandSpec } from '../command.js';
import { exportXml } from '../render/export-xml.js';
import { exportYaml } from '../topology/export-yaml.js';
import { loadFromArgs, printDiagnostics } from './topology-io.js';

export const exportCommand: CommandSpec = {
  name: 'export',
  summary: 'convert a topology to YAML or to a cluster-wide ozone-site.xml',
  description:
    'Loads a topology (YAML, or an ozone-site.xml to import) and prints it as a minimal YAML topology or as ' +
    'one ozone-site.xml for the whole cluster. The XML carries scmctl-only settings (transport, SSH, ' +
    'directories Ozone has no key for) as scmctl.* properties, which Ozone ignores, so it imports back ' +
    'to the same topology.',
  args: ['<file>'],
  options: [
    { flags: '-f, --format <format>', description: 'yaml or xml', defaultValue: 'yaml', choices: ['yaml', 'xml'] },
    { flags: '--out <file>', description: 'write to this file instead of stdout' },
  ],
  examples: [
    'scmctl export examples/ozone-site.xml --format yaml > cluster.yaml',
    'scmctl export examples/three-node.yaml --format xml --out three-node.xml',
  ],
  async run(args, options, ctx) {
    const file = args[0]!;
    const result = await loadFromArgs(file, ctx);
    printDiagnostics(ctx.stderr, result);
    if (!result.topology) return 1;
    const text = options['format'] === 'xml' ? exportXml(result.topology) : exportYaml(result.topology, { from: file });
    const out = options['out'];
    if (typeof out === 'string' && out !== '') await writeFile(isAbsolute(out) ? out : resolve(ctx.cwd, out), text, 'utf8');
    else ctx.stdout.write(text);
    return 0;
  },
};
