#!/usr/bin/env bash
# Installs what is missing, then runs every check: types, lint, and the test suites against real servers.
# With no arguments the checks run side by side (see below); arguments go to one plain `vitest run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One plain closing line, whatever reads the output: the JSON reports of every vitest run, added up.
summary() {
  node -e '
    let passed = 0, failed = 0, skipped = 0;
    for (const file of process.argv.slice(1)) {
      const r = JSON.parse(require("fs").readFileSync(file, "utf8"));
      passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests;
    }
    console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
  ' "$@" || true
}

if [ $# -gt 0 ]; then
  npm run --silent typecheck
  npm run --silent lint
  status=0
  npx vitest run --reporter=default --reporter=json --outputFile.json="$work/all.json" "$@" || status=$?
  summary "$work/all.json"
  exit "$status"
fi

# The end-to-end files run one by one and spend most of their time waiting on servers, timers and child
# processes, so everything else runs beside them instead of before them: the type check and lint (a minute of
# CPU each) and the fast project, niced so the end-to-end timings keep their margins; the crash and outage test
# runs last, once these are done (vitest.config.ts). Their output follows the end-to-end run's.
background() {
  local name=$1
  shift
  (
    code=0
    "$@" >"$work/$name.log" 2>&1 || code=$?
    echo "$code" >"$work/$name.status"
  ) &
}
background typecheck nice -n 10 npm run --silent typecheck
background lint nice -n 10 npm run --silent lint
background fast nice -n 10 npx vitest run --project fast --reporter=default --reporter=json --outputFile.json="$work/fast.json"
status=0
npx vitest run --project e2e --reporter=default --reporter=json --outputFile.json="$work/e2e.json" || status=$?
wait
for name in typecheck lint fast; do
  code=$(cat "$work/$name.status")
  echo
  echo "test: $name (exit $code):"
  cat "$work/$name.log"
  [ "$code" -eq 0 ] || status=$code
done
summary "$work/fast.json" "$work/e2e.json"
exit "$status"
