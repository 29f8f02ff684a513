/** The terminal confirmation accepts only "yes". */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { askYes } from '../../../src/provisioner/commands/confirm.js';

async function answer(text: string | null): Promise<{ ok: boolean; shown: string }> {
  const input = new PassThrough();
  let shown = '';
  const p = askYes(input, { write: (s: string) => (shown += s) }, 'Apply? ');
  if (text === null) input.end();
  else input.write(text);
  return { ok: await p, shown };
}

describe('askYes', () => {
  it('only the word yes confirms', async () => {
    expect(await answer('yes\n')).toEqual({ ok: true, shown: 'Apply? ' });
    for (const a of ['y\n', 'YES please\n', '\n', 'no\n']) expect((await answer(a)).ok).toBe(false);
  });
  it('end of input is a no', async () => {
    expect((await answer(null)).ok).toBe(false);
  });
  it('an abort is a no', async () => {
    const c = new AbortController();
    const p = askYes(new PassThrough(), { write: () => undefined }, '? ', c.signal);
    c.abort();
    expect(await p).toBe(false);
  });
});
