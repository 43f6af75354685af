import validateNpmName from 'validate-npm-package-name';
import { ValidationError } from '../exit-codes.js';

/** Longest project name we accept: keeps derived Azure names (function app ≤ 60) and paths readable. */
export const MAX_PROJECT_NAME_LENGTH = 40;
/** The part of the project name that goes into Azure resource names, before `-<uniqueString>`. */
export const MAX_SLUG_LENGTH = 24;

/**
 * Words Azure refuses anywhere in the name of a resource with a public endpoint (ReservedResourceName), which the
 * function app (`func-<slug>-<token>`, on azurewebsites.net) is: such an app generated and tested green, and failed
 * at its first `azd up`.
 */
const RESERVED_IN_AZURE_NAMES = ['microsoft', 'windows'] as const;

/**
 * A project name is both an npm package name and the seed of Azure resource names, so it must satisfy
 * both: lowercase letters, digits and single hyphens, starting with a letter.
 */
export function parseProjectName(input: unknown): string {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new ValidationError('project name must not be empty');
  }
  const name = input;
  if (name.length > MAX_PROJECT_NAME_LENGTH) {
    throw new ValidationError(`project name "${shown(name)}" is ${name.length} characters; the limit is ${MAX_PROJECT_NAME_LENGTH}`);
  }
  if (!/^[a-z][a-z0-9-]*$/.test(name) || name.includes('--') || name.endsWith('-')) {
    throw new ValidationError(
      `project name "${shown(name)}" is invalid: use lowercase letters, digits and single hyphens, starting with a letter (e.g. orders-api)`,
    );
  }
  // The name is the project folder's too, and Windows has no folder of these names: the repository would not clone there.
  if (isWindowsDeviceName(name)) {
    throw new ValidationError(`project name "${name}" is a device name on Windows, where no folder can have it; choose another name`);
  }
  const reserved = RESERVED_IN_AZURE_NAMES.find((word) => azureSlug(name).includes(word));
  if (reserved) {
    throw new ValidationError(
      `project name "${name}" contains "${reserved}", which Azure refuses in resource names (ReservedResourceName): the function app would be func-${azureSlug(name)}-…; choose another name`,
    );
  }
  const npm = validateNpmName(name);
  if (!npm.validForNewPackages) {
    const reasons = [...(npm.errors ?? []), ...(npm.warnings ?? [])].join('; ');
    throw new ValidationError(`project name "${name}" is not a valid npm package name: ${reasons}`);
  }
  return name;
}

/**
 * Names Windows keeps for devices, with or without an extension: no file or folder there has one, and Git for Windows
 * refuses to check out a path holding one (`src/functions/con.ts` too).
 */
export function isWindowsDeviceName(name: string): boolean {
  return /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/.test(name);
}

/** The name as it appears in Azure resource names, e.g. `func-<slug>-<token>`. */
export function azureSlug(projectName: string): string {
  return projectName.slice(0, MAX_SLUG_LENGTH).replace(/-+$/, '');
}

/** Keeps error messages on one line and free of terminal control characters. */
export function shown(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}
