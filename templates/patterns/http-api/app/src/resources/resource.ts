import { z } from 'zod';

/** Ids are URL path segments and Table Storage keys: no `/ \ # ?`, no control characters, no surprises. */
export const itemId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'use 1–64 letters, digits, underscores or hyphens');

/**
 * Text people read, such as a description: at most `max` characters as sent, then trimmed, and only what every client can show
 * and store: no control characters (a NUL or an escape sequence breaks CSV exports, logs and terminals;
 * `multiline` lets tabs and line breaks through) and no unpaired surrogate halves (not Unicode at all: storage
 * and clients would each replace them differently).
 */
export function textField(max: number, { multiline = false } = {}) {
  const control = multiline ? /(?![\t\n\r])\p{Cc}/u : /\p{Cc}/u;
  return z
    .string()
    // Characters as JSON Schema's maxLength counts them, in the OpenAPI document: zod's max counts UTF-16 units, so an emoji twice.
    // Counted before trimming, as the document's maxLength counts what the client sends: `max` characters and a trailing space are refused.
    .refine((value) => [...value].length <= max, `must hold at most ${max} characters`)
    .trim()
    .refine((value) => !/\p{Cs}/u.test(value), 'must be valid Unicode: it holds half of a surrogate pair')
    .refine((value) => !control.test(value), multiline ? 'must not hold control characters other than tabs and line breaks' : 'must not hold control characters, tabs or line breaks')
    .meta({ maxLength: max });
}

/** Text that names something: one line, and at least one visible character (spaces or zero-width ones alone are no name). */
export function nameField(max: number) {
  return textField(max)
    .min(1, { abort: true }) // an empty name gets one message, not also "must hold a visible character"
    .refine((value) => /[^\p{White_Space}\p{Cf}]/u.test(value), 'must hold a visible character')
    .meta({ maxLength: max }); // a derived schema does not keep its base's metadata
}

/** What the API knows about one resource: its route, its storage, its fields and the scopes guarding it. */
export interface ResourceDefinition<Fields extends z.ZodObject = z.ZodObject> {
  /** Route segment, e.g. `orders` → /api/orders and /api/orders/{id}. */
  name: string;
  /** Name of one item in the OpenAPI document and in messages, e.g. `Order`. */
  itemName: string;
  /** Table Storage table holding the items. */
  table: string;
  /** The fields a client writes; server-owned fields (id, timestamps) are added around them. */
  fields: Fields;
  /** Entra ID scopes (or app roles) a caller needs, when the API uses bearer tokens. */
  scopes: { read: string; write: string };
}

/** The members the server writes around the client's fields in every representation of an item. */
const SERVER_OWNED = ['id', 'createdAt', 'updatedAt'];

/**
 * Checks the fields leave the server-owned members alone: a field named `id` would be taken from the body as the new
 * item's id and then stored without it, and on PUT answer with the body's id in place of the item's.
 */
export function defineResource<Fields extends z.ZodObject>(definition: ResourceDefinition<Fields>): ResourceDefinition<Fields> {
  const clashing = SERVER_OWNED.filter((member) => Object.hasOwn(definition.fields.shape, member));
  if (clashing.length > 0) {
    throw new Error(`${definition.itemName}: ${clashing.join(', ')} ${clashing.length > 1 ? 'are' : 'is'} set by the server; give the field another name`);
  }
  return definition;
}

/** Server-written ISO 8601 timestamps: documented as date-time, never parsed from a client. */
const timestamp = z.string().meta({ format: 'date-time', readOnly: true });

/** An item as the API represents it (for the OpenAPI document): the client's fields framed by the server-owned ones. */
export function itemSchema(resource: ResourceDefinition) {
  return z.object({ id: itemId, ...resource.fields.shape, createdAt: timestamp, updatedAt: timestamp });
}

/** POST accepts an optional client-chosen id (an idempotent create: a second POST gets 409). */
export function createSchema(resource: ResourceDefinition) {
  return resource.fields.extend({ id: itemId.optional() });
}
