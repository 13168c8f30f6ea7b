#!/usr/bin/env bash
# Runs every test on a fresh machine: installs what the tests need, then `cargo test`.
# Tests that drive real programs need redis-server 7.x (installed here from Debian's packages)
# and kubectl with Kustomize v5.5.0 (expected on the machine). Under CI=true a missing program
# fails those tests instead of skipping them.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null 2>&1; then
  echo "test.sh: installing redis-server (Debian package)"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq redis-server >/dev/null
fi
redis-server --version
if command -v kubectl >/dev/null 2>&1; then
  kubectl version --client 2>/dev/null | grep -i kustomize || true
else
  echo "test.sh: WARNING: kubectl not found; the kustomize differential tests will skip (and fail under CI=true)"
fi

cargo test --locked "$@"
