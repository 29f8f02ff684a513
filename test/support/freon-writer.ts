/**
 * A writer for the whole of an operation: `ozone freon randomkeys` in batches of 300 keys, one after
 * another, with the configuration in `confDir`, until stopped. `stop()` waits for the batch under way and
 * asserts that every batch wrote all its keys and that at least two ran (the writer really overlapped).
 */
import { expect } from 'vitest';
import { ozoneAsync } from './scm-cluster.js';

const FREON = ['freon', 'randomkeys', '--numOfVolumes=1', '--numOfBuckets=1', '--keySize=524288', '--replicationType=RATIS', '--numOfThreads=4', '--factor=THREE', '--bufferSize=1048576'];

export interface FreonWriter {
  stop(): Promise<{ batches: number }>;
}

export function freonWriter(confDir: string, keysPerBatch = 300): FreonWriter {
  let stopping = false;
  let batches = 0;
  const failures: string[] = [];
  const loop = (async () => {
    while (!stopping) {
      const r = await ozoneAsync(['--conf', confDir, ...FREON, `--numOfKeys=${keysPerBatch}`], {}, 600_000);
      batches++;
      if (r.status !== 0 || !new RegExp(`Number of Keys added: ${keysPerBatch}\\b`).test(r.stdout)) {
        failures.push(`batch ${batches}: exit ${r.status}: ${r.stdout.slice(-800)} ${r.stderr.slice(-800)}`);
      }
    }
  })();
  return {
    async stop() {
      stopping = true;
      await loop;
      expect(failures).toEqual([]);
      expect(batches).toBeGreaterThanOrEqual(2);
      return { batches };
    },
  };
}

/** One freon run of `keys` keys (a seed before a test); fails the test unless every key was written. */
export async function freonOnce(confDir: string, keys: number): Promise<void> {
  const r = await ozoneAsync(['--conf', confDir, ...FREON, `--numOfKeys=${keys}`], {}, 600_000);
  expect(r.status, r.stdout.slice(-1000) + r.stderr.slice(-1000)).toBe(0);
  expect(r.stdout).toMatch(new RegExp(`Number of Keys added: ${keys}\\b`));
}
