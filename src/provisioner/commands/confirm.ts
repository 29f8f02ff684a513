/** Asks a yes/no question on a terminal: only the word `yes` confirms (Terraform's rule). */
import { createInterface } from 'node:readline';
import type { OutputStream } from '../command.js';

export function askYes(input: NodeJS.ReadableStream, output: OutputStream, question: string, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input, output: output as unknown as NodeJS.WritableStream, terminal: false });
    let settled = false;
    const done = (v: boolean): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      resolve(v);
      rl.close();
    };
    const onAbort = (): void => done(false);
    signal?.addEventListener('abort', onAbort, { once: true });
    output.write(question);
    rl.once('line', (line) => done(line.trim() === 'yes'));
    rl.once('close', () => done(false));
  });
}
