/**
 * TOPOLOGY_INVALID_ADDRESS: every value scmctl uses as an address is an IPv4 address, an IPv6 address or an
 * RFC 1123 DNS name (address.ts) — the schema's patterns only check the characters, so `300.1.1.1` and
 * `:::::` got through them. Checked where the value is written:
 *  - `hosts[].address`; a declared host without one is reached at its `name`, so the name is checked;
 *  - without `spec.hosts`, a node's `host` is the address (each distinct value once, at its first use);
 *  - `ssh.bastions[].host`, cluster-wide and per host;
 *  - an IP given as `listen` (cluster-wide and per host) must be an IP address.
 */
import { checkAddress } from '../address.js';
import { pointer } from '../json-pointer.js';
import type { Reporter } from '../reporter.js';
import type { SpecSsh } from '../spec-types.js';
import type { Rule } from './rule.js';

const HINT = {
  ipv4: 'write four numbers from 0 to 255 separated by dots, e.g. 10.0.0.1',
  ipv6: 'write a valid IPv6 address, e.g. fd00::1 (at most one "::")',
  dns: 'use a hostname of dot-separated labels of letters, digits and hyphens (1-63 each, no leading or trailing hyphen), e.g. scm1.example.com',
} as const;

function check(reporter: Reporter, at: string, what: string, value: string): void {
  const r = checkAddress(value);
  if (r.ok) return;
  reporter.error(at, 'TOPOLOGY_INVALID_ADDRESS', `${what} "${value}" ${r.why}`, { hint: HINT[r.meant] });
}

function checkListen(reporter: Reporter, at: string, value: string | undefined): void {
  if (value === undefined || value === 'any' || value === 'address') return;
  const r = checkAddress(value);
  if (r.ok && r.kind !== 'dns') return;
  reporter.error(at, 'TOPOLOGY_INVALID_ADDRESS', `listen "${value}" ${r.ok ? 'is not an IP address' : r.why}`, {
    hint: `use any, address, or an IP address of the host (${r.ok || r.meant === 'dns' ? 'e.g. 10.0.0.1' : HINT[r.meant]})`,
  });
}

function checkBastions(reporter: Reporter, ssh: SpecSsh | undefined, at: string): void {
  ssh?.bastions?.forEach((b, i) => check(reporter, `${at}/bastions/${i}/host`, 'bastion host', b.host));
}

export const addresses: Rule = ({ document, reporter }) => {
  const spec = document.spec;
  checkListen(reporter, '/spec/listen', spec.listen);
  checkBastions(reporter, spec.ssh, '/spec/ssh');
  if (spec.hosts !== undefined) {
    spec.hosts.forEach((h, k) => {
      const at = pointer('spec', 'hosts', k);
      if (h.address !== undefined) check(reporter, `${at}/address`, `address of host ${h.name}`, h.address);
      else check(reporter, `${at}/name`, 'host name (used as the address, as none is given)', h.name);
      checkListen(reporter, `${at}/listen`, h.listen);
      checkBastions(reporter, h.ssh, `${at}/ssh`);
    });
    return;
  }
  const seen = new Set<string>();
  spec.services.forEach((s, i) =>
    s.nodes.forEach((n, j) => {
      if (seen.has(n.host)) return;
      seen.add(n.host);
      check(reporter, pointer('spec', 'services', i, 'nodes', j, 'host'), `host of node "${n.nodeId}" (its address, as there is no spec.hosts)`, n.host);
    }),
  );
};
