import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scalar, sharedMachinePorts } from '../../../src/provisioner/init/starter-yaml.js';
import { DEFAULT_SCM_PORTS } from '../../../src/provisioner/topology/model.js';
import { parseYaml } from '../../../src/provisioner/topology/yaml-adapter.js';
import { expandEnvironment } from '../../../src/provisioner/topology/env-expand.js';
import { Reporter } from '../../../src/provisioner/topology/reporter.js';
import { SourceText } from '../../../src/provisioner/topology/source-text.js';

/** what a topology loader makes of `v: <scalar>`: parsed, then ${NAME} expanded */
function readBack(s: string): unknown {
  const parsed = parseYaml(`v: ${scalar(s)}\n`);
  expect(parsed.problems.filter((p) => p.severity === 'error')).toEqual([]);
  const value = (parsed.document!.value as { v: unknown }).v;
  const reporter = new Reporter(new SourceText('t', ''));
  const expanded = expandEnvironment(value, { a: 'set' }, reporter);
  expect(reporter.diagnostics).toEqual([]);
  return expanded;
}

describe('scalar: strings the starter writes read back as the same string', () => {
  it('keeps paths, addresses, principals and durations plain', () => {
    for (const s of ['127.0.0.1', '/tmp/scmctl-x/scm1/conf', 'scm/_HOST@EXAMPLE.COM', '~/.ssh/id_ed25519', 'scm1.example.com', '512m']) {
      expect(scalar(s)).toBe(s);
      expect(readBack(s)).toBe(s);
    }
  });

  it('quotes what YAML would read as something else', () => {
    for (const s of ['1', '0x1F', '1e3', '.5', 'true', 'No', 'null', '~', '::1', 'a: b', 'x # y', '-dash', '[a]', '', ' lead']) {
      expect(scalar(s)).not.toBe(s);
      expect(readBack(s)).toBe(s);
    }
  });

  it('escapes ${ so the environment is not read into it', () => {
    for (const s of ['/srv/${HOME}/x', '$${', 'a$${b}', '$$${c', '${']) expect(readBack(s)).toBe(s);
  });

  it('round-trips any printable string', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'aZ09 .:/-_@~#${}[],"\'!&*?|>%`'.split('')) }), (s) => {
        expect(readBack(s)).toBe(s);
      }),
      { numRuns: 500 },
    );
  });
});

describe('sharedMachinePorts', () => {
  it('gives node 0 the defaults and every other node its own Ratis/gRPC pair', () => {
    expect(sharedMachinePorts(0)).toEqual({ ratis: DEFAULT_SCM_PORTS.ratis, grpc: DEFAULT_SCM_PORTS.grpc });
    const all = [0, 1, 2, 3, 4].flatMap((i) => Object.values(sharedMachinePorts(i)));
    expect(new Set(all).size).toBe(all.length);
    expect(all.some((p) => Object.values(DEFAULT_SCM_PORTS).filter((d) => d !== DEFAULT_SCM_PORTS.ratis && d !== DEFAULT_SCM_PORTS.grpc).includes(p))).toBe(false);
  });
});
