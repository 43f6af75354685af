#!/bin/sh
# Subscribes the eventGridEvents function to the app's Event Grid topic. This cannot be part of `azd provision`:
# Event Grid checks that the destination function exists when the subscription is created, and the function
# exists only once the code is deployed. Re-running is safe (the deployment is idempotent).
# Needs the Azure CLI logged in (`az login`); postdeploy.sh checks it can use the azd environment's subscription.
set -eu
: "${AZURE_RESOURCE_GROUP:?run through azd: azd up or azd deploy}"
: "${AZURE_FUNCTION_APP_NAME:?run through azd: azd up or azd deploy}"
: "${AZURE_STORAGE_ACCOUNT_NAME:?run through azd: azd up or azd deploy}"

# The resource group holds exactly one topic and one user-assigned identity, both created by infra/main.bicep.
topic=$(az resource list --subscription "$AZURE_SUBSCRIPTION_ID" --resource-group "$AZURE_RESOURCE_GROUP" --resource-type Microsoft.EventGrid/topics --query '[0].name' --output tsv)
identity=$(az resource list --subscription "$AZURE_SUBSCRIPTION_ID" --resource-group "$AZURE_RESOURCE_GROUP" --resource-type Microsoft.ManagedIdentity/userAssignedIdentities --query '[0].name' --output tsv)

az deployment group create \
  --subscription "$AZURE_SUBSCRIPTION_ID" \
  --resource-group "$AZURE_RESOURCE_GROUP" \
  --name eventgrid-subscription \
  --template-file "$(dirname "$0")/../eventgrid-subscription.bicep" \
  --parameters topicName="$topic" functionAppName="$AZURE_FUNCTION_APP_NAME" storageAccountName="$AZURE_STORAGE_ACCOUNT_NAME" identityName="$identity" \
  --output none
echo "Event Grid topic $topic delivers to $AZURE_FUNCTION_APP_NAME/eventGridEvents"
