/**
 * validate warns (TOPOLOGY_SSH_IDENTITY_MISSING / _UNREADABLE, at the line naming the key) when an SSH
 * identity file of an SSH host does not exist or is not a readable file; `~/` comes from HOME and relative
 * paths from the working directory, as the SSH layer reads them.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTopology } from '../../../src/provisioner/topology/load.js';

const dir = mkdtempSync(join(tmpdir(), 'scmctl-identity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const topology = (ssh: string, extraHost = ''): string => `apiVersion: scmctl.io/v1alpha1
kind: ScmCluster
metadata:
  name: keys
spec:
  transport: ssh
  ssh:
${ssh}
  services:
    - serviceId: s
      nodes: [{ nodeId: scm1, host: scm1 }]
  hosts:
    - name: scm1
      address: 10.0.0.1
${extraHost}`;

async function loadText(name: string, text: string, options: { env?: Record<string, string>; cwd?: string } = {}) {
  const file = join(dir, name);
  writeFileSync(file, text);
  return loadTopology(file, { displayName: name, ...(options.env ? { env: options.env } : {}), identityFiles: { cwd: options.cwd ?? '/nonexistent' } });
}

describe('SSH identity files', () => {
  it('warns, with its line, when the identity file does not exist; the topology stays valid', async () => {
    const r = await loadText('missing.yaml', topology('    identityFile: ~/.ssh/id_nope'), { env: { HOME: join(dir, 'home') } });
    expect(r.topology).toBeDefined();
    expect(r.diagnostics.map((d) => [d.severity, d.code, d.pointer, d.range.start.line])).toEqual([['warning', 'TOPOLOGY_SSH_IDENTITY_MISSING', '/spec/ssh/identityFile', 8]]);
    expect(r.diagnostics[0]!.summary).toBe(`the SSH identity file ~/.ssh/id_nope (${join(dir, 'home/.ssh/id_nope')}) does not exist on this machine; host scm1 cannot log in with it`);
    expect(r.diagnostics[0]!.hint).toContain('ssh-keygen');
  });

  it('is not checked unless asked (render and export do not connect)', async () => {
    const file = join(dir, 'unasked.yaml');
    writeFileSync(file, topology('    identityFile: /nonexistent/key'));
    expect((await loadTopology(file)).diagnostics).toEqual([]);
  });

  it('is quiet for an existing key (relative paths from the working directory), and for hosts on the local transport', async () => {
    writeFileSync(join(dir, 'id_ok'), 'key', { mode: 0o600 });
    expect((await loadText('ok.yaml', topology('    identityFile: id_ok'), { cwd: dir })).diagnostics).toEqual([]);
    const local = topology('    identityFile: /nonexistent/key').replace('transport: ssh', 'transport: local');
    expect((await loadText('local.yaml', local)).diagnostics.map((d) => d.code)).toEqual([]);
  });

  it('a host-level or bastion key is reported where it is declared; a directory is not a key', async () => {
    mkdirSync(join(dir, 'keys'), { recursive: true });
    const host = `      ssh:\n        identityFile: ${join(dir, 'keys')}\n        bastions:\n          - host: jump\n            identityFile: /nonexistent/jump-key\n`;
    const r = await loadText('hosts.yaml', topology('    user: ops', host));
    expect(r.diagnostics.map((d) => [d.code, d.pointer])).toEqual([
      ['TOPOLOGY_SSH_IDENTITY_UNREADABLE', '/spec/hosts/0/ssh/identityFile'],
      ['TOPOLOGY_SSH_IDENTITY_MISSING', '/spec/hosts/0/ssh/bastions/0/identityFile'],
    ]);
    expect(r.diagnostics[0]!.summary).toContain('is not a file');
  });
});
