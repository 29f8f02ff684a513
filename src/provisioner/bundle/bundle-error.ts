/** Errors of the release bundle (create, verify, install). Install errors name the host. */
import { CodedError } from '../../common/coded-error.js';

export type BundleErrorCode =
  /** dist/ is missing or stale: run `npm run build` first */
  | 'BUNDLE_NOT_BUILT'
  /** package-lock.json is missing: the production dependency set cannot be known */
  | 'BUNDLE_NO_LOCKFILE'
  /** a production dependency in the lockfile is not installed in node_modules */
  | 'BUNDLE_DEPENDENCY_MISSING'
  /** the archive is not a scmctl bundle, or its manifest and content disagree */
  | 'BUNDLE_INVALID'
  /** the archive's sha256 is not the expected one (corrupted or tampered with) */
  | 'BUNDLE_HASH_MISMATCH'
  /** the bundle carries native code for another platform/architecture than the host's */
  | 'BUNDLE_ARCH_MISMATCH'
  /** the host lacks a tool the install needs (sh, tar with gzip, sha256sum) */
  | 'BUNDLE_HOST_TOOL_MISSING'
  /** a step of the install failed on the host */
  | 'BUNDLE_INSTALL_FAILED'
  /** an Apache Ozone tarball or a Java tarball is not what it should be (no bin/ozone, no bin/java, unsafe entries) */
  | 'BUNDLE_RELEASE_INVALID'
  /** the bundle's runtime kind (embedded / apache-ozone) or Ozone version is not the topology's */
  | 'BUNDLE_KIND_MISMATCH';

export class BundleError extends CodedError<BundleErrorCode> {
  /** the host, for install errors */
  readonly host: string | undefined;
  constructor(code: BundleErrorCode, message: string, options: { cause?: unknown; hint?: string; host?: string } = {}) {
    super(code, options.host ? `host ${options.host}: ${message}` : message, options);
    this.host = options.host;
  }
}
