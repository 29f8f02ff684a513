/**
 * Listening TCP sockets from /proc/net/tcp and /proc/net/tcp6, pure. Addresses there are hex in host byte
 * order per 32-bit word (little-endian on x86_64 and aarch64, the platforms scmctl supports).
 */
export interface Listener {
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
}

const LISTEN = '0A';

function v4(hex: string): string {
  const n = Number.parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}

function v6(hex: string): string {
  const groups: string[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    // each 32-bit word is little-endian: reverse its bytes
    const bytes = word.match(/../g)!.reverse().join('');
    groups.push(bytes.slice(0, 4), bytes.slice(4, 8));
  }
  const full = groups.map((g) => g.replace(/^0+(?=.)/, '').toLowerCase());
  const mapped = full.slice(0, 5).every((g) => g === '0') && full[5] === 'ffff';
  if (mapped) {
    const a = Number.parseInt(groups[6]!, 16);
    const b = Number.parseInt(groups[7]!, 16);
    return `::ffff:${a >> 8}.${a & 0xff}.${b >> 8}.${b & 0xff}`;
  }
  return compress(full);
}

/** RFC 5952 text form: the longest run of two or more zero groups becomes `::`. */
function compress(groups: readonly string[]): string {
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

export function parseProcNetTcp(text: string, family: 4 | 6): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || f[3] !== LISTEN) continue;
    const [addr, port] = f[1]!.split(':');
    if (!addr || !port) continue;
    out.push({ address: family === 4 ? v4(addr) : v6(addr), port: Number.parseInt(port, 16), family });
  }
  return out;
}

/** Listeners that would make binding `address:port` fail (same address, or a wildcard covering it). */
export function conflictingListeners(listeners: readonly Listener[], addresses: readonly string[], port: number): Listener[] {
  const wanted = new Set(addresses.map((a) => a.toLowerCase()));
  const anyV4 = addresses.some((a) => a.includes('.'));
  return listeners.filter((l) => {
    if (l.port !== port) return false;
    if (wanted.has(l.address)) return true;
    if (l.address === '0.0.0.0' && anyV4) return true;
    if (l.address === '::') return true; // dual-stack wildcard covers IPv4 too unless V6ONLY (not visible here)
    if (l.address.startsWith('::ffff:') && wanted.has(l.address.slice(7))) return true;
    return false;
  });
}
