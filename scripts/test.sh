#!/usr/bin/env bash
# Installs what is missing, then runs every check: types, lint, and the test suites against real servers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent typecheck
npm run --silent lint
npx vitest run "$@"
