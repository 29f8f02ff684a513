/**
 * The `bin/ozone` entry point (src/scm/main.ts) as a real process: a reader that closes the pipe early
 * (`| head -1`) ends it quietly with exit 0 — no stack trace, no error on stderr. Needs `npm run build`.
 */
import { describe, expect, it } from 'vitest';
import { runWithEarlyClose } from '../support/broken-pipe-run.js';

describe('ozone with a reader that closes early (EPIPE)', () => {
  it('a pipe closed before the first write (`ozone version | …`): exit 0, nothing on stderr', async () => {
    const r = await runWithEarlyClose('ozone', ['version'], 'beforeFirstWrite');
    expect(r.stderr).toBe('');
    expect([r.code, r.signal]).toEqual([0, null]);
  });
});
