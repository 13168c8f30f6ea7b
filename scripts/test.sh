#!/usr/bin/env bash
# Runs every test on a fresh machine: installs what the tests need, then `cargo test`.
# Tests that drive real programs need redis-server 7.x, promtool and python3-venv (installed here
# from Debian's packages), kubernetes-validate and pre-commit (installed by their tests from PyPI
# into virtual environments) and kubectl with Kustomize v5.5.0 (expected on the machine). Under
# CI=true a missing program
# fails those tests instead of skipping them.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests need and the machine lacks: redis-server (tests/redis_agreement.rs,
# tests/reference_deployment.rs), prometheus (its `promtool` is the PromQL oracle) and python3
# with venv (tests/k8s_schema_diff.rs and the pre-commit test install PyPI packages into virtual
# environments).
packages=()
command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
command -v promtool >/dev/null 2>&1 || packages+=(prometheus)
if ! command -v python3 >/dev/null 2>&1 || ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  packages+=(python3 python3-venv)
fi
if [ "${#packages[@]}" -gt 0 ]; then
  echo "test.sh: installing ${packages[*]} (Debian packages)"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
# tests/pre_commit.rs installs pre-commit from PyPI into a virtual environment: it needs
# python3 with venv/ensurepip (Debian splits them into python3-venv) and git.
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || ! command -v git >/dev/null 2>&1; then
  echo "test.sh: installing python3-venv and git (Debian packages)"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq python3 python3-venv git >/dev/null
fi
redis-server --version
promtool --version 2>&1 | head -1
python3 --version
if command -v kubectl >/dev/null 2>&1; then
  kubectl version --client 2>/dev/null | grep -i kustomize || true
else
  echo "test.sh: WARNING: kubectl not found; the kustomize differential tests will skip (and fail under CI=true)"
fi

log=$(mktemp)
# Tests that skip because a program is missing append a line here (tests/skip_note), listed
# again after the last test binary so that a skip cannot scroll by unseen.
GRILL_SKIP_LOG=$(mktemp)
export GRILL_SKIP_LOG
trap 'rm -f "$log" "$GRILL_SKIP_LOG"' EXIT
set +e
cargo test --locked "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# The fuzz targets (a separate crate, run with cargo-fuzz on nightly) must keep compiling
# against the library: checked on the stable toolchain, without sanitizers.
if [ "$#" -eq 0 ]; then
  echo "test.sh: checking that the fuzz targets compile (fuzz/)"
  if ! cargo check --locked --quiet --manifest-path fuzz/Cargo.toml --bins; then
    echo "test.sh: FAILED: the fuzz targets do not compile"
    status=1
  fi
fi
set -e
if [ -s "$GRILL_SKIP_LOG" ]; then
  echo "test.sh: $(wc -l < "$GRILL_SKIP_LOG") test(s) SKIPPED because a program is missing (CI=true makes them fail):"
  sed 's/^/  /' "$GRILL_SKIP_LOG"
fi
# One closing line over every test binary (cargo prints one `test result:` line per binary).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
