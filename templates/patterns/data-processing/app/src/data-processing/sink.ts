import type { EnrichedOrderRecord } from './records.js';
import type { InputSource } from './status.js';

/** The persist stage's destination, opened once per input. */
export interface RecordSink {
  write(record: EnrichedOrderRecord): Promise<void>;
  /** Writes whatever is buffered and returns how many records were persisted for this input. */
  close(): Promise<number>;
  /**
   * How many records have reached the destination so far: after a failure, what is there to clean up or for a
   * replay to rewrite (a destination that writes in batches as it goes keeps those; a blob, committed at the end, none).
   */
  persisted(): number;
}

/** Which input, and which version of it, a sink persists the records of. */
export interface SinkInput {
  source: InputSource;
  inputId: string;
  /** A blob's ETag; a message or an event, which never changes, has its id as its version. */
  version: string;
}

export interface RecordDestination {
  open(input: SinkInput): RecordSink;
}
