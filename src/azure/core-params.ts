import type { CoreParam } from '../patterns/types.js';

/** Bicep code produced by the generator itself (never from user text), allowed through `{{trusted}}`. */
export interface TrustedBicep {
  kind: 'trusted-bicep';
  code: string;
}

export function trustedBicep(code: string): TrustedBicep {
  return { kind: 'trusted-bicep', code };
}

/** How main.bicep spells each shared value, and the core module a pattern module must then wait for. */
export const CORE_PARAM_BINDINGS: Record<CoreParam, { value: TrustedBicep; dependsOn?: string }> = {
  location: { value: trustedBicep('location') },
  tags: { value: trustedBicep('tags') },
  // Not "resourceToken" in modules: PSRule's Azure.Deployment.SecureParameter reads any *token* parameter as a secret.
  uniqueSuffix: { value: trustedBicep('resourceToken') },
  identityName: { value: trustedBicep('identityName'), dependsOn: 'identity' },
  storageAccountName: { value: trustedBicep('storageAccountName'), dependsOn: 'storage' },
  keyVaultName: { value: trustedBicep('keyVaultName'), dependsOn: 'keyVault' },
  functionAppName: { value: trustedBicep('functionAppName'), dependsOn: 'functionApp' },
  // An output reference: Bicep infers the dependency, and an explicit one would fail the linter.
  functionAppHostName: { value: trustedBicep('functionApp.outputs.defaultHostName') },
  applicationInsightsName: { value: trustedBicep('applicationInsightsName'), dependsOn: 'monitoring' },
  logAnalyticsWorkspaceName: { value: trustedBicep('logAnalyticsWorkspaceName'), dependsOn: 'monitoring' },
  actionGroupName: { value: trustedBicep('actionGroupName'), dependsOn: 'monitoring' },
};

/** Explicit dependsOn entries of a module: core modules it reaches by name only, not through an output. */
export function coreDependencies(params: readonly CoreParam[]): string[] {
  const viaOutput = params.includes('functionAppHostName') ? ['functionApp'] : [];
  const byName = params.map((param) => CORE_PARAM_BINDINGS[param].dependsOn).filter((module): module is string => module !== undefined);
  return [...new Set(byName)].filter((module) => !viaOutput.includes(module));
}
