/** An entity tag (RFC 9110 §8.8.3): `"opaque"`, or `W/"opaque"` when weak. */
interface EntityTag {
  weak: boolean;
  opaque: string;
}

const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/;

function entityTag(text: string): EntityTag | undefined {
  const match = ENTITY_TAG.exec(text.trim());
  return match ? { weak: match[1] !== undefined, opaque: match[2]! } : undefined;
}

/**
 * The tags an If-Match or If-None-Match field lists, or `*`. A tag may itself hold commas, so the list is
 * read tag by tag rather than split; anything unreadable is dropped, and so matches nothing.
 */
function listedTags(field: string): EntityTag[] | '*' {
  if (field.trim() === '*') return '*';
  return [...field.matchAll(/(?:W\/)?"[^"]*"/g)].flatMap(([text]) => entityTag(text) ?? []);
}

/**
 * If-Match (RFC 9110 §13.1.1): `*` matches the current item, else one listed tag must match its ETag by the
 * strong comparison, so a weak tag never matches and the write is refused with 412.
 */
export function ifMatchHolds(field: string, currentEtag: string): boolean {
  const tags = listedTags(field);
  if (tags === '*') return true;
  const current = entityTag(currentEtag);
  return current !== undefined && !current.weak && tags.some((tag) => !tag.weak && tag.opaque === current.opaque);
}

/**
 * If-None-Match (RFC 9110 §13.1.2): false when `*` or a listed tag matches the current ETag by the weak
 * comparison (W/ ignored), so a GET answers 304 Not Modified instead of sending the item again.
 */
export function ifNoneMatchHolds(field: string, currentEtag: string): boolean {
  const tags = listedTags(field);
  if (tags === '*') return false;
  const current = entityTag(currentEtag);
  return !tags.some((tag) => tag.opaque === current?.opaque);
}
