@description('Name of the function app whose settings this deployment owns.')
param functionAppName string

@description('Every app setting of the function app. Values are identifiers and endpoints, never secrets: secrets belong in Key Vault.')
param appSettings object

resource functionApp 'Microsoft.Web/sites@2025-03-01' existing = {
  name: functionAppName
}

// Settings are applied after every module that contributes one has run; this resource replaces the whole set.
resource settings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: appSettings
}
