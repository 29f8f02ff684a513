/**
 * Network partitions between loopback addresses with iptables (real packet drops, both directions). Every
 * rule is tracked and removed by `heal()`; `heal()` in afterAll leaves the host as it was even after a
 * failed test. Needs root and iptables (.ci/run installs it); fails loudly otherwise.
 */
import { execFileSync } from 'node:child_process';

export class Partitions {
  private readonly rules: string[][] = [];

  /** Drops every packet between `a` and each of `others`, both ways. */
  isolate(a: string, others: readonly string[]): void {
    for (const b of others) {
      for (const [src, dst] of [
        [a, b],
        [b, a],
      ]) {
        const rule = ['INPUT', '-s', src!, '-d', dst!, '-j', 'DROP'];
        execFileSync('iptables', ['-w', '-I', ...rule], { stdio: 'pipe' });
        this.rules.push(rule);
      }
    }
  }

  heal(): void {
    for (const rule of this.rules.splice(0)) {
      try {
        execFileSync('iptables', ['-w', '-D', ...rule], { stdio: 'pipe' });
      } catch {
        // already gone
      }
    }
  }
}
