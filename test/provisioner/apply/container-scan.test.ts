import { describe, expect, it } from 'vitest';
import { containerScanArgs, parseContainerScan, scansAgree } from '../../../src/provisioner/apply/container-scan.js';
import { compactUtc } from '../../../src/provisioner/apply/scm-backup.js';
import { parseReachOutput } from '../../../src/provisioner/migrate/reach-probe.js';

describe('parseContainerScan', () => {
  it('orders records by container id, so equal databases give equal text whatever the print order', () => {
    const a = parseContainerScan('{ "10": {"state":"OPEN"}\n, "2": {"state":"CLOSED"}\n }')!;
    const b = parseContainerScan('{ "2": {"state":"CLOSED"}, "10": {"state":"OPEN"} }')!;
    expect(a.ids).toEqual(['2', '10']);
    expect(a.canonical).toBe(b.canonical);
    expect(parseContainerScan('{ "2": {"state":"OPEN"} }')!.canonical).not.toBe(parseContainerScan('{ "2": {"state":"CLOSED"} }')!.canonical);
  });
  it('reads Ozone\'s ContainerID key objects (DBScanner), compact or pretty, like the bare ids of older tools', () => {
    const compact = parseContainerScan('{ {"id":10}: {"state":"OPEN"}\n, {"id":2}: {"state":"CLOSED"}\n }')!;
    const pretty = parseContainerScan('{ {\n  "id" : 2\n}: {\n  "state" : "CLOSED"\n}\n, {\n  "id" : 10\n}: {\n  "state" : "OPEN"\n}\n }')!;
    expect(compact.ids).toEqual(['2', '10']);
    expect(pretty.canonical).toBe(compact.canonical);
    expect(parseContainerScan('{ "2": {"state":"OPEN"}, "10": {"state":"OPEN"} }')!.ids).toEqual(['2', '10']);
    expect(parseContainerScan('{ {"id":"a,}\\"b"}: {"s":"}"} }')).toBeNull(); // not a container id, whatever the quoting
  });
  it('reads an empty family as no container, and refuses what is not DBScanner output', () => {
    expect(parseContainerScan('')).toEqual({ ids: [], canonical: '[]', records: {} });
    expect(parseContainerScan('{  }')).toEqual({ ids: [], canonical: '[]', records: {} });
    expect(parseContainerScan('[1,2]')).toBeNull();
    expect(parseContainerScan('not json')).toBeNull();
    expect(parseContainerScan('{ {"id":1}: {"state":"OPEN"} {"id":2}: {} }')).toBeNull();
    expect(parseContainerScan('{ {"id":1} {"state":"OPEN"} }')).toBeNull();
  });
  it('asks the host tool for the containers family, compact', () => {
    expect(containerScanArgs('/var/lib/ozone/scm')).toEqual(['debug', 'ldb', '--db=/var/lib/ozone/scm/scm.db', 'scan', '--column-family=containers', '--compact']);
  });
});

describe('scansAgree (the containers of the nodes of one ring)', () => {
  const c = (state: string, pipeline = 'p1', used = 0) => ({ state, pipelineID: pipeline, owner: 'om', usedBytes: used });
  const scan = (records: Record<string, unknown>) => parseContainerScan(JSON.stringify(records))!;
  const leader = scan({ 1: c('CLOSED', 'p1', 9), 2: c('CLOSING', 'p1', 5), 3: c('OPEN'), 4: c('OPEN') });
  it('identical scans agree', () => {
    expect(scansAgree([{ name: 'scm1', scan: leader }, { name: 'scm2', scan: scan({ 1: c('CLOSED', 'p1', 9), 2: c('CLOSING', 'p1', 5), 3: c('OPEN'), 4: c('OPEN') }) }])).toMatchObject({ agree: true, detail: '4 containers, identical on scm1, scm2' });
  });
  it('a trailing node (fewer newest containers, earlier states and usage) agrees while a writer runs', () => {
    const trailing = scan({ 1: c('CLOSING', 'p1', 3), 2: c('OPEN'), 3: c('OPEN') });
    expect(scansAgree([{ name: 'scm2', scan: trailing }, { name: 'scm1', scan: leader }])).toMatchObject({ agree: true });
  });
  it('a hole, a foreign container, another pipeline or a state ahead of the most advanced node disagree', () => {
    const bad = (records: Record<string, unknown>) => scansAgree([{ name: 'scm1', scan: leader }, { name: 'scm2', scan: scan(records) }]);
    expect(bad({ 1: c('CLOSED'), 3: c('OPEN') })).toMatchObject({ agree: false, detail: expect.stringContaining('1 missing, e.g. 2') });
    expect(bad({ 1: c('CLOSED'), 2: c('CLOSING'), 9: c('OPEN') })).toMatchObject({ agree: false, detail: expect.stringContaining('not on scm1') });
    expect(bad({ 1: c('CLOSED'), 2: c('CLOSING', 'p9') })).toMatchObject({ agree: false, detail: expect.stringContaining('different, e.g. 2') });
    expect(bad({ 1: c('CLOSED'), 2: c('CLOSING'), 3: c('CLOSED') })).toMatchObject({ agree: false, detail: expect.stringContaining('different, e.g. 3') });
  });
});

describe('backup names and reach probe output', () => {
  it('timestamps archives in compact UTC', () => {
    expect(compactUtc(new Date('2026-11-24T19:05:01.123Z'))).toBe('20261124T190501Z');
  });
  it('marks each port ok only when the probe said so', () => {
    const ports = [
      { name: 'client', port: 9860 },
      { name: 'block', port: 9863 },
    ];
    expect(parseReachOutput('9860 ok\n9863 fail\n', '10.0.0.1', ports)).toEqual([
      { portName: 'client', target: '10.0.0.1:9860', ok: true },
      { portName: 'block', target: '10.0.0.1:9863', ok: false },
    ]);
    expect(parseReachOutput('', '10.0.0.1', ports).every((r) => !r.ok)).toBe(true);
  });
});
