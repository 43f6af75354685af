#!/bin/sh
# azd runs this after `azd deploy`: it runs every step in postdeploy.d in name order. Each step can rely on
# the deployed code (e.g. an Event Grid subscription needs the function's webhook endpoint to exist).
set -eu
dir=$(dirname "$0")/postdeploy.d
for step in "$dir"/*.sh; do
  [ -e "$step" ] || continue
  echo "postdeploy: $(basename "$step")"
  sh "$step"
done
