#!/usr/bin/env bash
# Installs what is missing, builds, and starts the whole service: with no TEMPORAL_ADDRESS and no provider
# configured, an embedded Temporal dev server and OpenLDAP run under DATA_DIR (default .data/).
# `npm start` runs this too; arguments go to the service (`all`, `api`, `worker`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
# The build takes a while on a small machine: only when a source changed since the last one.
stamp=dist/.build-stamp
if [ ! -f "$stamp" ] || [ -n "$(find src domain workflows activities providers package-lock.json tsconfig.json tsconfig.build.json -newer "$stamp" -print -quit)" ]; then
  echo "start: building (TypeScript into dist/, about 20 s)" >&2
  npm run --silent build
  touch "$stamp"
fi
echo "start: starting the service (about 10 s)" >&2
exec node dist/src/main.js "$@"
