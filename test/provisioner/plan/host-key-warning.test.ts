import { describe, expect, it } from 'vitest';
import { hostKeyWarning, uncheckedHostKeys } from '../../../src/provisioner/plan/host-key-warning.js';
import { threeNodeText, topologyOf } from './cluster-fixture.js';

const PIN = `SHA256:${'A'.repeat(43)}`;

describe('hostKeyWarning', () => {
  it('is null when every host key is checked (strict, accept-new, or pinned)', () => {
    expect(hostKeyWarning(topologyOf(threeNodeText()))).toBeNull();
    expect(hostKeyWarning(topologyOf(threeNodeText().replace('    user: ozone\n', '    user: ozone\n    knownHosts: accept-new\n')))).toBeNull();
    expect(hostKeyWarning(topologyOf(threeNodeText().replace('    user: ozone\n', `    user: ozone\n    knownHosts: off\n    hostKeyFingerprint: "${PIN}"\n`)))).toBeNull();
  });

  it('names the cluster and every unchecked host and bastion, and says what it means', () => {
    const t = topologyOf(threeNodeText().replace('    user: ozone\n', '    user: ozone\n    knownHosts: off\n    bastions: [{ host: jump.example.com }]\n'));
    expect(uncheckedHostKeys(t)).toEqual(['bastion jump.example.com', 'scm1 (10.0.0.1)', 'scm2 (10.0.0.2)', 'scm3 (10.0.0.3)']);
    const w = hostKeyWarning(t)!;
    expect(w).toMatch(/^warning\[SSH_HOST_KEYS_UNCHECKED\]: cluster t3 /);
    expect(w).toContain('knownHosts: off');
    expect(w).toContain('scm1 (10.0.0.1), scm2 (10.0.0.2), scm3 (10.0.0.3)');
    expect(w).toContain('NOT checked');
    expect(w).toContain('man in the middle');
    expect(w).toContain('hint: ');
    expect(w.endsWith('\n')).toBe(true);
  });

  it('leaves out hosts that pin their key, and local hosts', () => {
    const text = threeNodeText().replace('    user: ozone\n', '    user: ozone\n    knownHosts: off\n');
    const pinned = topologyOf(text.replace('      address: 10.0.0.2\n', `      address: 10.0.0.2\n      ssh: { hostKeyFingerprint: "${PIN}" }\n`));
    expect(uncheckedHostKeys(pinned)).toEqual(['scm1 (10.0.0.1)', 'scm3 (10.0.0.3)']);
    const local = topologyOf(text.replace('      address: 10.0.0.3\n', '      address: 10.0.0.3\n      transport: local\n'));
    expect(uncheckedHostKeys(local)).toEqual(['scm1 (10.0.0.1)', 'scm2 (10.0.0.2)']);
  });

  it('shortens a long list', () => {
    const t = topologyOf(threeNodeText().replace('    user: ozone\n', '    user: ozone\n    knownHosts: off\n'));
    expect(hostKeyWarning(t, 2)).toContain('scm1 (10.0.0.1), scm2 (10.0.0.2) and 1 more');
  });
});
