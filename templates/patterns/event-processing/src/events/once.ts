/**
 * Runs `create` on the first call and shares its promise; a failed attempt is forgotten, so a transient
 * failure (e.g. creating a table while storage throttles) is retried by the next caller instead of cached.
 */
export function onceUntilSuccess(create: () => Promise<unknown>): () => Promise<unknown> {
  let pending: Promise<unknown> | undefined;
  return () =>
    (pending ??= create().catch((error: unknown) => {
      pending = undefined;
      throw error;
    }));
}
