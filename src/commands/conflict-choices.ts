/**
 * How to settle a file the user edited where the new version changes it too: keep the user's, take the
 * new version, or write the new version beside it as `<file>.new`. Its own module: the CLI loads it at start.
 */
export const CONFLICT_CHOICES = ['keep', 'theirs', 'new'] as const;
export type ConflictChoice = (typeof CONFLICT_CHOICES)[number];
