/**
 * `~/` in a path on the operator machine (SSH identity and known_hosts files), expanded with the operator's
 * HOME from the command's environment. One rule for the SSH layer (plan/host-connection.ts) and for the
 * checks `validate` makes of those files (identity-files.ts).
 */
export function expandHome(path: string, env: Readonly<Record<string, string | undefined>>): string {
  if (path === '~' || path.startsWith('~/')) {
    const home = env['HOME'];
    if (home) return home + path.slice(1);
  }
  return path;
}
