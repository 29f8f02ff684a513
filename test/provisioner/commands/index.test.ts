import { describe, expect, it } from 'vitest';
import { COMMANDS, commandsFor } from '../../../src/provisioner/commands/index.js';

describe('commandsFor: only the modules a command line needs are loaded', () => {
  it('none for --version, the named one for a run, all for help or a mistyped name', async () => {
    expect(await commandsFor(['--version'])).toEqual([]);
    expect((await commandsFor(['validate', 'examples/local-ha.yaml', '--output', 'json'])).map((c) => c.name)).toEqual(['validate']);
    expect((await commandsFor(['apply', 'x.yaml', '--yes'])).map((c) => c.name)).toEqual(['apply']);
    expect((await commandsFor(['completion', 'bash'])).map((c) => c.name)).toEqual(['completion']);
    expect((await commandsFor(['init', '--defaults'])).map((c) => c.name)).toEqual(['init']);
    const all = COMMANDS.map((c) => c.name);
    expect((await commandsFor(['--help'])).map((c) => c.name)).toEqual(all);
    expect((await commandsFor([])).map((c) => c.name)).toEqual(all);
    expect((await commandsFor(['valdate', 'x'])).map((c) => c.name)).toEqual(all);
    expect((await commandsFor(['help', 'apply'])).map((c) => c.name)).toEqual(all);
  });
  it('each entry loads the command of its name', async () => {
    for (const c of COMMANDS) expect((await c.load()).name).toBe(c.name);
  });
});
