import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { connectTickCorked, corkEachTick } from '../../../src/provisioner/hosts/tick-corked-socket.js';

/** A sink that records how the stream hands it data: one entry per _write/_writev call. */
function recordingSink(): { sink: Writable; calls: string[][] } {
  const calls: string[][] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      calls.push([chunk.toString()]);
      cb();
    },
    writev(chunks, cb) {
      calls.push(chunks.map((c) => (c.chunk as Buffer).toString()));
      cb();
    },
  });
  return { sink, calls };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('corkEachTick', () => {
  it('hands the writes of one tick to the stream in one writev, in order', async () => {
    const { sink, calls } = recordingSink();
    corkEachTick(sink);
    sink.write('a');
    sink.write('b');
    sink.write('c');
    expect(calls).toEqual([]);
    await tick();
    expect(calls).toEqual([['a', 'b', 'c']]);
  });

  it('corks each later tick anew and passes callbacks through', async () => {
    const { sink, calls } = recordingSink();
    corkEachTick(sink);
    const done: string[] = [];
    sink.write('1', () => done.push('1'));
    await tick();
    sink.write('2', 'utf8', () => done.push('2'));
    sink.write('3');
    await tick();
    sink.write('4');
    await tick();
    expect(calls).toEqual([['1'], ['2', '3'], ['4']]);
    expect(done).toEqual(['1', '2']);
  });

  it('leaves end() flushing what was written in the same tick', async () => {
    const { sink, calls } = recordingSink();
    corkEachTick(sink);
    sink.write('x');
    sink.end('y');
    await once(sink, 'finish');
    expect(calls.flat()).toEqual(['x', 'y']);
  });
});

describe('connectTickCorked', () => {
  it('connects to a real listener on loopback and delivers the bytes in order', async () => {
    const server = createServer();
    const received: Buffer[] = [];
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const sock = connectTickCorked('127.0.0.1', port);
    await once(sock, 'connect');
    const peer = await accepted;
    peer.on('data', (b: Buffer) => received.push(b));
    sock.write('one,');
    sock.write('two,');
    sock.end('three');
    await once(peer, 'end');
    expect(Buffer.concat(received).toString()).toBe('one,two,three');
    server.close();
  });

  it('reports a refused connection as the socket error ssh2 maps', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    const sock = connectTickCorked('127.0.0.1', port);
    const [err] = (await once(sock, 'error')) as [NodeJS.ErrnoException];
    expect(err.code).toBe('ECONNREFUSED');
  });
});
