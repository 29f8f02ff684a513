/**
 * Reading a topology file (YAML, or an ozone-site.xml to import) with a size limit, before anything parses
 * it: a topology is a few kilobytes, so a file of megabytes is the wrong file or an attack on the parsers.
 *
 * Contract: the file is opened once; its size is taken from that handle (fstat) and a file over
 * TOPOLOGY_MAX_BYTES is refused without reading it. The read itself also stops after TOPOLOGY_MAX_BYTES + 1
 * bytes, so a file that grows after the check, or a pipe/FIFO whose size fstat cannot tell, is refused the
 * same way and never held in memory whole. Never throws: failures are returned.
 */
import { open } from 'node:fs/promises';

/** 4 MiB: about a thousand times a large real topology, small enough to parse in well under a second. */
export const TOPOLOGY_MAX_BYTES = 4 * 1024 * 1024;

export type TopologyFileRead =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: 'too-large'; /** bytes, or a lower bound when the read stopped */ readonly size: number }
  | { readonly ok: false; readonly reason: 'unreadable'; /** errno code, e.g. ENOENT */ readonly code: string };

export async function readTopologyFile(path: string, limit = TOPOLOGY_MAX_BYTES): Promise<TopologyFileRead> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    return { ok: false, reason: 'unreadable', code: (err as NodeJS.ErrnoException).code ?? String(err) };
  }
  try {
    const st = await handle.stat();
    if (st.isDirectory()) return { ok: false, reason: 'unreadable', code: 'EISDIR' };
    if (st.size > limit) return { ok: false, reason: 'too-large', size: st.size };
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.alloc(Math.min(64 * 1024, limit + 1 - total));
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
      if (total > limit) return { ok: false, reason: 'too-large', size: Math.max(total, st.size) };
    }
    return { ok: true, text: Buffer.concat(chunks, total).toString('utf8') };
  } catch (err) {
    return { ok: false, reason: 'unreadable', code: (err as NodeJS.ErrnoException).code ?? String(err) };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** `4194304 bytes (4.0 MiB)` */
export function formatSize(bytes: number): string {
  return `${bytes} bytes (${(bytes / 1048576).toFixed(1)} MiB)`;
}
