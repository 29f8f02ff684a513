/**
 * The scmctl entry point (cli.ts) as a real process: a reader that closes the pipe early (`| head -1`)
 * ends the run quietly with exit 0 — no stack trace, no error on stderr. Needs `npm run build`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKEN_PIPE_EXIT_CODE } from '../../src/common/broken-pipe.js';
import { runWithEarlyClose } from '../support/broken-pipe-run.js';

let dir: string;
let big: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'scmctl-epipe-'));
  big = join(dir, 'big.yaml');
  // an export of ~1 MB: far more than a pipe buffer, so the child is still writing when the reader leaves
  const props = Array.from({ length: 15_000 }, (_, i) => `    custom.key${i}: value-${i}\n`).join('');
  writeFileSync(big, `apiVersion: scmctl.io/v1alpha1\nkind: ScmCluster\nmetadata:\n  name: big\nspec:\n  services:\n    - serviceId: s\n      nodes: [{ nodeId: n1, host: h1 }]\n  properties:\n${props}`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scmctl with a reader that closes early (EPIPE)', () => {
  it('is 0', () => {
    expect(BROKEN_PIPE_EXIT_CODE).toBe(0);
  });

  it('`scmctl export big.yaml --format xml | head -1`: exit 0, nothing on stderr', async () => {
    const r = await runWithEarlyClose('scmctl', ['export', big, '--format', 'xml'], 'afterFirstLine');
    expect(r.read.split('\n')[0]).toBe('<?xml version="1.0" encoding="UTF-8"?>');
    expect(r.stderr).toBe('');
    expect([r.code, r.signal]).toEqual([0, null]);
  });

  it('a pipe closed before the first write: exit 0, nothing on stderr', async () => {
    const r = await runWithEarlyClose('scmctl', ['validate', 'examples/three-node.yaml'], 'beforeFirstWrite');
    expect(r.stderr).toBe('');
    expect([r.code, r.signal]).toEqual([0, null]);
  });
});
