#!/usr/bin/env bash
# Runs every test on a fresh machine: installs what the tests need, then `cargo test`.
# Tests that drive real programs need redis-server 7.x and promtool (installed here from Debian's
# packages)
# and kubectl with Kustomize v5.5.0 (expected on the machine). Under CI=true a missing program
# fails those tests instead of skipping them.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages for the programs the tests drive: redis-server (the redis.conf oracle) and
# prometheus (its `promtool` is the PromQL oracle). Installed only when missing.
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
if [ "${#need[@]}" -gt 0 ]; then
  echo "test.sh: installing ${need[*]} (Debian packages)"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
redis-server --version
promtool --version 2>&1 | head -1
if command -v kubectl >/dev/null 2>&1; then
  kubectl version --client 2>/dev/null | grep -i kustomize || true
else
  echo "test.sh: WARNING: kubectl not found; the kustomize differential tests will skip (and fail under CI=true)"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --locked "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line over every test binary (cargo prints one `test result:` line per binary).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
