/**
 * The connection keeper and its client over a real Unix socket, in one process: the "SSH connection" the keeper
 * keeps is a local runner running real `sh` processes (the sshd-backed end-to-end test is
 * test/e2e/ssh-keeper.test.ts). Shown here: answers identical to the runner's own (binary output, stderr, exit
 * codes, signals, stdin streamed), one connection per spec shared by runs, aborts and a client going away kill
 * the command, HostErrors cross with their codes, a lost connection is dialled again, idle connections close
 * after their persist time and the keeper then exits, a keeper that dies fails the running commands.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, chmodSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandRunner } from '../../../../src/provisioner/hosts/command-runner.js';
import { HostError } from '../../../../src/provisioner/hosts/host-error.js';
import { localRunner } from '../../../../src/provisioner/hosts/local-host.js';
import type { SshHostOptions } from '../../../../src/provisioner/hosts/ssh-options.js';
import { ConnectionKeeper, type KeptRunner as KeeperSideRunner } from '../../../../src/provisioner/hosts/ssh-keeper/connection-keeper.js';
import { KeeperClient } from '../../../../src/provisioner/hosts/ssh-keeper/keeper-client.js';
import { KeeperError } from '../../../../src/provisioner/hosts/ssh-keeper/keeper-error.js';
import { specKey, wireSpec, type WireSpec } from '../../../../src/provisioner/hosts/ssh-keeper/keeper-messages.js';
import { ensurePrivateDir, keeperSocketPath, listenAtomically } from '../../../../src/provisioner/hosts/ssh-keeper/keeper-paths.js';
import { keptConnect } from '../../../../src/provisioner/hosts/ssh-keeper/kept-connect.js';
import { connectHost } from '../../../../src/provisioner/hosts/connect-host.js';

const spec = (over: Partial<SshHostOptions> = {}): SshHostOptions => ({
  name: 'node1',
  address: '127.0.0.1',
  user: 'op',
  auth: { privateKeyPaths: ['/home/op/.ssh/id_ed25519'] },
  hostKey: { knownHostsFiles: ['/home/op/.ssh/known_hosts'] },
  secrets: { env: {} },
  ...over,
});

interface Harness {
  readonly socketPath: string;
  readonly opened: WireSpec[];
  readonly runners: Array<{ lost: HostError | undefined; closed: boolean; dead: boolean }>;
  idle: boolean;
  server: Server | undefined;
  keeper: ConnectionKeeper | undefined;
  openFailure: HostError | undefined;
  client(persistMs?: number): KeeperClient;
  stop(): void;
}

const dirs: string[] = [];
const harnesses: Harness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A keeper started (in this process) by the client when none answers, as the real one is spawned. */
function harness(o: { startGraceMs?: number; checkIdleAfterMs?: number } = {}): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'scmctl-keeper-'));
  dirs.push(dir);
  const h: Harness = {
    socketPath: keeperSocketPath(dir),
    opened: [],
    runners: [],
    idle: false,
    server: undefined,
    keeper: undefined,
    openFailure: undefined,
    client: (persistMs = 30_000) =>
      new KeeperClient({
        socketPath: h.socketPath,
        persistMs,
        start: async (path) => {
          const server = createServer();
          const keeper = new ConnectionKeeper({
            openRunner: async (s) => {
              h.opened.push(s);
              if (h.openFailure) throw h.openFailure;
              const inner: CommandRunner = localRunner({ name: s.name, secrets: { env: {} } });
              const state = { lost: undefined as HostError | undefined, closed: false, dead: false };
              h.runners.push(state);
              const r: KeeperSideRunner = {
                info: { ...inner.info, transport: 'ssh', hostKeyFingerprint: 'SHA256:test' },
                // a connection cut without anyone noticing: commands hang until their timeout
                run: (req) => (state.dead ? new Promise((_, reject) => setTimeout(() => reject(new HostError('HOST_COMMAND_TIMEOUT', s.name, 'timed out')), Math.min(req.timeoutMs ?? 60_000, 200))) : inner.run(req)),
                close: async () => {
                  state.closed = true;
                },
                get lost() {
                  return state.lost;
                },
              };
              return r;
            },
            onIdle: () => {
              h.idle = true;
              server.close();
            },
            lingerMs: 50,
            ...(o.startGraceMs !== undefined ? { startGraceMs: o.startGraceMs } : {}),
            ...(o.checkIdleAfterMs !== undefined ? { checkIdleAfterMs: o.checkIdleAfterMs } : {}),
          });
          await listenAtomically(server, path);
          keeper.serve(server);
          h.server = server;
          h.keeper = keeper;
        },
      }),
    stop: () => {
      h.server?.close();
    },
  };
  harnesses.push(h);
  return h;
}

const until = async (cond: () => boolean, ms = 5_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('connection keeper', () => {
  it('answers exactly as the connection itself: bytes, stderr, exit codes, signals, stdin', async () => {
    const h = harness();
    const kept = (await h.client().open(spec()))!;
    const direct = localRunner({ name: 'node1', secrets: { env: {} } });
    const scripts = ['echo hello; echo err >&2; exit 3', "printf '\\000\\001\\377'", 'kill -9 $$', 'i=0; while [ $i -lt 5000 ]; do echo line $i; i=$((i+1)); done'];
    for (const script of scripts) {
      const [a, b] = await Promise.all([kept.run({ script }), direct.run({ script })]);
      expect({ ...a, stdout: [...a.stdout], stderr: a.stderr.toString() }).toEqual({ ...b, stdout: [...b.stdout], stderr: b.stderr.toString() });
    }
    expect((await kept.run({ script: 'cat', stdin: Buffer.from('fed\n') })).stdout.toString()).toBe('fed\n');
    // a stream larger than the socket's buffers, with backpressure both ways
    const big = Buffer.alloc(8 * 1024 * 1024, 'x');
    const r = await kept.run({ script: 'wc -c', stdin: Readable.from([big.subarray(0, 3_000_000), big.subarray(3_000_000)]) });
    expect(r.stdout.toString().trim()).toBe(String(big.length));
    expect(kept.info).toMatchObject({ name: 'node1', transport: 'ssh', hostKeyFingerprint: 'SHA256:test' });
    await kept.close();
  });

  it('one kept connection per spec, shared by runs; another user or key is another connection', async () => {
    const h = harness();
    const a = (await h.client().open(spec()))!;
    await a.close();
    const b = (await h.client().open(spec()))!;
    expect((await b.run({ script: 'echo again' })).stdout.toString()).toBe('again\n');
    expect(h.opened).toHaveLength(1);
    const c = (await h.client().open(spec({ user: 'other' })))!;
    const d = (await h.client().open(spec({ auth: { privateKeyPaths: ['/home/op/.ssh/other'] } })))!;
    expect(h.opened).toHaveLength(3);
    expect(h.keeper!.list().map((k) => [k.host, k.target, k.clients])).toEqual([
      ['node1', 'op@127.0.0.1:22', 1],
      ['node1', 'op@127.0.0.1:22', 1],
      ['node1', 'other@127.0.0.1:22', 1],
    ]);
    for (const x of [b, c, d]) await x.close();
  });

  it('the known_hosts files are named in the spec (not the keeper\'s HOME); secrets are never sent, such hosts are not kept', () => {
    const w = wireSpec(spec({ hostKey: {} }))!;
    expect(w.hostKey.knownHostsFiles?.length).toBeGreaterThan(0);
    expect(wireSpec(spec({ auth: { passwordEnv: 'PW' } }))).toBeNull();
    expect(wireSpec(spec({ bastions: [{ name: 'b', address: '10.0.0.1', user: 'op', auth: { passphraseEnv: 'PP' } }] }))).toBeNull();
    expect(specKey(wireSpec(spec())!)).not.toBe(specKey(wireSpec(spec({ hostKey: { fingerprint: 'SHA256:x', knownHostsFiles: [] } }))!));
    expect(wireSpec(spec({ auth: { agent: true }, secrets: { env: { SSH_AUTH_SOCK: '/run/agent.sock' } } }))!.auth.agent).toBe('/run/agent.sock');
  });

  it('an abort answers at once and kills the command on the host', async () => {
    const h = harness();
    const kept = (await h.client().open(spec()))!;
    const pidFile = join(dirs[0]!, 'pid');
    const ac = new AbortController();
    const p = kept.run({ script: `echo $$ > ${pidFile}; exec sleep 30`, signal: ac.signal });
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n'));
    const pid = Number(readFileSync(pidFile, 'utf8'));
    ac.abort(new Error('stop'));
    await expect(p).rejects.toMatchObject({ code: 'HOST_ABORTED' });
    await until(() => !alive(pid));
    expect((await kept.run({ script: 'echo still usable' })).exitCode).toBe(0);
    await kept.close();
  });

  it('a timeout and an output limit behave as on the connection (coded errors)', async () => {
    const h = harness();
    const kept = (await h.client().open(spec()))!;
    await expect(kept.run({ script: 'sleep 5', timeoutMs: 100 })).rejects.toMatchObject({ code: 'HOST_COMMAND_TIMEOUT', host: 'node1' });
    await expect(kept.run({ script: 'head -c 5000 /dev/zero', maxOutputBytes: 1000 })).rejects.toMatchObject({ code: 'HOST_OUTPUT_TOO_LARGE' });
    await kept.close();
  });

  it('a client that goes away mid-command: the command is killed, the connection stays kept', async () => {
    const h = harness();
    const kept = (await h.client().open(spec()))!;
    const pidFile = join(dirs[0]!, 'pid2');
    const p = kept.run({ script: `echo $$ > ${pidFile}; exec sleep 30` });
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n'));
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const settled = p.catch((e: unknown) => e);
    await kept.close();
    expect(await settled).toMatchObject({ code: 'HOST_CLOSED' });
    await until(() => !alive(pid));
    expect(h.keeper!.list()).toHaveLength(1);
    expect(h.runners[0]!.closed).toBe(false);
  });

  it('SSH failures cross with their codes and are not kept; a missing secret means "connect directly" (null)', async () => {
    const h = harness();
    h.openFailure = new HostError('SSH_AUTH_FAILED', 'node1', 'authentication refused by op@127.0.0.1:22');
    const err = await h.client().open(spec()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostError);
    expect(err).toMatchObject({ code: 'SSH_AUTH_FAILED', host: 'node1', detail: 'authentication refused by op@127.0.0.1:22' });
    expect((err as HostError).hint).toMatch(/authorized_keys/);
    h.openFailure = new HostError('SSH_SECRET_MISSING', 'node1', 'private key is encrypted');
    expect(await h.client().open(spec())).toBeNull();
    h.openFailure = undefined;
    const ok = (await h.client().open(spec()))!;
    expect(h.opened).toHaveLength(3);
    await ok.close();
  });

  it('a connection found lost is dialled again by the next run', async () => {
    const h = harness();
    await (await h.client().open(spec()))!.close();
    h.runners[0]!.lost = new HostError('SSH_DISCONNECTED', 'node1', 'the connection was lost');
    const again = (await h.client().open(spec()))!;
    expect(h.opened).toHaveLength(2);
    expect(h.runners[0]!.closed).toBe(true);
    await again.close();
  });

  it('an unused connection closes after its persist time, then the keeper exits; with nobody coming it exits too', async () => {
    const h = harness();
    const kept = (await h.client(150).open(spec()))!;
    await kept.close();
    await until(() => h.runners[0]!.closed && h.idle);
    const lonely = harness({ startGraceMs: 50 });
    await lonely.client().list(); // no keeper yet: nothing listed, nothing started
    expect(lonely.server).toBeUndefined();
    const c = lonely.client();
    await (c as unknown as { reach(): Promise<{ destroy(): void }> }).reach().then((s) => s.destroy());
    await until(() => lonely.idle);
  });

  it('SHUTDOWN closes every kept connection; a keeper that dies fails the running commands as SSH_DISCONNECTED', async () => {
    const h = harness();
    const kept = (await h.client().open(spec()))!;
    const p = kept.run({ script: 'sleep 30' }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    expect(await h.client().shutdown()).toBe(true);
    expect(await p).toMatchObject({ code: 'SSH_DISCONNECTED' });
    await until(() => h.runners[0]!.closed && h.idle);
    await expect(kept.run({ script: 'true' })).rejects.toMatchObject({ code: 'SSH_DISCONNECTED' });
  });

  it('a keeper that cannot start: SSH_KEEPER_UNAVAILABLE, and the run connects directly (said once)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scmctl-keeper-'));
    dirs.push(dir);
    const warnings: string[] = [];
    const logger = { debug: () => {}, info: () => {}, warn: (m: string) => warnings.push(m), error: () => {}, child: () => logger };
    const opts = { socketPath: keeperSocketPath(dir), persistMs: 1000, startTimeoutMs: 100, start: async () => {}, logger };
    await expect(new KeeperClient(opts).open(spec())).rejects.toBeInstanceOf(KeeperError);
    const direct: string[] = [];
    const connect = keptConnect(opts, async (s, ctx) => {
      direct.push(s.name);
      return connectHost({ transport: 'local', name: s.name, secrets: { env: {} } }, ctx);
    });
    for (const name of ['a', 'b']) await (await connect({ transport: 'ssh', ...spec({ name }) }, {})).close();
    expect(direct).toEqual(['a', 'b']);
    expect(warnings).toHaveLength(1);
  });

  it('the socket directory must be private: a group-readable or symlinked directory is refused (SSH_KEEPER_UNSAFE)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scmctl-keeper-'));
    dirs.push(dir);
    const open = join(dir, 'open');
    mkdirSync(open, { mode: 0o755 });
    chmodSync(open, 0o755);
    await expect(ensurePrivateDir(join(open, 's.sock'))).rejects.toMatchObject({ code: 'SSH_KEEPER_UNSAFE' });
    const priv = join(dir, 'priv');
    mkdirSync(priv, { mode: 0o700 });
    symlinkSync(priv, join(dir, 'link'));
    await expect(ensurePrivateDir(join(dir, 'link', 's.sock'))).rejects.toMatchObject({ code: 'SSH_KEEPER_UNSAFE' });
    await expect(ensurePrivateDir(join(priv, 's.sock'))).resolves.toBe(true);
    // a directory above that others may write into (not sticky): they could swap the socket's directory
    const shared = join(dir, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    await expect(ensurePrivateDir(join(shared, 'state', 'ssh', 's.sock'))).rejects.toMatchObject({ code: 'SSH_KEEPER_UNSAFE', message: expect.stringContaining('writable by other users') });
    // looking without creating: nothing there is "no keeper"
    await expect(ensurePrivateDir(join(dir, 'none', 'ssh', 's.sock'), { create: false })).resolves.toBe(false);
    expect(keeperSocketPath('/x'.repeat(80)).length).toBeLessThanOrEqual(100);
  });
  it('a command that does not read its input: the rest is dropped, the host\'s other commands go on', async () => {
    const h = harness();
    const kept = (await h.client().open(spec()))!;
    const endless = Readable.from((function* () {
      for (let i = 0; i < 64; i++) yield Buffer.alloc(256 * 1024, 'y');
    })());
    const [ignored, other] = await Promise.all([kept.run({ script: 'exit 4', stdin: endless }), kept.run({ script: 'sleep 0.2; echo other' })]);
    expect(ignored.exitCode).toBe(4);
    expect(other.stdout.toString()).toBe('other\n');
    expect((await kept.run({ script: 'head -c 3000000 /dev/zero | wc -c' })).stdout.toString().trim()).toBe('3000000');
    // output larger than one frame arrives whole
    expect((await kept.run({ script: 'head -c 2500000 /dev/zero' })).stdout.length).toBe(2_500_000);
    await kept.close();
  });

  it('a malformed frame cuts off that client only; the keeper serves the others', async () => {
    const h = harness();
    const kept = (await h.client().open(spec()))!;
    const { createConnection } = await import('node:net');
    const bad = createConnection(h.socketPath);
    const closed = new Promise<void>((r) => bad.on('close', () => r()));
    bad.on('error', () => undefined);
    const { encodeFrame, FRAME } = await import('../../../../src/provisioner/hosts/ssh-keeper/keeper-frames.js');
    bad.write(encodeFrame(FRAME.OPEN, 0, '{not json'));
    await closed;
    const bad2 = createConnection(h.socketPath);
    const closed2 = new Promise<void>((r) => bad2.on('close', () => r()));
    bad2.write(encodeFrame(FRAME.OPEN, 0, { protocol: 1 }));
    await closed2;
    expect((await kept.run({ script: 'echo alive' })).stdout.toString()).toBe('alive\n');
    await kept.close();
  });

  it('an idle connection is checked before it is handed out; one that does not answer is replaced', async () => {
    const h = harness({ checkIdleAfterMs: 0 });
    await (await h.client().open(spec()))!.close();
    await (await h.client().open(spec()))!.close();
    expect(h.opened).toHaveLength(1); // checked, answered, reused
    h.runners[0]!.dead = true;
    const again = (await h.client().open(spec()))!;
    expect(h.opened).toHaveLength(2);
    expect(h.runners[0]!.closed).toBe(true);
    expect((await again.run({ script: 'echo fresh' })).stdout.toString()).toBe('fresh\n');
    await again.close();
  });

  it('authentication refused where a person could answer a prompt: the run connects directly instead (null)', async () => {
    const h = harness();
    h.openFailure = new HostError('SSH_AUTH_FAILED', 'node1', 'authentication refused');
    expect(await h.client().open(spec({ secrets: { env: {}, prompt: async () => 'x' } }))).toBeNull();
    expect(wireSpec(spec({ auth: { keyboardInteractive: true } }))).toBeNull();
  });
});
