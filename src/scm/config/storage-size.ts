/** Ozone storage sizes (`Configuration.getStorageSize`): `5GB`, `256MB`, `1.5 TB`, bare numbers in the key's default unit. Returns bytes. */
import { ConfigError } from './config-error.js';

const units: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4, pb: 1024 ** 5 };

export function parseStorageSize(raw: string, defaultUnit: 'b' | 'kb' | 'mb' | 'gb', key = 'value'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(raw);
  const unit = m ? (m[2] === '' ? defaultUnit : m[2]!.toLowerCase().replace(/^([kmgtp])$/, '$1b')) : undefined;
  const factor = unit === undefined ? undefined : units[unit];
  if (!m || factor === undefined) {
    throw new ConfigError('CONFIG_VALUE', `${key}=${JSON.stringify(raw)} is not a storage size`, { hint: 'use a number with a unit such as 256MB or 5GB' });
  }
  return Math.floor(Number(m[1]) * factor);
}
