#!/usr/bin/env bash
# Times `grill-lint render DIR` against `kubectl kustomize DIR` on the same overlays, in one run,
# and prints each ratio (kubectl time / grill-lint time: how many times faster grill-lint is).
#
# Targets: kustomize/overlays/{dev-lab,prod-lab} (when present), the redis-tree and
# synthetic-200 fixtures, and synthetic trees written by scripts/synth-tree.py (sizes in
# SYNTH_SIZES, "objects/patches/depth" separated by spaces). Whole-process wall time, warm cache:
# hyperfine when installed, else a `date +%s%N` loop. Both programs must succeed on a target
# for it to be timed; a failure is printed, never silently skipped.
#
# Environment: RUNS (default 10; trees of 1000+ objects get RUNS_LARGE, default 3),
# SYNTH_SIZES (default "200/20/1 1000/100/3"; empty for none), GRILL_LINT (a prebuilt binary; default: build
# target/release/grill-lint with cargo).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
RUNS=${RUNS:-10}
RUNS_LARGE=${RUNS_LARGE:-3}
SYNTH_SIZES=${SYNTH_SIZES-"200/20/1 1000/100/3"}

if [[ -n "${GRILL_LINT:-}" ]]; then
    bin=$GRILL_LINT
else
    cargo build --release --quiet
    bin="${CARGO_TARGET_DIR:-$repo/target}/release/grill-lint"
fi
command -v kubectl >/dev/null || { echo "bench-render: kubectl is not on PATH" >&2; exit 1; }
echo "grill-lint: $bin"
kubectl version --client 2>/dev/null | sed 's/^/kubectl: /'

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# label<TAB>dir, one per line.
targets=()
add() { [[ -d "$2" ]] && targets+=("$1"$'\t'"$2") || echo "bench-render: $1: $2 does not exist" >&2; }
cases=tests/fixtures/kustomize-cases
[[ -d kustomize/overlays/dev-lab ]] && add dev-lab kustomize/overlays/dev-lab
[[ -d kustomize/overlays/prod-lab ]] && add prod-lab kustomize/overlays/prod-lab
add fixture-dev-lab "$cases/redis-tree/kustomize/overlays/dev-lab"
add fixture-prod-lab "$cases/redis-tree/kustomize/overlays/prod-lab"
add synthetic-200-20p "$cases/synthetic-200/overlay"
add synthetic-200-80p "$cases/synthetic-200/overlay-80patches"
for size in $SYNTH_SIZES; do
    IFS=/ read -r objects patches depth <<<"$size"
    dir=$(python3 scripts/synth-tree.py "$work/synth-$objects-$patches-$depth" \
        --resources "$objects" --patches "$patches" --depth "$depth")
    add "synth-${objects}o-${patches}p-d${depth}" "$dir"
done

# mean_ms CMD... : mean wall time of a command in milliseconds.
mean_ms() {
    local runs=$1; shift
    if command -v hyperfine >/dev/null; then
        hyperfine -N --style none --warmup 2 --runs "$runs" \
            --export-json "$work/h.json" "$*" >/dev/null 2>&1
        python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["mean"] * 1000))' "$work/h.json"
    else
        "$@" >/dev/null 2>&1 || true
        local start end
        start=$(date +%s%N)
        for ((i = 0; i < runs; i++)); do "$@" >/dev/null 2>&1; done
        end=$(date +%s%N)
        echo "scale=1; ($end - $start) / $runs / 1000000" | bc
    fi
}

printf '\n%-26s %8s %14s %12s %8s\n' target objects grill-lint/ms kubectl/ms ratio
status=0
for entry in "${targets[@]}"; do
    label=${entry%%$'\t'*}
    dir=${entry#*$'\t'}
    if ! "$bin" render "$dir" >"$work/ours.yaml" 2>"$work/ours.err" || [[ ! -s "$work/ours.yaml" ]]; then
        printf '%-26s grill-lint render FAILS or prints nothing: %s\n' "$label" "$(head -c 300 "$work/ours.err")"
        status=1
        continue
    fi
    if ! kubectl kustomize "$dir" >"$work/oracle.yaml" 2>/dev/null; then
        printf '%-26s kubectl kustomize fails\n' "$label"
        status=1
        continue
    fi
    objects=$(grep -c '^kind:' "$work/oracle.yaml" || true)
    runs=$RUNS
    ((objects >= 1000)) && runs=$RUNS_LARGE
    ours=$(mean_ms "$runs" "$bin" render "$dir")
    oracle=$(mean_ms "$runs" kubectl kustomize "$dir")
    ratio=$(python3 -c "print('%.1fx' % ($oracle / $ours))")
    printf '%-26s %8s %14s %12s %8s\n' "$label" "$objects" "$ours" "$oracle" "$ratio"
done
exit $status
