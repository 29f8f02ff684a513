import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { onBrokenPipe } from '../../src/common/broken-pipe.js';

const errno = (code: string): Error => Object.assign(new Error(`write ${code}`), { code });

describe('onBrokenPipe', () => {
  it('handles EPIPE, every time it comes', () => {
    const s = new EventEmitter();
    let calls = 0;
    onBrokenPipe(s, () => calls++);
    s.emit('error', errno('EPIPE'));
    s.emit('error', errno('EPIPE'));
    expect(calls).toBe(2);
  });

  it('throws any other stream error again, as if nobody listened', () => {
    const s = new EventEmitter();
    onBrokenPipe(s, () => undefined);
    expect(() => s.emit('error', errno('EIO'))).toThrow('write EIO');
  });
});
