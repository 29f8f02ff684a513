import { describe, expect, it } from 'vitest';
import { identityOf, subjectFor } from '../../../src/scm/security/peer-identity.js';

const CID = 'CID-3f1e6c87-8cf0-4cbf-b3b6-3b8f09b1462a';
const UUID = '1c73d6f5-9a35-4325-b414-30ddfb58de64';

describe('identity of a verified certificate', () => {
  it('maps each profile subject to its identity kind', () => {
    expect(identityOf({ subject: subjectFor('scm', '127.0.0.2', CID, UUID) as never, ca: true, serialNumber: '0A' }, CID)).toEqual({ kind: 'scm', scmUuid: UUID, host: '127.0.0.2', serial: '10' });
    for (const kind of ['admin', 'datanode', 'om'] as const) {
      expect(identityOf({ subject: subjectFor(kind, 'h1', CID) as never, ca: false, serialNumber: '03' }, CID)).toEqual({ kind, host: 'h1', serial: '3' });
    }
  });

  it('proves nothing for another cluster, a CA flag where none belongs, an SCM without CA or uuid, an unknown CN', () => {
    expect(identityOf({ subject: subjectFor('admin', 'h', 'CID-00000000-0000-4000-8000-000000000000') as never, ca: false, serialNumber: '1' }, CID)).toBeUndefined();
    expect(identityOf({ subject: subjectFor('admin', 'h', CID) as never, ca: true, serialNumber: '1' }, CID)).toBeUndefined();
    expect(identityOf({ subject: subjectFor('scm', 'h', CID, UUID) as never, ca: false, serialNumber: '1' }, CID)).toBeUndefined();
    expect(identityOf({ subject: { CN: 'scm-sub@h', OU: 'not-a-uuid', O: CID }, ca: true, serialNumber: '1' }, CID)).toBeUndefined();
    expect(identityOf({ subject: { CN: 'root@h', O: CID }, ca: false, serialNumber: '1' }, CID)).toBeUndefined();
    expect(identityOf({ subject: { CN: 'admin@', O: CID }, ca: false, serialNumber: '1' }, CID)).toBeUndefined();
    expect(identityOf({ subject: { CN: ['admin@a', 'admin@b'], O: CID }, ca: false, serialNumber: '1' }, CID)).toBeUndefined();
    expect(identityOf({ subject: { CN: 'dn@h', OU: UUID, O: CID }, ca: false, serialNumber: '1' }, CID)).toBeUndefined();
  });
});
