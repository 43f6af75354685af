export interface RetryOptions {
  attempts: number;
  /** Each attempt is aborted after this long. */
  timeoutMs: number;
  /** Delay before the second attempt; doubles after each failure. */
  baseDelayMs: number;
}

/**
 * Runs `operation` until it succeeds, at most `attempts` times. Every attempt gets its own abort signal with
 * the timeout, so a hung dependency costs one timeout, not the whole invocation.
 */
export async function withRetry<T>(operation: (signal: AbortSignal) => Promise<T>, options: RetryOptions): Promise<T> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    const signal = AbortSignal.timeout(options.timeoutMs);
    try {
      return await Promise.race([operation(signal), rejectOnAbort(signal, options.timeoutMs)]);
    } catch (error) {
      lastError = error;
      if (attempt < options.attempts) await sleep(options.baseDelayMs * 2 ** (attempt - 1));
    }
  }
  throw new Error(`gave up after ${options.attempts} attempts: ${errorMessage(lastError)}`, { cause: lastError });
}

/** Enforces the timeout even when the operation ignores its signal. */
function rejectOnAbort(signal: AbortSignal, timeoutMs: number): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(new Error(`timed out after ${timeoutMs} ms`)), { once: true });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
