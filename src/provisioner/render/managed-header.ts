/**
 * The managed-by header of every rendered file: one comment line saying scmctl owns the file, carrying the
 * sha256 of the rest of the file (all lines but the header). For XML it follows the `<?xml …?>` declaration
 * (which must come first); otherwise it is the first line. `readManagedHeader` lets plan/apply tell a file
 * scmctl wrote and nobody touched from one edited by hand.
 */
import { createHash } from 'node:crypto';

export type CommentStyle = 'xml' | 'hash';

const MARK = 'Managed by scmctl; do not edit (changes are overwritten).';
const XML_HEADER = /^<!-- Managed by scmctl; do not edit \(changes are overwritten\)\. sha256=([0-9a-f]{64}) -->$/;
const HASH_HEADER = /^# Managed by scmctl; do not edit \(changes are overwritten\)\. sha256=([0-9a-f]{64})$/;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function headerIndex(lines: readonly string[], style: CommentStyle): number {
  return style === 'xml' && lines[0]?.startsWith('<?xml') ? 1 : 0;
}

/** `body` with the header line inserted; returns the file and the hash it carries. */
export function withManagedHeader(body: string, style: CommentStyle): { content: string; sha256: string } {
  const sha256 = sha256Hex(body);
  const header = style === 'xml' ? `<!-- ${MARK} sha256=${sha256} -->` : `# ${MARK} sha256=${sha256}`;
  const lines = body.split('\n');
  lines.splice(headerIndex(lines, style), 0, header);
  return { content: lines.join('\n'), sha256 };
}

export interface ManagedHeader {
  /** the file carries scmctl's header */
  readonly managed: boolean;
  /** the hash in the header matches the rest of the file (nobody edited it) */
  readonly intact: boolean;
  readonly sha256?: string;
}

export function readManagedHeader(content: string, style: CommentStyle): ManagedHeader {
  const lines = content.split('\n');
  const i = headerIndex(lines, style);
  const m = (style === 'xml' ? XML_HEADER : HASH_HEADER).exec(lines[i] ?? '');
  if (!m) return { managed: false, intact: false };
  lines.splice(i, 1);
  return { managed: true, intact: sha256Hex(lines.join('\n')) === m[1], sha256: m[1]! };
}
