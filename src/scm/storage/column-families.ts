/**
 * scm.db column families (docs/ozone-scm-ha.md §5) on one LevelDB: every key is `tag byte | user key`, so a
 * batch across families is one atomic LevelDB batch and an iterator snapshot is consistent across them.
 * Tag 0x00 is reserved for the registry of created families (what `ldb ls` lists, like RocksDB's list).
 *
 * Key codecs follow Ozone's (8-byte big-endian longs, 16-byte UUIDs, UTF-8 strings, BigInteger bytes);
 * values are UTF-8 JSON where Ozone stores protobuf — `ozone debug ldb scan` renders them the same way.
 * The tags are part of the on-disk format: append new families, never renumber.
 */
import { CodedError } from '../../common/coded-error.js';

export const COLUMN_FAMILIES = [
  'default',
  'containers',
  'pipelines',
  'deletedBlocks',
  'validCerts',
  'validSCMCerts',
  'scmTransactionInfos',
  'sequenceId',
  'move',
  'meta',
  'statefulServiceConfig',
] as const;
export type ColumnFamily = (typeof COLUMN_FAMILIES)[number];

export type KeyCodec = 'long' | 'uuid' | 'string' | 'bigint' | 'bytes';
export type ValueCodec = 'json' | 'string' | 'long' | 'bytes';

export const CF_CODECS: Readonly<Record<ColumnFamily, { readonly key: KeyCodec; readonly value: ValueCodec }>> = {
  default: { key: 'bytes', value: 'bytes' },
  containers: { key: 'long', value: 'json' },
  pipelines: { key: 'uuid', value: 'json' },
  deletedBlocks: { key: 'long', value: 'json' },
  validCerts: { key: 'bigint', value: 'string' },
  validSCMCerts: { key: 'bigint', value: 'string' },
  scmTransactionInfos: { key: 'string', value: 'string' },
  sequenceId: { key: 'string', value: 'long' },
  move: { key: 'long', value: 'json' },
  meta: { key: 'string', value: 'string' },
  statefulServiceConfig: { key: 'string', value: 'json' },
};

export type CodecErrorCode = 'CF_UNKNOWN' | 'CF_CODEC';
export class CodecError extends CodedError<CodecErrorCode> {}

export function cfTag(cf: ColumnFamily): number {
  return COLUMN_FAMILIES.indexOf(cf) + 1;
}

export function cfByTag(tag: number): ColumnFamily | undefined {
  return COLUMN_FAMILIES[tag - 1];
}

export function isColumnFamily(name: string): name is ColumnFamily {
  return (COLUMN_FAMILIES as readonly string[]).includes(name);
}

export const REGISTRY_TAG = 0;

export function registryKey(cf: ColumnFamily): Uint8Array {
  return Buffer.concat([Buffer.from([REGISTRY_TAG]), Buffer.from(cf, 'utf8')]);
}

export function rawKey(cf: ColumnFamily, key: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(key.byteLength + 1);
  out[0] = cfTag(cf);
  out.set(key, 1);
  return out;
}

/** The [gte, lt) raw-key range of one family. */
export function cfRange(cf: ColumnFamily): { gte: Uint8Array; lt: Uint8Array } {
  const t = cfTag(cf);
  return { gte: Buffer.from([t]), lt: Buffer.from([t + 1]) };
}

export type KeyValue = number | bigint | string | Uint8Array;

export function encodeKey(codec: KeyCodec, k: KeyValue): Uint8Array {
  switch (codec) {
    case 'long': {
      const b = Buffer.allocUnsafe(8);
      b.writeBigInt64BE(BigInt(k as number | bigint));
      return b;
    }
    case 'uuid': {
      const hex = String(k).replace(/-/g, '');
      if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new CodecError('CF_CODEC', `${String(k)} is not a UUID`);
      return Buffer.from(hex, 'hex');
    }
    case 'string':
      return Buffer.from(String(k), 'utf8');
    case 'bigint': {
      // Java BigInteger.toByteArray: minimal two's complement, big-endian.
      let v = BigInt(k as string | number | bigint);
      const bytes: number[] = [];
      for (;;) {
        const byte = Number(v & 0xffn);
        bytes.unshift(byte);
        v >>= 8n;
        if ((v === 0n && (byte & 0x80) === 0) || (v === -1n && (byte & 0x80) !== 0)) break;
      }
      return Buffer.from(bytes);
    }
    case 'bytes':
      if (!(k instanceof Uint8Array)) throw new CodecError('CF_CODEC', 'bytes key expected');
      return k;
    default: {
      const never: never = codec;
      throw new CodecError('CF_CODEC', `unknown key codec ${String(never)}`);
    }
  }
}

export function decodeKey(codec: KeyCodec, b: Uint8Array): string | number | bigint {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  switch (codec) {
    case 'long': {
      const v = buf.readBigInt64BE(0);
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    case 'uuid': {
      const h = buf.toString('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
    case 'string':
      return buf.toString('utf8');
    case 'bigint': {
      let v = 0n;
      for (const byte of buf) v = (v << 8n) | BigInt(byte);
      if (buf.length > 0 && (buf[0]! & 0x80) !== 0) v -= 1n << BigInt(buf.length * 8);
      return v;
    }
    case 'bytes':
      return buf.toString('hex');
    default: {
      const never: never = codec;
      throw new CodecError('CF_CODEC', `unknown key codec ${String(never)}`);
    }
  }
}

export function encodeValue(codec: ValueCodec, v: unknown): Uint8Array {
  switch (codec) {
    case 'json':
      return Buffer.from(JSON.stringify(v), 'utf8');
    case 'string':
      return Buffer.from(String(v), 'utf8');
    case 'long': {
      const b = Buffer.allocUnsafe(8);
      b.writeBigInt64BE(BigInt(v as number | bigint));
      return b;
    }
    case 'bytes':
      if (!(v instanceof Uint8Array)) throw new CodecError('CF_CODEC', 'bytes value expected');
      return v;
    default: {
      const never: never = codec;
      throw new CodecError('CF_CODEC', `unknown value codec ${String(never)}`);
    }
  }
}

export function decodeValue(codec: ValueCodec, b: Uint8Array): unknown {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  switch (codec) {
    case 'json':
      return JSON.parse(buf.toString('utf8')) as unknown;
    case 'string':
      return buf.toString('utf8');
    case 'long':
      return Number(buf.readBigInt64BE(0));
    case 'bytes':
      return buf.toString('base64');
    default: {
      const never: never = codec;
      throw new CodecError('CF_CODEC', `unknown value codec ${String(never)}`);
    }
  }
}
