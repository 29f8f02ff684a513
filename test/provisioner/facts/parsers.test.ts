import { describe, expect, it } from 'vitest';
import { parseDfPosix } from '../../../src/provisioner/facts/df-output.js';
import { parseJavaProperties } from '../../../src/provisioner/facts/java-properties.js';
import { parseOsRelease } from '../../../src/provisioner/facts/os-release.js';
import { conflictingListeners, parseProcNetTcp } from '../../../src/provisioner/facts/proc-net-tcp.js';
import { parseRolesJson } from '../../../src/provisioner/facts/roles-json.js';
import { toVersionFile } from '../../../src/provisioner/facts/scm-probe.js';

// Captured on Linux x86_64 with listeners on 0.0.0.0:2024, 127.0.1.2:9876, [::]:9895, [::1]:9894,
// [::ffff:127.0.1.3]:9861.
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1601 1 000000009db93028 100 0 0 10 0
   1: 0201007F:2694 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 39292 1 00000000f47e57ca 100 0 0 10 0
   2: 0101007F:0016 0100007F:D2A4 01 00000000:00000000 00:00000000 00000000     0        0 39299 1 00000000f47e57ca 100 0 0 10 0
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:26A7 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 39291 1 00000000b9ad14ad 100 0 0 10 0
   1: 0000000000000000FFFF00000301007F:2685 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 39293 1 00000000f0b0927a 100 0 0 10 0
   2: 00000000000000000000000001000000:26A6 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 39290 1 0000000037db1748 100 0 0 10 0
`;

describe('/proc/net/tcp', () => {
  const all = [...parseProcNetTcp(TCP, 4), ...parseProcNetTcp(TCP6, 6)];
  it('decodes listening sockets only, IPv4 and IPv6', () => {
    expect(all.map((l) => `${l.address}:${l.port}`)).toEqual([
      '0.0.0.0:2024',
      '127.0.1.2:9876',
      ':::9895',
      '::ffff:127.0.1.3:9861',
      '::1:9894',
    ]);
  });

  it('finds listeners that conflict with an address, wildcards included', () => {
    expect(conflictingListeners(all, ['127.0.1.2'], 9876)).toHaveLength(1);
    expect(conflictingListeners(all, ['127.0.1.1'], 9876)).toHaveLength(0);
    expect(conflictingListeners(all, ['127.0.1.1'], 2024)).toHaveLength(1); // 0.0.0.0
    expect(conflictingListeners(all, ['127.0.1.1'], 9895)).toHaveLength(1); // [::] dual stack
    expect(conflictingListeners(all, ['127.0.1.3'], 9861)).toHaveLength(1); // v4-mapped
    expect(conflictingListeners(all, ['127.0.1.1'], 22)).toHaveLength(0); // ESTABLISHED, not listening
    expect(conflictingListeners(all, ['::1'], 9894)).toHaveLength(1);
  });
});

describe('java properties (VERSION)', () => {
  it('parses what Properties.store writes, escapes and continuations included', () => {
    const text = '#Tue Mar 16 10:19:33 UTC 2021\nnodeType=SCM\nclusterID=CID-130fb246-1717-4313-9b62-9ddfe1bcb2e7\ncTime=1615889973116\n' +
      'scmUuid=e6877ce5-56cd-4f0b-ad60-4c8ef9000882\nlayoutVersion=10\nscmHA=true\n! other comment\n  spaced : value \\\n   continued\nesc=a\\=b\\u0041\\:c\n';
    const p = parseJavaProperties(text);
    expect(p).toMatchObject({ nodeType: 'SCM', cTime: '1615889973116', spaced: 'value continued', esc: 'a=bA:c' });
    const v = toVersionFile('/d/scm/current/VERSION', text);
    expect(v).toMatchObject({
      clusterId: 'CID-130fb246-1717-4313-9b62-9ddfe1bcb2e7',
      scmUuid: 'e6877ce5-56cd-4f0b-ad60-4c8ef9000882',
      scmHa: true,
      primaryScmNodeId: null,
      layoutVersion: 10,
      cTime: 1615889973116,
    });
  });
});

describe('small formats', () => {
  it('df -Pk', () => {
    const out = 'Filesystem     1024-blocks      Used Available Capacity Mounted on\n/dev/sda1        102400000  51200000  51200000      50% /var/lib/my data\n';
    expect(parseDfPosix(out)).toEqual([{ filesystem: '/dev/sda1', totalKiB: 102400000, availableKiB: 51200000, mountPoint: '/var/lib/my data' }]);
  });

  it('os-release', () => {
    expect(parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n')).toEqual({
      PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)',
      ID: 'debian',
      VERSION_ID: '12',
    });
  });

  it('roles --json', () => {
    const json = JSON.stringify({
      scm2: { address: 'scm2:9894', raftPeerRole: 'FOLLOWER', ID: 'b', InetAddress: '127.0.1.2' },
      scm1: { address: 'scm1:9894', raftPeerRole: 'LEADER', ID: 'a', InetAddress: '127.0.1.1' },
    });
    expect(parseRolesJson(json)!.map((p) => [p.host, p.role, p.id])).toEqual([
      ['scm1', 'LEADER', 'a'],
      ['scm2', 'FOLLOWER', 'b'],
    ]);
    // The embedded SCM adds the leader's figures for followers; real Ozone's output has none (null).
    const health = parseRolesJson('{"h3":{"address":"h3:9894","raftPeerRole":"UNREACHABLE","ID":"c","InetAddress":"h3","lastContactMs":9000,"lagging":true}}')!;
    expect(health[0]).toMatchObject({ role: 'UNREACHABLE', lastContactMs: 9000, lagging: true });
    expect(parseRolesJson(json)![0]).toMatchObject({ lastContactMs: null, lagging: null });
    expect(parseRolesJson('not json')).toBeNull();
    expect(parseRolesJson('[]')).toBeNull();
    expect(parseRolesJson('{"x":{"address":"a"}}')).toBeNull();
  });
});
