/**
 * Checks a value against the JSON Schema subset the OpenAPI document uses (what zod's toJSONSchema writes, plus
 * local `$ref`s), so tests can hold a response body to its declared schema without another dependency.
 * Returns the failures as `<JSON Pointer>: <reason>`; `format`, `readOnly` and descriptions are not checked.
 */
export function schemaErrors(schema: Record<string, unknown>, value: unknown, root: unknown, at = ''): string[] {
  if (typeof schema.$ref === 'string') return schemaErrors(resolve(root, schema.$ref), value, root, at);
  const fail = (reason: string) => [`${at || '/'}: ${reason}`];
  if (Array.isArray(schema.anyOf)) {
    const matches = (schema.anyOf as Record<string, unknown>[]).some((option) => schemaErrors(option, value, root, at).length === 0);
    return matches ? [] : fail(`matches none of anyOf`);
  }
  if ('const' in schema && value !== schema.const) return fail(`is not ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return fail(`is not one of ${JSON.stringify(schema.enum)}`);
  if (schema.type !== undefined && !typeOf(value, schema.type as string)) return fail(`is not of type ${String(schema.type)}`);

  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof schema.minLength === 'number' && length < schema.minLength) return fail(`is shorter than ${schema.minLength}`);
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) return fail(`is longer than ${schema.maxLength}`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) return fail(`does not match ${schema.pattern}`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) return fail(`is below ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) return fail(`is above ${schema.maximum}`);
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    return value.flatMap((item, index) => schemaErrors(schema.items as Record<string, unknown>, item, root, `${at}/${index}`));
  }
  if (typeOf(value, 'object')) {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    const missing = ((schema.required ?? []) as string[]).filter((name) => !Object.hasOwn(object, name));
    const extra = schema.additionalProperties === false ? Object.keys(object).filter((name) => !Object.hasOwn(properties, name)) : [];
    return [
      ...missing.map((name) => `${at}/${name}: is required`),
      ...extra.map((name) => `${at}/${name}: is not allowed`),
      ...Object.entries(properties).flatMap(([name, property]) => (Object.hasOwn(object, name) ? schemaErrors(property, object[name], root, `${at}/${name}`) : [])),
    ];
  }
  return [];
}

function typeOf(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'null':
      return value === null;
    default:
      return typeof value === type;
  }
}

function resolve(root: unknown, ref: string): Record<string, unknown> {
  const target = ref.slice(2).split('/').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
  if (target === undefined) throw new Error(`unresolvable $ref ${ref}`);
  return target as Record<string, unknown>;
}
