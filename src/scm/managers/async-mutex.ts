/** A FIFO async mutex: `run(fn)` executes fn after every earlier run settled. */
export class AsyncMutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.catch(() => {}).then(fn);
    this.tail = next;
    return next;
  }
}
