/** RFC 6901 JSON pointers, the addresses of values in a topology document. */
export type PointerToken = string | number;

export function escapeToken(token: PointerToken): string {
  const t = String(token);
  return t.includes('~') || t.includes('/') ? t.replace(/~/g, '~0').replace(/\//g, '~1') : t;
}

export function pointer(...tokens: readonly PointerToken[]): string {
  return tokens.map((t) => `/${escapeToken(t)}`).join('');
}

export function childPointer(parent: string, token: PointerToken): string {
  return `${parent}/${escapeToken(token)}`;
}

export function parsePointer(p: string): string[] {
  if (p === '') return [];
  return p
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `/a/b/0` → `/a/b`; the root's parent is undefined. */
export function parentPointer(p: string): string | undefined {
  if (p === '') return undefined;
  return p.slice(0, p.lastIndexOf('/'));
}

/** A pointer as people read it in messages: `spec.hosts[0].address`. */
export function dottedPath(p: string): string {
  let out = '';
  for (const t of parsePointer(p)) out += /^\d+$/.test(t) ? `[${t}]` : out === '' ? t : `.${t}`;
  return out === '' ? '(document)' : out;
}
