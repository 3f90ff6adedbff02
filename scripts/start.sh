#!/usr/bin/env bash
# Installs what is missing, builds, and starts the whole service: with no TEMPORAL_ADDRESS and no provider
# configured, an embedded Temporal dev server and OpenLDAP run under DATA_DIR (default .data/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
npm run --silent build
exec node dist/src/main.js "$@"
