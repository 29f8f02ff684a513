/**
 * StarterSettings → the text of a commented starter topology (YAML), the file `scmctl init` writes. Emitted
 * from a template, not through the yaml package, so every field can carry a one-line comment saying what it
 * is for; values go through `scalar`, which quotes anything the YAML 1.2 core schema would not read back as
 * the same string (numbers, booleans, null, flow or comment characters) and escapes `${` (topologies expand
 * `${NAME}` from the environment). Pure. Whether the text validates is checked by the caller, on the file.
 */
import { DEFAULT_SCM_PORTS } from '../topology/model.js';
import type { StarterSettings } from './starter-settings.js';

const CORE_NON_STRING = /^(?:[-+]?(?:0o[0-7]+|0x[0-9a-fA-F]+|[0-9]+|(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|\.(?:inf|Inf|INF))|\.(?:nan|NaN|NAN))$/;
const WORDS = /^(?:true|false|yes|no|on|off|y|n|null|~)$/i;
const PLAIN = /^[A-Za-z0-9_/.][A-Za-z0-9_./@~+-]*$|^~\/[A-Za-z0-9_./@~+-]*$/;

/** A string as a YAML scalar that reads back as exactly this string. */
export function scalar(value: string): string {
  // a function, not the string '$${': in a replacement string `$$` would mean one `$`
  const v = value.replace(/\$\{/g, () => '$${');
  return PLAIN.test(v) && !CORE_NON_STRING.test(v) && !WORDS.test(v) ? v : JSON.stringify(v);
}

const COMMENT_COLUMN = 48;

class Lines {
  private readonly out: string[] = [];
  /** `text` at `indent` spaces, with an end-of-line comment when given */
  add(indent: number, text: string, comment?: string): this {
    const body = ' '.repeat(indent) + text;
    this.out.push(comment === undefined ? body : `${body.padEnd(Math.max(COMMENT_COLUMN, body.length + 2))}# ${comment}`);
    return this;
  }
  /** a field left out, as a comment to uncomment: `# text   # comment` */
  commented(indent: number, text: string, comment: string): this {
    return this.add(indent, `# ${text}`, comment);
  }
  /** whole-line comments at `indent` */
  note(indent: number, ...lines: string[]): this {
    for (const l of lines) this.out.push(`${' '.repeat(indent)}#${l === '' ? '' : ` ${l}`}`);
    return this;
  }
  blank(): this {
    this.out.push('');
    return this;
  }
  text(): string {
    return this.out.join('\n') + '\n';
  }
}

export const hostName = (i: number): string => `scm${i + 1}`;

/** Ratis/gRPC ports of node i on a shared machine with apache-ozone (Ozone binds them on all interfaces) */
export function sharedMachinePorts(i: number): { ratis: number; grpc: number } {
  return { ratis: DEFAULT_SCM_PORTS.ratis + 100 * i, grpc: DEFAULT_SCM_PORTS.grpc + 100 * i };
}

function describe(s: StarterSettings): string {
  const n = s.hosts.length;
  const where = s.sharedMachine && s.transport === 'local' ? `this machine (${s.hosts.join(', ')})` : s.hosts.join(', ');
  return `${n} SCM${n === 1 ? '' : 's'} on ${where}, ${s.transport} transport, ${s.runtime.kind} runtime, security ${s.security ? 'on' : 'off'}`;
}

function header(l: Lines, file: string, s: StarterSettings): void {
  l.note(0, 'A starter topology written by `scmctl init`:', `  ${describe(s)}.`, 'Edit it, then:', '');
  l.note(0, `  scmctl validate ${file}     # every problem at file:line:column, with a fix`);
  l.note(0, `  scmctl plan ${file}         # what apply would change on each host (reads only)`);
  l.note(0, `  scmctl apply ${file}        # install, --init the primordial SCM, --bootstrap the others`);
  l.note(0, '', 'Every field: docs/topology.md. More examples: examples/*.yaml.');
  if (s.kerberos?.placeholder) l.note(0, '', 'CHANGE ME: the Kerberos principal below names the placeholder realm EXAMPLE.COM: write yours.');
}

function ssh(l: Lines, s: StarterSettings): void {
  if (!s.ssh) return;
  l.note(2, 'how scmctl logs in to each host');
  l.add(2, 'ssh:');
  l.add(4, `user: ${scalar(s.ssh.user)}`, 'root, or a user with sudo (then add become: { enabled: true })');
  if (s.ssh.identityFile !== undefined) l.add(4, `identityFile: ${scalar(s.ssh.identityFile)}`, 'the private key; without it, the keys of your SSH agent');
  else l.commented(4, 'identityFile: ~/.ssh/id_ed25519', 'the private key; without it, the keys of your SSH agent');
  l.add(4, 'knownHosts: strict', 'host keys must be in ~/.ssh/known_hosts (ssh-keyscan HOST >> it)');
}

function security(l: Lines, s: StarterSettings): void {
  l.note(2, `Ozone security: a root CA on the primordial SCM and a certificate for every SCM${s.runtime.kind === 'embedded' ? ' (joining with a token)' : ''}`);
  l.add(2, 'security:');
  l.add(4, `enabled: ${s.security}`, s.security ? 'ozone.security.enabled' : 'true turns it on (then also tls: true)');
  if (s.security) l.add(4, 'tls: true', 'hdds.grpc.tls.enabled: Raft and SCM-to-SCM traffic over TLS');
  const k = s.kerberos;
  if (!k) return;
  l.note(4, 'a secure Apache Ozone SCM logs in with Kerberos at --bootstrap and at start (docs/real-ozone.md §5)');
  l.add(4, 'kerberos:');
  l.add(6, `principal: ${scalar(k.principal)}`, `${k.placeholder ? 'CHANGE ME: your realm; ' : ''}_HOST = each host's FQDN`);
  l.add(6, `keytab: ${scalar(k.keytab)}`, "the keytab's path on every SCM host");
  l.note(6, 'optional: scmctl copies each host\'s keytab there (mode 0400) from files beside this topology:');
  l.note(6, 'keytabs:');
  s.hosts.forEach((_, i) => l.note(6, `  - { host: ${hostName(i)}, file: keytabs/${hostName(i)}.keytab }`));
}

function runtime(l: Lines, s: StarterSettings): void {
  const rt = s.runtime;
  l.add(2, 'runtime:');
  if (rt.kind === 'embedded') {
    l.add(4, 'kind: embedded', "scmctl's own SCM; apache-ozone installs a real Ozone release");
    return;
  }
  l.add(4, 'kind: apache-ozone', 'a real Apache Ozone release, run with the hosts\' Java');
  l.add(4, 'ozone:');
  l.add(6, `tarball: ${scalar(rt.tarball)}`, 'on this machine; checked against the .sha512 beside it');
  if (!rt.versionFromName) l.add(6, `version: ${scalar(rt.version)}`, 'the release\'s version (its file name does not say)');
  l.add(4, 'java:');
  l.add(6, `home: ${scalar(rt.javaHome)}`, 'JAVA_HOME on every SCM host (preflight checks it)');
  if (s.sharedMachine) l.add(4, 'heap: 512m', 'maximum heap of each SCM JVM (OZONE_HEAPSIZE_MAX)');
  else l.commented(4, 'heap: 4g', 'maximum heap of each SCM JVM (OZONE_HEAPSIZE_MAX)');
  l.commented(4, 'user: ozone', 'run the SCM as this user (default: the one scmctl connects as)');
}

function services(l: Lines, s: StarterSettings): void {
  l.note(2, 'one SCM HA ring (a Raft quorum): 3 or 5 nodes tolerate 1 or 2 failures');
  l.add(2, 'services:');
  l.add(4, '- serviceId: scmservice', 'ozone.scm.service.ids');
  l.add(6, `primordial: ${hostName(0)}`, 'runs `ozone scm --init`; the others --bootstrap from it');
  l.add(6, 'nodes:');
  s.hosts.forEach((_, i) => {
    l.add(8, `- nodeId: ${hostName(i)}`, i === 0 ? 'ozone.scm.nodes.scmservice' : undefined);
    l.add(10, `host: ${hostName(i)}`, i === 0 ? 'a name of spec.hosts below' : undefined);
    if (s.runtime.kind === 'apache-ozone' && s.sharedMachine && i > 0) {
      const p = sharedMachinePorts(i);
      l.add(10, `ports: { ratis: ${p.ratis}, grpc: ${p.grpc} }`, 'Ozone binds these on all interfaces: one pair per SCM of a machine');
    }
  });
}

function hosts(l: Lines, s: StarterSettings): void {
  l.add(2, 'hosts:');
  s.hosts.forEach((address, i) => {
    const first = i === 0;
    l.add(4, `- name: ${hostName(i)}`, first ? 'what nodes[].host refers to' : undefined);
    l.add(6, `address: ${scalar(address)}`, first ? `${s.transport === 'ssh' ? 'where scmctl connects and ' : ''}where the SCM listens` : undefined);
    if (!s.sharedMachine || s.dataDir === undefined) return;
    const base = `${s.dataDir}/${hostName(i)}`;
    l.add(6, 'directories:', first ? 'all this SCM owns, apart from the other SCMs of this machine' : undefined);
    l.add(8, `install: ${scalar(`${base}/install`)}`, first ? 'the runtime release' : undefined);
    l.add(8, `config: ${scalar(`${base}/conf`)}`, first ? 'ozone-site.xml, scm.env, the service unit' : undefined);
    l.add(8, `metadata: ${scalar(`${base}/metadata`)}`, first ? 'scm.db, the Raft log, certificates' : undefined);
    l.add(8, `logs: ${scalar(`${base}/logs`)}`);
  });
}

function directories(l: Lines, s: StarterSettings): void {
  if (s.sharedMachine) return;
  if (s.dataDir === undefined) {
    l.note(2, 'where each SCM keeps its files (these are the defaults):');
    l.note(2, 'directories: { install: /opt/scmctl, config: /etc/ozone, metadata: /var/lib/ozone/metadata, logs: /var/log/ozone }');
    return;
  }
  l.note(2, 'where each SCM keeps its files');
  l.add(2, 'directories:');
  l.add(4, `install: ${scalar(`${s.dataDir}/install`)}`, 'the runtime release');
  l.add(4, `config: ${scalar(`${s.dataDir}/conf`)}`, 'ozone-site.xml, scm.env, the service unit');
  l.add(4, `metadata: ${scalar(`${s.dataDir}/metadata`)}`, 'scm.db, the Raft log, certificates');
  l.add(4, `logs: ${scalar(`${s.dataDir}/logs`)}`);
}

function tail(l: Lines, s: StarterSettings): void {
  if (s.runtime.kind === 'embedded' && s.sharedMachine) {
    l.note(2, 'extra ozone-site.xml properties, as Ozone spells them');
    l.add(2, 'properties:');
    l.note(4, "the embedded SCM's simulated datanodes of this machine heartbeat every 2 s instead of 30 s, so a");
    l.note(4, 'fresh quorum leaves safe mode within seconds');
    l.add(4, 'hdds.heartbeat.interval: 2s');
  } else {
    l.note(2, 'extra ozone-site.xml properties, as Ozone spells them:');
    l.note(2, 'properties: { hdds.heartbeat.interval: 10s }');
  }
  if (s.sharedMachine) {
    l.add(2, 'timeouts:');
    l.add(4, 'scmStart: 60s', 'how long an SCM may take to start and join');
    l.add(4, 'scmInfoWait: 2m', 'ozone.scm.info.wait.duration: a bootstrap waits this long for the primordial SCM');
  } else {
    l.note(2, 'timeouts: { connect: 10s, scmStart: 2m }');
  }
}

/** The starter's text; `file` is the name shown in its header (as the operator typed it). */
export function starterYaml(s: StarterSettings, file: string): string {
  const l = new Lines();
  header(l, file, s);
  l.add(0, 'apiVersion: scmctl.io/v1alpha1');
  l.add(0, 'kind: ScmCluster');
  l.add(0, 'metadata:');
  l.add(2, `name: ${scalar(s.name)}`, 'the cluster: its journal and lock on this machine are named after it');
  l.add(2, `description: ${scalar(describe(s))}`);
  l.add(0, 'spec:');
  l.add(2, `transport: ${s.transport}`, s.transport === 'local' ? 'run every command on this machine, no SSH (ssh: log in to each host)' : 'log in to each host over SSH (local: this machine, no SSH)');
  ssh(l, s);
  if (s.sharedMachine) l.add(2, 'listen: address', 'each SCM binds only its own address: they share one machine');
  else l.commented(2, 'listen: address', 'bind each SCM to its own address only (default: all interfaces)');
  security(l, s);
  runtime(l, s);
  services(l, s);
  hosts(l, s);
  directories(l, s);
  tail(l, s);
  return l.text();
}
