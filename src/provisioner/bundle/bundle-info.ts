/** A bundle on the operator machine, as createBundle or verifyBundle describe it. */
import type { BundleManifest } from './bundle-manifest.js';

export interface BundleInfo {
  /** the .tar.gz */
  readonly path: string;
  /** sha256 hex of the .tar.gz (what travels) */
  readonly sha256: string;
  readonly bytes: number;
  readonly manifest: BundleManifest;
  /** sha256 hex of the manifest (what it contains) */
  readonly id: string;
  /** `<version>-<id8>`: the directory under `<install>/releases/` */
  readonly release: string;
}
