/**
 * bench:topology — load, validate and render a 1,000-host topology (3 SCMs + 997 datanode/client hosts).
 *
 * Prints: cold runs, each in a fresh process (includes loading the schema validator — the one `npm run build`
 * precompiles, or compiling the JSON schema where there is none —, reading templates and the JIT warming up:
 * what one `scmctl validate` of such a file pays), then warm runs in one process, split
 * into load (parse + schema + normalise + rules) and render (every host's files). Also times importing the
 * same cluster exported as one ozone-site.xml, and prints the load average (wall times include other load).
 * Then the whole commands as an operator runs them, each a fresh process timed from outside (start-up, imports,
 * reading the file included): `scmctl validate FILE` and `scmctl render FILE --out DIR`, interleaved with the
 * peer when it is installed: Ansible loading and listing an inventory of the same hosts and groups
 * (`ansible-inventory -i hosts.yml --list`: parse + group/host variables, the step every playbook run starts
 * with).
 * Usage: npm run bench:topology [-- --hosts 1000 --runs 20 --cold 5 --style block|flow]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ansiblePlaybookVersion } from './ansible-peer.js';
import { SCMCTL } from '../test/support/apply-e2e.js';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { exportXml } from '../src/provisioner/render/export-xml.js';
import { renderAll } from '../src/provisioner/render/render-host.js';
import { loadTopologyText } from '../src/provisioner/topology/load.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const HOSTS = arg('hosts', 1000);
const RUNS = arg('runs', 20);
/** `block` (the style of examples/ and docs) or `flow` (one `{ name: …, address: … }` line per host) */
const STYLE = process.argv.includes('--style') ? process.argv[process.argv.indexOf('--style') + 1] : 'block';

function bigTopology(hosts: number): string {
  const lines = [
    'apiVersion: scmctl.io/v1alpha1',
    'kind: ScmCluster',
    'metadata:',
    '  name: bench',
    'spec:',
    '  ssh:',
    '    user: ozone',
    '    identityFile: ~/.ssh/id_ed25519',
    '    become: { enabled: true, passwordEnv: SUDO_PASSWORD }',
    '  directories:',
    '    metadata: /data/ozone/metadata',
    '  services:',
    '    - serviceId: scmservice',
    '      nodes:',
    '        - { nodeId: scm1, host: scm1 }',
    '        - { nodeId: scm2, host: scm2 }',
    '        - { nodeId: scm3, host: scm3 }',
    '  properties:',
    '    ozone.scm.container.size: 5GB',
    '    hdds.scmclient.failover.max.retry: "15"',
    '  hosts:',
  ];
  const host = (name: string, address: string, roles?: string): void => {
    if (STYLE === 'flow') lines.push(`    - { name: ${name}, address: ${address}${roles ? `, roles: [${roles}]` : ''} }`);
    else lines.push(`    - name: ${name}`, `      address: ${address}`, ...(roles ? [`      roles: [${roles}]`] : []));
  };
  for (let i = 1; i <= 3; i++) host(`scm${i}`, `10.0.0.${i}`);
  for (let i = 0; i < hosts - 3; i++) {
    host(`dn${i}`, `10.${1 + Math.floor(i / 65025)}.${Math.floor(i / 255) % 255}.${(i % 255) + 1}`, i % 10 === 0 ? 'client' : 'datanode');
  }
  return lines.join('\n') + '\n';
}

interface Sample {
  load: number;
  render: number;
  /** CPU time (user + system) of the whole run: unlike wall time, barely affected by other processes */
  cpu: number;
  files: number;
}

function once(text: string): Sample {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = loadTopologyText(text, 'bench.yaml');
  const t1 = performance.now();
  if (!result.topology) throw new Error(`the benchmark topology is invalid: ${result.diagnostics.map((d) => d.code).join(', ')}`);
  const rendered = renderAll(result.topology);
  const t2 = performance.now();
  const c = process.cpuUsage(c0);
  let files = 0;
  for (const f of rendered.values()) files += f.length;
  return { load: t1 - t0, render: t2 - t1, cpu: (c.user + c.system) / 1000, files };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number): string => `${x.toFixed(1)} ms`;

const text = bigTopology(HOSTS);
const cold = once(text);
if (process.argv.includes('--cold-only')) {
  process.stdout.write(JSON.stringify(cold) + '\n');
  process.exit(0);
}
const warm: Sample[] = [];
for (let i = 0; i < RUNS; i++) warm.push(once(text));
const totals = warm.map((s) => s.load + s.render);

const xml = exportXml(loadTopologyText(text, 'bench.yaml').topology!);
const xmlTimes: number[] = [];
for (let i = 0; i < Math.max(3, Math.floor(RUNS / 4)); i++) {
  const t0 = performance.now();
  if (!loadTopologyText(xml, 'bench.xml').topology) throw new Error('the exported XML does not import');
  xmlTimes.push(performance.now() - t0);
}

// Cold runs in fresh processes (the figure a `scmctl validate` of such a file pays), sequentially.
const COLD = arg('cold', 5);
const colds: Sample[] = [];
for (let i = 0; i < COLD; i++) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--cold-only', '--hosts', String(HOSTS), '--style', STYLE!], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cold run failed: ${r.stderr}`);
  colds.push(JSON.parse(r.stdout) as Sample);
}
const coldTotals = colds.map((s) => s.load + s.render);

/** The same hosts as an Ansible YAML inventory: groups scm / datanode / client, ansible_host per host. */
function ansibleInventory(hosts: number): string {
  const lines = ['all:', '  vars:', '    ansible_user: ozone', '    ansible_become: true', '  children:'];
  const group = (name: string, members: [string, string][]): void => {
    lines.push(`    ${name}:`, '      hosts:', ...members.flatMap(([h, a]) => [`        ${h}:`, `          ansible_host: ${a}`]));
  };
  const dns = Array.from({ length: hosts - 3 }, (_, i): [string, string, boolean] => [`dn${i}`, `10.${1 + Math.floor(i / 65025)}.${Math.floor(i / 255) % 255}.${(i % 255) + 1}`, i % 10 === 0]);
  group('scm', [1, 2, 3].map((i): [string, string] => [`scm${i}`, `10.0.0.${i}`]));
  group('datanode', dns.filter((d) => !d[2]).map(([h, a]): [string, string] => [h, a]));
  group('client', dns.filter((d) => d[2]).map(([h, a]): [string, string] => [h, a]));
  return `${lines.join('\n')}\n`;
}

/** Whole commands, fresh processes, wall time from outside; ours and the peer's interleaved. */
function wholeCommands(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'scmctl-bench-topology-'));
  try {
    const file = join(dir, 'big.yaml');
    writeFileSync(file, text);
    const inventory = join(dir, 'hosts.yml');
    writeFileSync(inventory, ansibleInventory(HOSTS));
    const wall = (cmd: string, args: string[]): number => {
      const t0 = performance.now();
      const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1' } });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
      return performance.now() - t0;
    };
    const peer = ansiblePlaybookVersion();
    const validate: number[] = [];
    const render: number[] = [];
    const inv: number[] = [];
    for (let i = 0; i < COLD; i++) {
      validate.push(wall(SCMCTL, ['validate', file]));
      render.push(wall(SCMCTL, ['render', file, '--out', join(dir, `out${i}`)]));
      if (peer) inv.push(wall('ansible-inventory', ['-i', inventory, '--list']));
    }
    const out = [
      `whole commands, ${COLD} fresh processes each (wall, start-up included): scmctl validate median ${ms(median(validate))} (min ${ms(Math.min(...validate))}), scmctl render median ${ms(median(render))} (min ${ms(Math.min(...render))})`,
    ];
    out.push(
      peer
        ? `peer, interleaved: ansible-inventory ${peer} --list of the same ${HOSTS} hosts median ${ms(median(inv))} (min ${ms(Math.min(...inv))}): scmctl validate is ${(median(inv) / median(validate)).toFixed(1)}× faster, render (validate + every host's files written) ${(median(inv) / median(render)).toFixed(1)}×`
        : 'peer: ansible-inventory is not installed (apt-get install ansible-core): no comparison in this run',
    );
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const whole = wholeCommands();

process.stdout.write(
  [
    `bench:topology — ${HOSTS} hosts (3 SCMs + ${HOSTS - 3} datanode/client), ${Math.round(text.length / 1024)} KiB YAML (${STYLE} style), ${cold.files} files rendered`,
    `node ${process.version}, ${process.platform}/${process.arch}`,
    `cold, ${COLD} fresh processes (loads the schema validator, JIT not warm): load+validate median ${ms(median(colds.map((s) => s.load)))}, render median ${ms(median(colds.map((s) => s.render)))}, total median ${ms(median(coldTotals))}, min ${ms(Math.min(...coldTotals))}, max ${ms(Math.max(...coldTotals))}`,
    `warm, ${RUNS} runs: load+validate median ${ms(median(warm.map((s) => s.load)))}, render median ${ms(median(warm.map((s) => s.render)))}, total median ${ms(median(totals))} wall (max ${ms(Math.max(...totals))}), ${ms(median(warm.map((s) => s.cpu)))} CPU`,
    `import of the same cluster as one ozone-site.xml (${Math.round(xml.length / 1024)} KiB): median ${ms(median(xmlTimes))}`,
    `target (well under 500 ms for load+validate+render): cold median ${ms(median(coldTotals))}, warm median ${ms(median(totals))}`,
    ...whole,
    `load average while running: ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} CPUs (wall times grow with other load)`,
    '',
  ].join('\n'),
);
