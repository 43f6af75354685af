/**
 * The ids of the lines an input has persisted so far, so that a line repeating one is quarantined: the destination
 * keeps one record per id, so a repeat would replace the earlier line unseen and be counted twice. Memory must not
 * grow with the input (a file can hold millions of lines): the ids are kept in two generations of `capacity`, so at
 * least the last `capacity` lines are remembered, and a repeat further apart than that replaces the earlier line.
 */
export class RecentLineIds {
  private current = new Map<string, number>();
  private previous = new Map<string, number>();

  constructor(private readonly capacity: number) {}

  /** Claims `id` for this line; if an earlier line still remembered holds it, returns that line's record number instead. */
  claim(id: string, recordNumber: number): number | undefined {
    const earlier = this.current.get(id) ?? this.previous.get(id);
    if (earlier !== undefined) return earlier;
    if (this.current.size >= this.capacity) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(id, recordNumber);
    return undefined;
  }
}
