import { app, type InvocationContext, type Timer } from '@azure/functions';
import type { QueueClient } from '@azure/storage-queue';
import { STORAGE_CONNECTION, STORAGE_QUEUE } from '../events/config.js';
import { deadLetter, reportDeadLettered, type DeadLetter } from '../events/dead-letters.js';
import { eventDependencies } from '../events/dependencies.js';
import { hasStatus, queueServiceClient } from '../shared/storage-clients.js';
import { logTraceLinks, messageTraceContext } from '../shared/trace-context.js';

/**
 * Messages that failed every attempt land in `<queue>-poison`, where nothing would ever look at them. This
 * handler parks each one in the dead-letter store with its history, logs it and sends the custom event that fires
 * the `events-dead-lettered` alert; replay is a matter of re-sending the parked body.
 */
export async function storageQueuePoison(message: unknown, context: InvocationContext, deps = eventDependencies()): Promise<void> {
  const metadata = context.triggerMetadata ?? {};
  logTraceLinks(context, [messageTraceContext(message)], { source: 'storage-queue-poison' });
  const letter: DeadLetter = {
    source: 'storage-queue',
    messageId: String(metadata.id ?? context.invocationId),
    reason: 'MaxDequeueCountExceeded',
    description: `failed every attempt on queue ${STORAGE_QUEUE.name} (first inserted ${String(metadata.insertionTime ?? 'unknown')})`,
    body: message,
  };
  await deadLetter(deps.deadLetters, letter, context);
  await reportDeadLettered(deps.telemetry, [letter], context, deps.now());
}

app.storageQueue('storageQueuePoison', {
  queueName: STORAGE_QUEUE.poisonName,
  connection: STORAGE_CONNECTION,
  handler: storageQueuePoison,
});

/**
 * A message that is not base64 (a producer's queue client without base64 encoding, `az storage message put`) cannot
 * be decoded by the queue triggers, which read base64 (host.json `messageEncoding`): the host moves it untouched to
 * the poison queue without calling any function, and from there, for the same reason, to `<poison queue>-poison`,
 * which nothing reads. Every few minutes this parks each message found there in the dead-letter store as it was
 * sent, then deletes it; one custom event for the run fires the `events-dead-lettered` alert. Returns how many it parked.
 */
export async function storageQueueUndecodable(
  _timer: Timer,
  context: InvocationContext,
  deps = eventDependencies(),
  queue: QueueClient = queueServiceClient(STORAGE_CONNECTION).getQueueClient(STORAGE_QUEUE.undecodableName),
): Promise<number> {
  const parked: DeadLetter[] = [];
  try {
    for (;;) {
      let messages;
      try {
        // Out of sight for 5 minutes: a message parked but not yet deleted when this run stops is parked again, over its own letter.
        ({ receivedMessageItems: messages } = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 300 }));
      } catch (error) {
        // The host creates the queue with the first message it moves there.
        if (hasStatus(error, 404)) return parked.length;
        throw error;
      }
      if (messages.length === 0) return parked.length;
      for (const message of messages) {
        const description = `not base64, which the queue triggers read (host.json messageEncoding): the host moved it untouched to ${queue.name} (first inserted ${message.insertedOn.toISOString()})`;
        const letter: DeadLetter = { source: 'storage-queue', messageId: message.messageId, reason: 'UndecodableMessage', description, body: message.messageText };
        await deadLetter(deps.deadLetters, letter, context);
        parked.push(letter);
        await queue.deleteMessage(message.messageId, message.popReceipt);
      }
    }
  } finally {
    // One event for the run, whatever stopped it: the letters parked are reported.
    await reportDeadLettered(deps.telemetry, parked, context, deps.now());
  }
}

app.timer('storageQueueUndecodable', {
  // NCRONTAB, UTC: every 5 minutes, so the alert follows soon after the host gave up on such a message.
  schedule: '0 */5 * * * *',
  handler: (timer, context) => storageQueueUndecodable(timer, context),
});
