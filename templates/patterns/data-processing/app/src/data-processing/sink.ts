import type { EnrichedOrderRecord } from './records.js';
import type { InputSource } from './status.js';

/** The persist stage's destination, opened once per input. */
export interface RecordSink {
  write(record: EnrichedOrderRecord): Promise<void>;
  /** Writes whatever is buffered and returns how many records were persisted for this input. */
  close(): Promise<number>;
}

export interface RecordDestination {
  open(input: { source: InputSource; inputId: string }): RecordSink;
}
