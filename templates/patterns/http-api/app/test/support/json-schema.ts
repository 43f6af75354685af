import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

// OpenAPI 3.1 schemas are JSON Schema 2020-12. Formats (date-time) are not checked; OpenAPI's own keywords
// (example, discriminator) are left to the document, so strict mode is off.
const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
const compiled = new WeakMap<object, ValidateFunction>();

/**
 * How a value departs from a schema of the OpenAPI document, as `<JSON Pointer>: <reason>`; none when it validates.
 * `document` is the whole OpenAPI document, where the schema's `#/components/...` references point.
 */
export function schemaErrors(schema: Record<string, unknown>, value: unknown, document: unknown): string[] {
  let validate = compiled.get(schema);
  if (!validate) {
    // The schema becomes the root its `$ref`s resolve against, so it carries the document's components.
    validate = ajv.compile({ ...schema, components: (document as { components?: unknown }).components });
    compiled.set(schema, validate);
  }
  return validate(value) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'}: ${error.message ?? error.keyword}`);
}
