import type { EnrichedOrderRecord } from './records.js';
import type { InputSource } from './status.js';

/** The persist stage's destination, opened once per input. */
export interface RecordSink {
  write(record: EnrichedOrderRecord): Promise<void>;
  /** Writes whatever is buffered and returns how many records were persisted for this input. */
  close(): Promise<number>;
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
