import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { TEMPLATES_DIR } from '../../src/templates-dir.js';
import { CHECKED_RULES, checkArmTemplate, formatViolations } from '../support/arm-security.js';

// The checker guards every pattern combination (test/e2e/security.test.ts); these fixtures prove that it
// fails when a rule is broken, so a green run there means something.

const OWNER_ROLE = '8e3af657-a8ff-443d-a75e-2fe8c4bcb635';
const BLOB_DATA_OWNER = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b';

/** A compiled-template shape like `bicep build` emits: main with one nested module deployment. */
function template(moduleResources: Record<string, unknown>, moduleExtras: Record<string, unknown> = {}, passed: Record<string, unknown> = {}) {
  return {
    languageVersion: '2.0',
    parameters: { location: { type: 'string' } },
    resources: {
      app: {
        type: 'Microsoft.Resources/deployments',
        apiVersion: '2022-09-01',
        name: 'app',
        properties: {
          mode: 'Incremental',
          parameters: { storageName: { value: 'stapp' }, ...passed },
          template: {
            parameters: { storageName: { type: 'string' }, ...((moduleExtras.parameters as object) ?? {}) },
            variables: { roleIds: [BLOB_DATA_OWNER] },
            resources: moduleResources,
            outputs: moduleExtras.outputs ?? {},
          },
        },
      },
    },
  };
}

const secureStorage = {
  type: 'Microsoft.Storage/storageAccounts',
  name: "[parameters('storageName')]",
  properties: { supportsHttpsTrafficOnly: true, allowBlobPublicAccess: false, minimumTlsVersion: 'TLS1_2', allowSharedKeyAccess: false },
};

const secureSite = {
  type: 'Microsoft.Web/sites',
  name: 'func',
  identity: { type: 'UserAssigned', userAssignedIdentities: {} },
  properties: { httpsOnly: true, siteConfig: { minTlsVersion: '1.2', ftpsState: 'Disabled' } },
};

const scopedRole = {
  type: 'Microsoft.Authorization/roleAssignments',
  scope: "[resourceId('Microsoft.Storage/storageAccounts', parameters('storageName'))]",
  name: "[guid('x')]",
  properties: { roleDefinitionId: "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('roleIds')[copyIndex()])]", principalType: 'ServicePrincipal' },
};

function rulesBroken(t: Record<string, unknown>): string[] {
  return checkArmTemplate(t).map((v) => `${v.rule} @ ${v.resource}`);
}

describe('ARM security checker', () => {
  it('accepts a template that follows every rule', () => {
    const violations = checkArmTemplate(template({ storage: secureStorage, site: secureSite, role: scopedRole }));
    expect(formatViolations(violations)).toBe('');
  });

  it('names the resource and the rule, following parameters into nested modules', () => {
    const broken = template(
      { storage: { ...secureStorage, properties: { ...secureStorage.properties, allowSharedKeyAccess: "[parameters('sharedKey')]" } } },
      { parameters: { sharedKey: { type: 'bool' } } },
      { sharedKey: { value: true } },
    );
    expect(checkArmTemplate(broken)).toEqual([
      {
        resource: 'main/app › Microsoft.Storage/storageAccounts storage',
        rule: 'Azure.Storage.LocalAuth',
        detail: 'properties.allowSharedKeyAccess must be false (is true)',
      },
    ]);
  });

  it('catches each broken web, storage, vault and monitoring setting', () => {
    const broken = template({
      storage: { ...secureStorage, properties: { minimumTlsVersion: 'TLS1_0', allowBlobPublicAccess: true } },
      site: { ...secureSite, identity: undefined, properties: { siteConfig: { minTlsVersion: '1.0', ftpsState: 'AllAllowed' } } },
      vault: { type: 'Microsoft.KeyVault/vaults', name: 'kv', properties: { enableSoftDelete: false, enableRbacAuthorization: false } },
      insights: { type: 'Microsoft.Insights/components', name: 'appi', properties: {} },
      bus: { type: 'Microsoft.ServiceBus/namespaces', name: 'sb', properties: { minimumTlsVersion: '1.0' } },
      hubs: { type: 'Microsoft.EventHub/namespaces', name: 'eh', properties: { disableLocalAuth: false } },
      topic: { type: 'Microsoft.EventGrid/topics', name: 'eg', properties: {} },
      cosmos: { type: 'Microsoft.DocumentDB/databaseAccounts', name: 'cosmos', properties: { minimalTlsVersion: 'Tls' } },
      sas: { type: 'Microsoft.ServiceBus/namespaces/AuthorizationRules', name: 'sb/listen', properties: { rights: ['Listen'] } },
    });
    const rules = checkArmTemplate(broken).map((v) => v.rule);
    expect(rules.sort()).toEqual(
      [
        'Azure.Storage.SecureTransfer',
        'Azure.Storage.BlobPublicAccess',
        'Azure.Storage.MinTLS',
        'Azure.Storage.LocalAuth',
        'Azure.AppService.UseHTTPS',
        'Azure.AppService.MinTLS',
        'Azure.AppService.WebSecureFtp',
        'Azure.AppService.ManagedIdentity',
        'Azure.KeyVault.RBAC',
        'Azure.KeyVault.SoftDelete',
        'Azure.KeyVault.PurgeProtect',
        'Azure.AppInsights.LocalAuth',
        'Azure.AppInsights.Workspace',
        'Azure.ServiceBus.DisableLocalAuth',
        'Azure.ServiceBus.MinTLS',
        'Azure.EventHub.DisableLocalAuth',
        'Azure.EventHub.MinTLS',
        'Azure.EventGrid.DisableLocalAuth',
        'Azure.Cosmos.DisableLocalAuth',
        'Azure.Cosmos.MinTLS',
        'NoSharedAccessKeys',
      ].sort(),
    );
  });

  it('rejects role assignments that are broad in scope or in role', () => {
    const broken = template({
      groupWide: { ...scopedRole, scope: undefined },
      owner: { ...scopedRole, properties: { roleDefinitionId: `[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '${OWNER_ROLE}')]` } },
      unknown: { ...scopedRole, properties: { roleDefinitionId: "[parameters('roleId')]" } },
    });
    expect(rulesBroken(broken)).toEqual([
      'RoleAssignment.SingleResourceScope @ main/app › Microsoft.Authorization/roleAssignments groupWide',
      'RoleAssignment.LeastPrivilege @ main/app › Microsoft.Authorization/roleAssignments owner',
      'RoleAssignment.LeastPrivilege @ main/app › Microsoft.Authorization/roleAssignments unknown',
    ]);
  });

  it('finds secrets in app settings, parameters, outputs and module inputs', () => {
    const broken = template(
      {
        settings: {
          type: 'Microsoft.Web/sites/config',
          name: "[format('{0}/{1}', 'func', 'appsettings')]",
          properties: "[parameters('appSettings')]",
        },
      },
      {
        parameters: { appSettings: { type: 'object' }, adminPassword: { type: 'string' }, keyVaultSecretName: { type: 'string' } },
        outputs: { storageKey: { type: 'string', value: "[listKeys('st', '2023-01-01').keys[0].value]" } },
      },
      {
        appSettings: {
          value: {
            AzureWebJobsStorage: 'DefaultEndpointsProtocol=https;AccountName=st;AccountKey=abc==',
            SERVICE_BUS_CONNECTION_STRING: "[reference('bus').outputs.endpoint.value]",
            APPLICATIONINSIGHTS_CONNECTION_STRING: "[reference('monitoring').outputs.cs.value]",
            API_SECRET: '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/api)',
          },
        },
      },
    );
    const violations = checkArmTemplate(broken);
    expect(violations.map((v) => v.rule).sort()).toEqual(['Azure.Deployment.OutputSecretValue', 'Azure.Deployment.SecureParameter', 'NoSecretsInAppSettings', 'NoSecretsInModuleParameters']);
    const settings = violations.find((v) => v.rule === 'NoSecretsInAppSettings')!;
    expect(settings.detail).toContain('AzureWebJobsStorage carries a key or secret');
    expect(settings.detail).toContain('SERVICE_BUS_CONNECTION_STRING looks like a secret');
    expect(settings.detail).not.toContain('APPLICATIONINSIGHTS_CONNECTION_STRING');
    expect(settings.detail).not.toContain('API_SECRET');
    expect(violations.find((v) => v.rule === 'Azure.Deployment.SecureParameter')!.resource).toBe('main/app › parameter adminPassword');
  });

  // CI's PSRule judges parameter names by its own heuristic, broader than the words above: any name holding
  // "token", or ending in "key", unless it ends in name, id, uri, url, type…
  it('flags module parameters the way PSRule for Azure does', () => {
    const parameters = {
      resourceToken: { type: 'string' },
      partitionKey: { type: 'string' },
      tokenType: { type: 'string' },
      principalId: { type: 'string' },
      keyVaultName: { type: 'string' },
      maxKeys: { type: 'int' },
      uniqueSuffix: { type: 'string' },
    };
    expect(rulesBroken(template({}, { parameters }))).toEqual([
      'Azure.Deployment.SecureParameter @ main/app › parameter resourceToken',
      'Azure.Deployment.SecureParameter @ main/app › parameter partitionKey',
    ]);
  });
});

describe('the generated ps-rule.yaml', () => {
  it('enforces in CI only rules this checker guarantees on every pattern combination', () => {
    const config = parse(readFileSync(join(TEMPLATES_DIR, 'base/ps-rule.yaml'), 'utf8')) as { rule: { include: string[] } };
    expect(config.rule.include.length).toBeGreaterThan(15);
    expect(config.rule.include.filter((rule) => !CHECKED_RULES.has(rule))).toEqual([]);
  });
});
