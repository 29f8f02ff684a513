/**
 * The peer of bench:apply: Ansible pushing exactly the files `scmctl render` writes, to the same sshd hosts,
 * as the same login user. Set up the way an experienced operator tunes Ansible for speed: ansible-core's
 * `copy` module, no fact gathering, SSH pipelining, forks = number of hosts, ControlMaster/ControlPersist (so
 * runs after the first reuse their SSH connections: an advantage scmctl, which connects afresh on every run,
 * does not have).
 *
 * Only used when `ansible-playbook` is on PATH (Debian: `apt-get install ansible-core`); bench:apply says so
 * and carries on without the comparison otherwise.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface AnsibleHost {
  readonly name: string;
  readonly address: string;
}

export interface AnsiblePeer {
  readonly version: string;
  /**
   * runs the playbook once; resolves with its wall time in ms and how many tasks changed something.
   * `fresh`: in a new ControlPath directory, so every SSH connection is opened anew (as scmctl's are)
   */
  run(options?: { fresh?: boolean }): Promise<{ ms: number; changed: number }>;
}

export function ansiblePlaybookVersion(): string | null {
  try {
    const out = execFileSync('ansible-playbook', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return /ansible-playbook \[core ([^\]]+)\]/.exec(out)?.[1] ?? out.split('\n')[0]!.trim();
  } catch {
    return null;
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/**
 * Writes inventory, host_vars (each host's files: source in the render folder, destination path, mode),
 * ansible.cfg and the playbook under `dir`. `renderDir` is the output of `scmctl render FILE --out DIR`.
 */
export function prepareAnsible(o: {
  readonly dir: string;
  readonly renderDir: string;
  readonly hosts: readonly AnsibleHost[];
  readonly user: string;
  readonly keyPath: string;
  readonly knownHostsPath: string;
}): AnsiblePeer {
  const version = ansiblePlaybookVersion();
  if (!version) throw new Error('ansible-playbook is not installed');
  mkdirSync(join(o.dir, 'host_vars'), { recursive: true });
  mkdirSync(join(o.dir, 'cp'), { recursive: true });
  const inventory = ['[cluster]', ...o.hosts.map((h) => `${h.name} ansible_host=${h.address}`), ''];
  writeFileSync(join(o.dir, 'inventory.ini'), inventory.join('\n'));
  for (const h of o.hosts) {
    const base = join(o.renderDir, h.name);
    const files = walk(base).map((src) => ({ src, dest: `/${relative(base, src)}`, mode: `0${(statSync(src).mode & 0o777).toString(8)}` }));
    writeFileSync(join(o.dir, 'host_vars', `${h.name}.json`), JSON.stringify({ scm_files: files }, null, 1));
  }
  writeFileSync(
    join(o.dir, 'ansible.cfg'),
    [
      '[defaults]',
      `forks = ${o.hosts.length}`,
      'gathering = explicit',
      'host_key_checking = True',
      `remote_user = ${o.user}`,
      `private_key_file = ${o.keyPath}`,
      'interpreter_python = /usr/bin/python3',
      'remote_tmp = /tmp/.ansible-${USER}/tmp',
      `local_tmp = ${join(o.dir, 'tmp')}`,
      'retry_files_enabled = False',
      'stdout_callback = default',
      '',
      '[ssh_connection]',
      'pipelining = True',
      `ssh_args = -o ControlMaster=auto -o ControlPersist=120s -o UserKnownHostsFile=${o.knownHostsPath} -o IdentitiesOnly=yes`,
      `control_path_dir = ${join(o.dir, 'cp')}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(o.dir, 'push.yml'),
    [
      '- hosts: cluster',
      '  gather_facts: false',
      '  tasks:',
      '    - name: push the rendered files',
      '      ansible.builtin.copy:',
      '        src: "{{ item.src }}"',
      '        dest: "{{ item.dest }}"',
      '        mode: "{{ item.mode }}"',
      '      loop: "{{ scm_files }}"',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, ANSIBLE_CONFIG: join(o.dir, 'ansible.cfg'), ANSIBLE_NOCOLOR: '1' };
  let freshRuns = 0;
  return {
    version,
    run: (options = {}) =>
      new Promise((resolve, reject) => {
        const cp = join(o.dir, `cp-fresh-${freshRuns++}`);
        if (options.fresh) mkdirSync(cp, { recursive: true });
        const t = performance.now();
        const runEnv = options.fresh ? { ...env, ANSIBLE_SSH_CONTROL_PATH_DIR: cp, ANSIBLE_SSH_ARGS: `-o ControlMaster=auto -o ControlPersist=1s -o UserKnownHostsFile=${o.knownHostsPath} -o IdentitiesOnly=yes` } : env;
        const child = spawn('ansible-playbook', ['-i', join(o.dir, 'inventory.ini'), join(o.dir, 'push.yml')], { cwd: o.dir, env: runEnv, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => {
          const ms = performance.now() - t;
          if (code !== 0) {
            reject(new Error(`ansible-playbook exited ${code}:\n${out.slice(-3000)}`));
            return;
          }
          const changed = [...out.matchAll(/changed=(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
          resolve({ ms, changed });
        });
      }),
  };
}
