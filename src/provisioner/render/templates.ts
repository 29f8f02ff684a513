/** The render templates (templates/*.mustache), read once from the package. */
import { readFileSync } from 'node:fs';
import { packageFile } from '../topology/package-root.js';
import { TopologyError } from '../topology/topology-error.js';

export type TemplateName = 'ozone-site.xml' | 'scm.env' | 'ozone-scm.service';

const cache = new Map<TemplateName, string>();

export function template(name: TemplateName): string {
  let t = cache.get(name);
  if (t === undefined) {
    const file = packageFile('templates', `${name}.mustache`);
    try {
      t = readFileSync(file, 'utf8');
    } catch (err) {
      throw new TopologyError('TOPOLOGY_PACKAGE_FILES_MISSING', `cannot read the template ${file}`, { cause: err, hint: 'reinstall scmctl: the package is incomplete' });
    }
    cache.set(name, t);
  }
  return t;
}
