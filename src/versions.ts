/**
 * Every npm package a generated app may depend on, pinned in one place so patterns cannot drift apart.
 * Pins are the newest releases that still support Node 20 (apps target Node 22 on Azure and must also test
 * green on Node 20); several newer Azure SDK releases require Node 22.
 */
export const RUNTIME_DEPENDENCY_VERSIONS = {
  '@azure/functions': '4.16.5',
  // The exact version @azure/functions 4.16.5 depends on: both must load the same copy (one factory registry).
  '@azure/functions-extensions-base': '0.3.0',
  '@azure/identity': '4.13.1',
  '@azure/data-tables': '13.3.2',
  '@azure/storage-blob': '12.32.0',
  '@azure/storage-queue': '12.30.0',
  '@azure/keyvault-secrets': '4.11.1',
  '@azure/cosmos': '4.9.3',
  '@azure/service-bus': '7.9.5',
  '@azure/event-hubs': '6.0.4',
  '@azure/eventgrid': '5.12.0',
  '@azure/functions-extensions-servicebus': '0.2.0-preview',
  // W3C trace-context parsing for messages; core 2.x asks for an api 1.x below 1.10.
  '@opentelemetry/core': '2.12.1',
  '@opentelemetry/api': '1.9.0',
  'jose': '6.2.18',
  'zod': '4.1.12',
  'cron-parser': '5.4.0',
  'csv-parse': '6.1.0',
} as const;

/** Packages only the tests and the build use (`devDependencies`). */
export const DEV_DEPENDENCY_VERSIONS = {
  'jsonc-parser': '3.3.1',
  // http-api's tests hold responses to the OpenAPI document's JSON Schemas (draft 2020-12, as OpenAPI 3.1 uses).
  'ajv': '8.20.0',
  'typescript': '5.9.3',
  // The release vitest's vite already installs, so bundling adds nothing to `npm install`.
  'esbuild': '0.28.2',
  'vitest': '3.2.4',
  '@types/node': '22.19.1',
  'azurite': '3.35.0',
  'rimraf': '6.1.2',
} as const;

export const DEPENDENCY_VERSIONS = { ...RUNTIME_DEPENDENCY_VERSIONS, ...DEV_DEPENDENCY_VERSIONS } as const;

export type RuntimeDependencyName = keyof typeof RUNTIME_DEPENDENCY_VERSIONS;
export type DevDependencyName = keyof typeof DEV_DEPENDENCY_VERSIONS;
export type DependencyName = RuntimeDependencyName | DevDependencyName;
