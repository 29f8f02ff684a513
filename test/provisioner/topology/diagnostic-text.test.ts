import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, formatDiagnostics } from '../../../src/provisioner/topology/diagnostic-text.js';
import { loadTopologyText } from '../../../src/provisioner/topology/load.js';
import { INVALID_DIR } from './fixtures/invalid-cases.js';

describe('formatDiagnostic', () => {
  it('prints file:line:col, severity[CODE], the source line with carets under the token, and the hint', () => {
    const text = readFileSync(join(INVALID_DIR, 'unknown-key.yaml'), 'utf8');
    const r = loadTopologyText(text, 'examples/x.yaml');
    expect(formatDiagnostics(r.diagnostics, text)).toBe(
      [
        'examples/x.yaml:12:7: error[TOPOLOGY_UNKNOWN_KEY] unknown key "adress" in spec.hosts[0]',
        '  12 |       adress: 10.0.0.1',
        '     |       ^^^^^^',
        '  hint: did you mean "address"?',
        '',
      ].join('\n'),
    );
  });

  it('prints detail lines and works without the source text', () => {
    const text = readFileSync(join(INVALID_DIR, 'primordial-not-a-node.yaml'), 'utf8');
    const [d] = loadTopologyText(text, 'p.yaml').diagnostics;
    expect(formatDiagnostic(d!)).toBe(
      'p.yaml:6:19: error[TOPOLOGY_PRIMORDIAL_NOT_A_NODE] primordial "scm4" is not a node of service "scmservice"\n' +
        '  nodes: scm1 (10.0.0.1), scm2 (10.0.0.2), scm3 (10.0.0.3)\n' +
        '  hint: did you mean "scm1"?',
    );
  });

  it('prints nothing for no diagnostics', () => {
    expect(formatDiagnostics([])).toBe('');
  });
});
