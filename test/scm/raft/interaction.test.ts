/**
 * Datadriven interaction transcripts of the Raft core (testdata/*.txt). Regenerate with
 * `REWRITE=1 npx vitest run test/scm/raft/interaction.test.ts` and review the diff: the transcripts are
 * the specification of observable behaviour, message by message.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runDatadriven } from '../../support/datadriven.js';
import { InteractionEnv } from './support/interaction-env.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();

describe('raft interaction transcripts', () => {
  it('has the required transcripts', () => {
    for (const name of ['election', 'pre-vote', 'partition-heal', 'check-quorum', 'leader-transfer', 'snapshot-catch-up', 'learner-promote', 'voter-removal', 'leader-unreachable']) {
      expect(files).toContain(`${name}.txt`);
    }
  });

  for (const f of files) {
    it(f, () => {
      const env = new InteractionEnv();
      const failures = runDatadriven(join(dir, f), (c) => env.handle(c));
      expect(failures.join('\n\n')).toBe('');
    });
  }
});
