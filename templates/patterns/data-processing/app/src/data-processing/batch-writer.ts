/**
 * Collects items and hands them to `writeBatch` in batches of `size`, awaiting each write before accepting
 * more: memory holds at most one batch, and a slow destination slows the reader down (backpressure).
 */
export class BatchWriter<T> {
  private buffer: T[] = [];
  private written = 0;

  constructor(
    private readonly size: number,
    private readonly writeBatch: (items: T[]) => Promise<void>,
  ) {}

  async add(item: T): Promise<void> {
    this.buffer.push(item);
    if (this.buffer.length >= this.size) await this.flush();
  }

  /** Writes what is buffered; returns how many items were written in total. */
  async flush(): Promise<number> {
    if (this.buffer.length > 0) {
      const batch = this.buffer;
      this.buffer = [];
      await this.writeBatch(batch);
      this.written += batch.length;
    }
    return this.written;
  }
}
