/**
 * The resources a compiled ARM template (the output of `bicep build`) deploys, across its nested module
 * deployments, each named by the expression its name has at the top level: a module's `parameters('x')` is
 * replaced by what its parent passed, and a loop over a literal array becomes one entry per element. Two
 * modules that each declare the same resource (two patterns creating one namespace or one queue) then show
 * up as the same type and name: Azure would get two competing PUTs of it in parallel, the last one winning.
 */

type JsonMap = Record<string, unknown>;

export interface DeclaredResource {
  type: string;
  /** The name expression, in the top-level template's terms. */
  name: string;
  /** Module path and symbolic name of the declaration, e.g. `main/dataProcessing › eventHubs`. */
  declaredAt: string;
  /** The `scope` expression of an extension resource (a role assignment's), in the same terms as `name`. */
  scope?: string;
  /** A role assignment's role definition id expression, in the same terms as `name`. */
  roleDefinitionId?: string;
}

export function declaredResources(template: JsonMap): DeclaredResource[] {
  const found: DeclaredResource[] = [];
  walk(template, (expression) => expression, 'main', found);
  return found;
}

/** Resources declared more than once, as `type name: where, where`. */
export function duplicateDeclarations(template: JsonMap): string[] {
  const byKey = new Map<string, string[]>();
  for (const resource of declaredResources(template)) {
    const key = `${resource.type.toLowerCase()} ${resource.name}`;
    byKey.set(key, [...(byKey.get(key) ?? []), resource.declaredAt]);
  }
  return [...byKey].filter(([, places]) => places.length > 1).map(([key, places]) => `${key}: ${places.join(', ')}`);
}

/** `toTop` rewrites an expression of this template (its own variables inlined) into the top-level template's terms. */
function walk(template: JsonMap, toTop: (expression: string) => string, path: string, found: DeclaredResource[]): void {
  const variables = (template.variables ?? {}) as JsonMap;
  for (const [symbol, resource] of resourcesOf(template)) {
    if (resource.existing === true) continue;
    const type = String(resource.type);
    if (type.toLowerCase() === 'microsoft.resources/deployments') {
      const properties = resource.properties as JsonMap;
      const passed = (properties.parameters ?? {}) as Record<string, { value?: unknown }>;
      // The passed values are expressions of this template: its variables inlined, then lifted to the top.
      const childToTop = (expression: string) => toTop(inlineVariables(passParameters(expression, passed), variables));
      walk(properties.template as JsonMap, childToTop, `${path}/${symbol}`, found);
      continue;
    }
    const inTopTerms = (value: unknown) => (value === undefined ? undefined : toTop(inlineVariables(asExpression(value), variables)));
    const roleDefinitionId = inTopTerms((resource.properties as JsonMap | undefined)?.roleDefinitionId);
    for (const name of expandLoop(asExpression(resource.name), variables)) {
      found.push({ type, name: toTop(inlineVariables(name, variables)), declaredAt: `${path} › ${symbol}`, scope: inTopTerms(resource.scope), roleDefinitionId });
    }
  }
}

/** Replaces `parameters('x')` with the expression the parent passed for x, in the parent's terms. */
function passParameters(expression: string, passed: Record<string, { value?: unknown }>): string {
  return expression.replace(/parameters\('([^']+)'\)/g, (whole, name: string) => {
    const value = passed[name]?.value;
    return typeof value === 'string' ? asExpression(value) : whole;
  });
}

/** Replaces `variables('x')` with x's value when that is a string, so a name reads the same whoever built it. */
function inlineVariables(expression: string, variables: JsonMap, depth = 0): string {
  if (depth > 10) return expression;
  const inlined = expression.replace(/variables\('([^']+)'\)(?!\[)/g, (whole, name: string) => {
    const value = variables[name];
    return typeof value === 'string' ? asExpression(value) : whole;
  });
  return inlined === expression ? expression : inlineVariables(inlined, variables, depth + 1);
}

/** An ARM string value as an expression: `[expr]` unwrapped, a literal quoted. */
function asExpression(value: unknown): string {
  const text = String(value);
  return text.startsWith('[') && !text.startsWith('[[') ? text.slice(1, -1) : `'${text.replace(/'/g, "''")}'`;
}

/** A name indexed by `variables('list')[copyIndex()]` over a literal array: one name per element. */
function expandLoop(name: string, variables: JsonMap): string[] {
  const loop = /variables\('([^']+)'\)\[copyIndex\(\)\]/.exec(name);
  const items = loop ? variables[loop[1]!] : undefined;
  if (!loop || !Array.isArray(items) || !items.every((item) => typeof item === 'string' && !item.startsWith('['))) return [name];
  return items.map((item) => name.replace(loop[0], asExpression(item)));
}

function resourcesOf(template: JsonMap): [string, JsonMap][] {
  const resources = template.resources;
  if (Array.isArray(resources)) return resources.map((resource, index) => [String(index), resource as JsonMap]);
  return Object.entries((resources ?? {}) as Record<string, JsonMap>);
}
