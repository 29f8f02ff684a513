/**
 * Log lines about hostile or broken peers (bad frames, refused connections, denied calls) at most once per
 * interval per key: a flood of bad input cannot turn into a flood of log lines. The first line of a burst
 * is written at once; the count of the lines held back goes with the next one (`suppressed`).
 */
import type { Logger } from '../../common/logger.js';

export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  warn(key: string, message: string, fields: Record<string, unknown> = {}): void {
    this.write('warn', key, message, fields);
  }

  info(key: string, message: string, fields: Record<string, unknown> = {}): void {
    this.write('info', key, message, fields);
  }

  private write(level: 'warn' | 'info', key: string, message: string, fields: Record<string, unknown>): void {
    const now = this.now();
    const seen = this.last.get(key);
    if (seen && now - seen.at < this.intervalMs) {
      seen.suppressed++;
      return;
    }
    if (this.last.size > 1000) this.last.clear(); // keys carry no addresses, but stay bounded anyway
    this.last.set(key, { at: now, suppressed: 0 });
    this.logger[level](message, seen && seen.suppressed > 0 ? { ...fields, suppressed: seen.suppressed } : fields);
  }
}
