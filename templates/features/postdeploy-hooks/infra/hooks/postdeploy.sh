#!/bin/sh
# azd runs this after `azd deploy`: it runs every step in postdeploy.d in name order. Each step can rely on
# the deployed code (e.g. an Event Grid subscription needs the function's webhook endpoint to exist).
set -eu
: "${AZURE_SUBSCRIPTION_ID:?run through azd: azd up or azd deploy}"

# The steps call the Azure CLI, which keeps its own login, apart from azd's: check it once, up front, rather
# than let a step fail half-way with an authorization error.
if ! az account show --subscription "$AZURE_SUBSCRIPTION_ID" --output none; then
  echo "postdeploy: the Azure CLI cannot use subscription $AZURE_SUBSCRIPTION_ID. Run 'az login' (azd and az keep separate logins), then 'azd hooks run postdeploy'." >&2
  exit 1
fi

dir=$(dirname "$0")/postdeploy.d
for step in "$dir"/*.sh; do
  [ -e "$step" ] || continue
  echo "postdeploy: $(basename "$step")"
  sh "$step"
done
