#!/usr/bin/env bash
# Installs what the build, `make run` and `make test` need and the machine lacks (Debian/Ubuntu).
# `deps.sh test` adds the clients only the tests use (certbot, lego, dehydrated, uacme) and the Debian Python
# packages of the Python client's tests; `deps.sh bench` the peers the bench compares with (cfssl, wrk; nginx is
# always installed).
set -euo pipefail

need=()
command -v softhsm2-util >/dev/null 2>&1 || need+=(softhsm2)
[ -e /usr/lib/softhsm/libsofthsm2.so ] || need+=(softhsm2)
command -v pkcs11-tool >/dev/null 2>&1 || need+=(opensc)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v jq >/dev/null 2>&1 || need+=(jq)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v mvn >/dev/null 2>&1 || need+=(maven)
command -v javac >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
if [ "${1:-}" = test ] || [ "${1:-}" = deploy ] || [ "${1:-}" = bench ]; then
  command -v ansible-playbook >/dev/null 2>&1 || need+=(ansible)
  command -v ansible-lint >/dev/null 2>&1 || need+=(ansible-lint)
  command -v pg_createcluster >/dev/null 2>&1 || need+=(postgresql-common)
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
fi
if [ "${1:-}" = test ] || [ "${1:-}" = bench ]; then
  # the peers the bench compares with (make test runs the bench's smoke version)
  command -v cfssl >/dev/null 2>&1 || need+=(golang-cfssl)
fi
if [ "${1:-}" = test ]; then
  # the ACME clients the tests run unmodified, and what the test harness itself calls
  for c in certbot lego dehydrated uacme python3; do
    command -v "$c" >/dev/null 2>&1 || need+=("$c")
  done
  command -v unshare >/dev/null 2>&1 || need+=(util-linux)
  # the console's browser tests: Debian's Chromium and its driver, NSS tools for the browser's client certificate,
  # npm for axe-core
  [ -x /usr/bin/chromium ] || need+=(chromium)
  [ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
  command -v pk12util >/dev/null 2>&1 || need+=(libnss3-tools)
  command -v npm >/dev/null 2>&1 || need+=(npm)
  # the Python client's tests (clients/python) run on Debian's Python 3 with these
  for p in python3-cryptography python3-httpx python3-requests python3-uvicorn python3-pytest python3-venv \
           python3-setuptools python3-wheel python3-mypy; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need+=("$p")
  done
fi

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
echo "deps: installing ${need[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
