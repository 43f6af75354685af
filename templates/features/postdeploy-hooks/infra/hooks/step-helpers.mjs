// What the postdeploy runner and its steps share.

/** A failure whose message tells the user all they need: the runner prints it alone, without a stack trace. */
export class PostdeployError extends Error {}

/**
 * The values of the named variables, refusing a missing or empty one: azd sets them when it runs the hook
 * (it exports the outputs of infra/main.bicep).
 * @template {string} Name
 * @param {NodeJS.ProcessEnv} env
 * @param {Name[]} names
 * @returns {Record<Name, string>}
 */
export function requireVariables(env, names) {
  const values = /** @type {Record<Name, string>} */ ({});
  for (const name of names) {
    const value = env[name];
    if (!value) throw new PostdeployError(`${name}: run through azd: azd up or azd deploy`);
    values[name] = value;
  }
  return values;
}

/**
 * The name of the one resource of a type in the resource group: infra/main.bicep creates exactly one of each
 * type a step looks up.
 * @param {(args: string[]) => string} az
 * @param {string[]} scope `--subscription` and `--resource-group` with their values
 * @param {string} resourceType
 */
export function resourceName(az, scope, resourceType) {
  return az(['resource', 'list', ...scope, '--resource-type', resourceType, '--query', '[0].name', '--output', 'tsv']);
}
