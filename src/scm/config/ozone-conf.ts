/**
 * The raw key/value configuration (Hadoop `Configuration` semantics we rely on): later definitions of a key
 * win; values are trimmed by the typed getters; `${other.key}` and `${env.NAME}` are expanded (up to 20
 * levels, unresolvable references are left as written, as Hadoop does). Immutable: `withOverrides` returns a
 * new object (used to copy per-node suffixed keys over their plain forms, §1.2).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config-error.js';
import { parseDurationMs, type TimeUnit } from './duration.js';
import { parseHadoopConfigurationXml } from './hadoop-xml.js';

export const SITE_FILE = 'ozone-site.xml';

export class OzoneConf {
  private readonly values: ReadonlyMap<string, string>;

  constructor(
    values: Iterable<readonly [string, string]>,
    readonly source: string = '<memory>',
    private readonly env: Readonly<Record<string, string | undefined>> = {},
  ) {
    this.values = new Map(values);
  }

  static fromXml(xml: string, source: string, env: Readonly<Record<string, string | undefined>> = {}): OzoneConf {
    return new OzoneConf(parseHadoopConfigurationXml(xml, source).map((p) => [p.name, p.value] as const), source, env);
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  /** The expanded, trimmed value, or undefined when unset or blank. */
  get(key: string): string | undefined {
    const raw = this.values.get(key);
    if (raw === undefined) return undefined;
    const v = this.expand(raw, 0).trim();
    return v === '' ? undefined : v;
  }

  getString(key: string, fallback: string): string {
    return this.get(key) ?? fallback;
  }

  /** Comma-separated list, trimmed, empty items dropped (Hadoop `getTrimmedStringCollection`). */
  getList(key: string): string[] {
    const v = this.get(key);
    return v === undefined ? [] : v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  }

  getInt(key: string, fallback: number): number {
    const v = this.get(key);
    if (v === undefined) return fallback;
    if (!/^[+-]?\d+$/.test(v)) throw new ConfigError('CONFIG_VALUE', `${key}=${JSON.stringify(v)} is not an integer (${this.source})`);
    return Number(v);
  }

  getBoolean(key: string, fallback: boolean): boolean {
    const v = this.get(key)?.toLowerCase();
    if (v === undefined) return fallback;
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw new ConfigError('CONFIG_VALUE', `${key}=${JSON.stringify(v)} is not true or false (${this.source})`);
  }

  getDurationMs(key: string, fallback: string, defaultUnit: TimeUnit): number {
    return parseDurationMs(this.get(key) ?? fallback, defaultUnit, key);
  }

  keys(): string[] {
    return [...this.values.keys()];
  }

  withOverrides(overrides: Iterable<readonly [string, string]>): OzoneConf {
    const next = new Map(this.values);
    for (const [k, v] of overrides) next.set(k, v);
    return new OzoneConf(next, this.source, this.env);
  }

  private expand(value: string, depth: number): string {
    if (depth > 20 || !value.includes('${')) return value;
    return value.replace(/\$\{([^}$\s]+)\}/g, (whole, name: string) => {
      if (name.startsWith('env.')) return this.env[name.slice(4)] ?? whole;
      const ref = this.values.get(name);
      return ref === undefined ? whole : this.expand(ref, depth + 1);
    });
  }
}

/**
 * Reads `<dir>/ozone-site.xml`, with `dir` = `--conf DIR`, else `$OZONE_CONF_DIR`. A missing file is an
 * error only when a directory was given explicitly; with neither, an empty configuration (all defaults).
 */
export function loadOzoneConf(options: { confDir?: string | undefined; env?: Readonly<Record<string, string | undefined>> } = {}): OzoneConf {
  const env = options.env ?? process.env;
  const dir = options.confDir ?? env.OZONE_CONF_DIR;
  if (dir === undefined || dir === '') return new OzoneConf([], '<defaults>', env);
  const path = join(dir, SITE_FILE);
  let xml: string;
  try {
    xml = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('CONFIG_NOT_FOUND', `cannot read ${path}: ${(err as Error).message}`, {
      cause: err,
      hint: 'point --conf or OZONE_CONF_DIR at the directory holding ozone-site.xml',
    });
  }
  return OzoneConf.fromXml(xml, path, env);
}
