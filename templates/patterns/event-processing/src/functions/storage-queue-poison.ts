import { app, type InvocationContext } from '@azure/functions';
import { STORAGE_CONNECTION, STORAGE_QUEUE } from '../events/config.js';
import { deadLetter } from '../events/dead-letters.js';
import { eventDependencies } from '../events/dependencies.js';
import { logTraceLinks, messageTraceContext } from '../shared/trace-context.js';

/**
 * Messages that failed every attempt land in `<queue>-poison`, where nothing would ever look at them. This
 * handler parks each one in the dead-letter store with its history and logs it, which fires the
 * `events-dead-lettered` alert; replay is a matter of re-sending the parked body.
 */
export async function storageQueuePoison(message: unknown, context: InvocationContext, deps = eventDependencies()): Promise<void> {
  const metadata = context.triggerMetadata ?? {};
  logTraceLinks(context, [messageTraceContext(message)], { source: 'storage-queue-poison' });
  await deadLetter(
    deps.deadLetters,
    {
      source: 'storage-queue',
      messageId: String(metadata.id ?? context.invocationId),
      reason: 'MaxDequeueCountExceeded',
      description: `failed every attempt on queue ${STORAGE_QUEUE.name} (first inserted ${String(metadata.insertionTime ?? 'unknown')})`,
      body: message,
    },
    context,
  );
}

app.storageQueue('storageQueuePoison', {
  queueName: STORAGE_QUEUE.poisonName,
  connection: STORAGE_CONNECTION,
  handler: storageQueuePoison,
});
