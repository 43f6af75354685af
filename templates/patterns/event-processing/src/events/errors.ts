/**
 * A failure that retrying cannot fix: the event breaks the contract (not a CloudEvent, a missing field). It is
 * dead-lettered with its reason instead of retried. Every other error counts as transient and is rethrown,
 * so the platform redelivers the event.
 */
export class PermanentError extends Error {
  constructor(
    message: string,
    /** Short machine-readable reason stored with the dead letter, e.g. `InvalidEvent`. */
    readonly reason = 'InvalidEvent',
  ) {
    super(message);
    this.name = 'PermanentError';
  }
}
