/**
 * The leader's window of in-flight AppendEntries to one follower (flow control in replicate state).
 * Each entry is the last log index carried by one message; `freeLE` releases messages the follower has
 * acknowledged. The window is full at `capacity` messages or `maxBytes` payload bytes.
 */
export class Inflights {
  private readonly indexes: number[] = [];
  private readonly sizes: number[] = [];
  private bytes = 0;

  constructor(
    readonly capacity: number,
    readonly maxBytes: number = Number.POSITIVE_INFINITY,
  ) {}

  add(lastIndex: number, bytes: number): void {
    this.indexes.push(lastIndex);
    this.sizes.push(bytes);
    this.bytes += bytes;
  }

  /** Frees every in-flight message whose last index is ≤ `index`. */
  freeLE(index: number): void {
    let n = 0;
    while (n < this.indexes.length && this.indexes[n]! <= index) {
      this.bytes -= this.sizes[n]!;
      n++;
    }
    if (n > 0) {
      this.indexes.splice(0, n);
      this.sizes.splice(0, n);
    }
  }

  freeFirstOne(): void {
    if (this.indexes.length === 0) return;
    this.bytes -= this.sizes[0]!;
    this.indexes.shift();
    this.sizes.shift();
  }

  full(): boolean {
    return this.indexes.length >= this.capacity || this.bytes >= this.maxBytes;
  }

  count(): number {
    return this.indexes.length;
  }

  reset(): void {
    this.indexes.length = 0;
    this.sizes.length = 0;
    this.bytes = 0;
  }
}
