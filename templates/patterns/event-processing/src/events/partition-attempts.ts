import type { TableClient } from '@azure/data-tables';
import { ensureTable, entityOrUndefined } from '../shared/storage-clients.js';

/** What an attempt at a batch learns from the attempts before it. */
export interface BatchAttempt {
  /** How many attempts the batch has had, this one included. */
  attempt: number;
  /** The message a last attempt before this one was processing when it stopped (its host died or timed out there). */
  stoppedIn?: string;
}

/**
 * Attempts at the batch each Event Hubs partition is on, kept in storage. The host keeps its retry count in memory
 * and starts it again after a restart (a deployment, a scale-in, a crash, an invocation timed out): counted there, an
 * event that keeps failing, or that takes its host down, would hold its partition for good. A batch retried or
 * delivered again after a restart starts at the same event (the partition's checkpoint), which names it here.
 */
export interface PartitionAttempts {
  /** Counts an attempt at the batch of `partition` that starts at message `first`. */
  start(partition: string, first: string): Promise<BatchAttempt>;
  /** Records, on a last attempt, the message about to be processed: if the attempt stops in it, the next one parks it. */
  processing(partition: string, messageId: string): Promise<void>;
  /** Records that an attempt ended, returning or failing: it stopped in no message, and the next one parks none for it. */
  ended(partition: string): Promise<void>;
}

interface AttemptRow {
  first: string;
  attempts: number;
  processing?: string;
}

/**
 * One row per partition (the host reads one partition in one place at a time), replaced when the partition moves on
 * to the next batch: the table never grows past the partition count.
 */
// Infra creates the table in Azure; creating it on first use keeps local runs against Azurite working.
export class TablePartitionAttempts implements PartitionAttempts {
  /** The hub and consumer group whose partitions these are (`:` is in neither name): another reader of the hub counts its own. */
  private readonly reader: string;

  constructor(
    private readonly table: TableClient,
    { eventHubName, consumerGroup }: { eventHubName: string; consumerGroup: string },
  ) {
    this.reader = `${eventHubName}:${consumerGroup}`;
  }

  async start(partition: string, first: string): Promise<BatchAttempt> {
    await ensureTable(this.table);
    const row = await entityOrUndefined<AttemptRow>(this.table, this.reader, partition);
    const attempt = row?.first === first ? row.attempts + 1 : 1;
    const stoppedIn = (attempt > 1 && row?.processing) || undefined;
    await this.table.upsertEntity<AttemptRow>({ partitionKey: this.reader, rowKey: partition, first, attempts: attempt, processing: stoppedIn }, 'Replace');
    return { attempt, stoppedIn };
  }

  async processing(partition: string, messageId: string): Promise<void> {
    await this.table.upsertEntity<Pick<AttemptRow, 'processing'>>({ partitionKey: this.reader, rowKey: partition, processing: messageId }, 'Merge');
  }

  async ended(partition: string): Promise<void> {
    // A merge keeps a property it is not given: no message is an empty one.
    await this.processing(partition, '');
  }
}
