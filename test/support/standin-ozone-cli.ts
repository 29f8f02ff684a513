/**
 * `npm run standin:ozone -- [--out DIR] [--version X.Y.Z]`: writes the stand-in Ozone distribution
 * (ozone-X.Y.Z.tar.gz + .sha512) built from this repository's embedded SCM (see standin-ozone.ts).
 */
import { resolve } from 'node:path';
import { packageRoot } from '../../src/provisioner/topology/package-root.js';
import { buildStandinOzone } from './standin-ozone.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const s = await buildStandinOzone({ packageRoot: packageRoot(), outDir: resolve(opt('--out') ?? '.'), ...(opt('--version') ? { version: opt('--version')! } : {}) });
process.stdout.write(`${s.tarball}\n${s.sha512File}\n`);
