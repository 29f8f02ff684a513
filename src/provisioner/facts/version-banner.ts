/**
 * Reads `ozone version`. Apache Ozone prints an ASCII logo whose last line ends in `<version>(<release name>)`
 * (OzoneVersionInfo.main), e.g. `              /    2.0.0(Katmai)`; the embedded SCM prints the same banner
 * plus `With scmctl embedded SCM: HDDS layout version N; …`. Bundles of scmctl before 0.2 printed
 * `ozone <version>` on the first line: still read, so a host running an old bundle can be upgraded.
 */
export interface OzoneVersionBanner {
  readonly version: string;
  readonly release: string | null;
  /** the HDDS layout version the release's SCM writes, when the banner names it (the embedded SCM) */
  readonly layoutVersion: number | null;
}

export function parseVersionBanner(stdout: string): OzoneVersionBanner | null {
  const layout = /HDDS layout version (\d+)/.exec(stdout);
  const layoutVersion = layout ? Number(layout[1]) : null;
  const logo = /^[ \t]*\/[ \t]+(\d+\.\d+\.\d+[\w.-]*)\(([^)\n]*)\)[ \t]*$/m.exec(stdout);
  if (logo) return { version: logo[1]!, release: logo[2]!, layoutVersion };
  const old = /^ozone\s+(\S+)/.exec(stdout.trim());
  if (old) return { version: old[1]!, release: null, layoutVersion };
  return null;
}
