/** `ozone admin safemode …` parsing (commander adapter): options, defaults and usage errors. */
import { describe, expect, it } from 'vitest';
import type { CliActions, SafeModeCliOptions } from '../../../src/scm/cli/cli-types.js';
import { runProgram } from '../../../src/scm/cli/program.js';

const run = async (argv: string[]): Promise<{ code: number; calls: unknown[][]; err: string }> => {
  const calls: unknown[][] = [];
  const actions = new Proxy({} as CliActions, { get: (_t, name) => async (...args: unknown[]) => (calls.push([name, ...args]), 0) });
  let err = '';
  const code = await runProgram(argv, actions, { out: () => {}, err: (s) => (err += s) });
  return { code, calls, err };
};

describe('ozone admin safemode (command line)', () => {
  it('status [--service-id] [--scm] [-a|--all] [--verbose]', async () => {
    expect((await run(['admin', 'safemode', 'status'])).calls).toEqual([['safeMode', {}, { command: 'status', all: false, verbose: false } satisfies SafeModeCliOptions]]);
    expect((await run(['admin', 'safemode', 'status', '--verbose', '-a', '--service-id', 'svc', '--scm', 'h:9860'])).calls[0]![2]).toEqual({ serviceId: 'svc', scm: 'h:9860', command: 'status', all: true, verbose: true });
    expect((await run(['admin', 'safemode', 'status', '--all'])).calls[0]![2]).toMatchObject({ all: true });
    expect((await run(['admin', 'safemode', 'status', '-id', 'svc'])).calls[0]![2]).toMatchObject({ serviceId: 'svc' });
  });

  it('wait [-t|--timeout SECONDS] (default 30); a bad timeout is a usage error', async () => {
    expect((await run(['admin', 'safemode', 'wait'])).calls[0]![2]).toEqual({ command: 'wait', timeoutSeconds: 30 });
    expect((await run(['admin', 'safemode', 'wait', '-t', '2'])).calls[0]![2]).toEqual({ command: 'wait', timeoutSeconds: 2 });
    expect((await run(['admin', 'safemode', 'wait', '--timeout=120', '--scm', 'h'])).calls[0]![2]).toEqual({ scm: 'h', command: 'wait', timeoutSeconds: 120 });
    const bad = await run(['admin', 'safemode', 'wait', '-t', 'soon']);
    expect(bad.calls).toEqual([]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/timeout must be a number of seconds/);
  });

  it('exit [--service-id] [--scm]; unknown options are usage errors', async () => {
    expect((await run(['admin', 'safemode', 'exit', '--scm', 'h:1'])).calls[0]![2]).toEqual({ scm: 'h:1', command: 'exit' });
    const bad = await run(['admin', 'safemode', 'exit', '--force']);
    expect(bad.calls).toEqual([]);
    expect(bad.code).toBe(2);
  });
});
