#!/usr/bin/env bash
# Runs the release binary on every hostile input we know of and prints a table: input, exit
# code, first finding, wall time, peak memory. Each input is generated in its own temporary
# directory; each run is under `timeout` and `/usr/bin/time -v`. A row over 1 s or 256 MB, a
# timeout, a crash or exit 0 is marked FAIL, and the script then exits 1.
#
#   bash scripts/hostile-table.sh            # builds the release binary first
#   GRILL_BIN=path/to/grill-lint bash scripts/hostile-table.sh
#
# Device-node rows need root (mknod); without it they are printed as SKIP, loudly.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

if [ -z "${GRILL_BIN:-}" ]; then
  cargo build --release --locked --quiet
  GRILL_BIN="$repo/target/release/grill-lint"
fi
GRILL_BIN=$(realpath "$GRILL_BIN")
[ -x /usr/bin/time ] || { echo "hostile-table.sh: /usr/bin/time (GNU time) is required" >&2; exit 2; }

MAX_SECONDS=${MAX_SECONDS:-1}
MAX_MB=${MAX_MB:-256}
TIMEOUT=${TIMEOUT:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
is_root() { [ "$(id -u)" -eq 0 ]; }

k() { printf '%s\n' "$@" > kustomization.yaml; }
cm() { printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\ndata:\n  a: "1"\n' "$1"; }

# Every case writes its input into the current directory and prints the grill-lint arguments.
case_fifo_resource() { mkfifo x.yaml; k "resources: [x.yaml]"; echo .; }
case_fifo_patch() { cm c > c.yaml; mkfifo p.yaml; k "resources: [c.yaml]" "patches: [{path: p.yaml}]"; echo .; }
case_fifo_generator_file() { mkfifo redis.conf; k "configMapGenerator: [{name: g, files: [redis.conf]}]"; echo .; }
case_fifo_generator_envs() { mkfifo e.env; k "configMapGenerator: [{name: g, envs: [e.env]}]"; echo .; }
case_fifo_kustomization() { mkfifo kustomization.yaml; echo .; }
case_fifo_conf_path() { mkfifo redis.conf; echo redis.conf; }
case_fifo_config() { cm c > c.yaml; k "resources: [c.yaml]"; mkfifo .grill-lint.yaml; echo .; }
case_device_resource() { is_root || return 3; mknod zero.yaml c 1 5; k "resources: [zero.yaml]"; echo .; }
case_device_generator_file() { is_root || return 3; mknod zero c 1 5; k "configMapGenerator: [{name: g, files: [zero]}]"; echo .; }
case_urandom_generator_file() { is_root || return 3; mknod rnd c 1 9; k "secretGenerator: [{name: g, files: [rnd]}]"; echo .; }
case_symlink_dev_zero() { ln -s /dev/zero z.yaml; k "resources: [z.yaml]"; echo .; }
case_symlink_proc_environ() { ln -s /proc/self/environ kustomization.yaml; echo .; }
case_file_over_16mib() {
  cm c > big.yaml; head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' '#' >> big.yaml
  k "resources: [big.yaml]"; echo .
}
case_json6902_copy_chain() {
  printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: 1\n  x: [a, b, c, d]\n' > d.yaml
  { echo "- {op: add, path: /spec/l0, value: {}}"
    for i in $(seq 1 30); do echo "- {op: copy, from: /spec, path: /spec/l$i}"; done; } > p.yaml
  k "resources: [d.yaml]" "patches:" "- path: p.yaml" "  target: {kind: Deployment, name: d}"; echo .
}
case_replacements_chain() {
  printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: 1\n  x: [a, b, c, d]\n' > d.yaml
  { echo "resources: [d.yaml]"; echo "replacements:"
    for i in $(seq 1 30); do
      echo "- source: {kind: Deployment, name: d, fieldPath: spec}"
      echo "  targets: [{select: {kind: Deployment}, fieldPaths: [spec.r$i], options: {create: true}}]"
    done; } > kustomization.yaml; echo .
}
case_replacements_string_doubling() {
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "0123456789abcdef"\n' > c.yaml
  { echo "resources: [c.yaml]"; echo "replacements:"
    for i in $(seq 1 40); do
      echo "- source: {kind: ConfigMap, name: c, fieldPath: data.a}"
      echo "  targets: [{select: {kind: ConfigMap}, fieldPaths: [data.a], options: {delimiter: ',', index: -1}}]"
    done; } > kustomization.yaml; echo .
}
case_directory_diamond() {
  # Each level includes the one below twice (under two prefixes): 2^30 objects without a budget.
  mkdir l0; cm c > l0/c.yaml; printf 'resources: [c.yaml]\n' > l0/kustomization.yaml
  for i in $(seq 1 30); do
    for side in a b; do
      mkdir -p "l$i/$side"
      printf 'namePrefix: %s-\nresources: [../../l%d]\n' "$side" $((i - 1)) > "l$i/$side/kustomization.yaml"
    done
    printf 'resources: [a, b]\n' > "l$i/kustomization.yaml"
  done
  echo l30
}
case_patch_to_many() {
  python3 - <<'PY'
with open("cms.yaml", "w") as f:
    for i in range(3000):
        f.write(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\ndata:\n  a: '1'\n")
with open("p.yaml", "w") as f:
    f.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: any\ndata:\n")
    for i in range(2000):
        f.write(f"  k{i}: v{i}\n")
with open("kustomization.yaml", "w") as f:
    f.write("resources: [cms.yaml]\npatches:\n- path: p.yaml\n  target: {kind: ConfigMap}\n")
PY
  echo .
}
case_long_name_prefix() {
  python3 - <<'PY'
with open("cms.yaml", "w") as f:
    for i in range(2000):
        f.write(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n")
with open("kustomization.yaml", "w") as f:
    f.write("resources: [cms.yaml]\nnamePrefix: " + "p" * 4_000_000 + "\n")
PY
  echo .
}
case_million_keys_file() {
  python3 - <<'PY'
with open("big.yaml", "w") as f:
    f.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n")
    f.write("".join(f"  k{i}: v\n" for i in range(1_000_000)))
PY
  echo big.yaml
}
case_million_keys_overlay() {
  python3 - <<'PY'
with open("big.yaml", "w") as f:
    f.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n")
    f.write("".join(f"  k{i}: v\n" for i in range(1_000_000)))
PY
  k "resources: [big.yaml]"; echo .
}
case_duplicate_keys_100k() {
  python3 - <<'PY'
with open("dup.yaml", "w") as f:
    f.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\ndata:\n")
    f.write("".join(f"  k{i % 1000}: v\n" for i in range(100_000)))
PY
  echo dup.yaml
}
case_flow_sequence_8m() {
  python3 - <<'PY'
with open("seq.yaml", "w") as f:
    f.write("a: [" + "1," * 8_000_000 + "1]\n")
PY
  echo seq.yaml
}
case_alias_bomb() {
  { echo 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'
    for i in $(seq 1 9); do printf 'a%d: &a%d [%s]\n' "$i" "$i" "$(printf "*a$((i - 1)), %.0s" $(seq 1 9))*a$((i - 1))"; done; } > bomb.yaml
  echo bomb.yaml
}
case_deep_nesting() { printf '%*s' 100000 '' | tr ' ' '[' > deep.yaml; echo deep.yaml; }
case_long_line_conf() { { printf 'port 6379\nrequirepass '; head -c $((15 * 1024 * 1024)) /dev/zero | tr '\0' 'x'; echo; } > redis.conf; echo redis.conf; }
case_many_lines_conf() { python3 -c 'import sys; sys.stdout.write("save 900 1\n" * 1_000_000)' > redis.conf; echo redis.conf; }
case_deep_overlay_tree() {
  d=.; for i in $(seq 1 30); do d="$d/d$i"; done; mkdir -p "$d"
  printf 'resources: [missing.yaml]\n' > "$d/kustomization.yaml"; echo .
}

may_pass="million_keys_file million_keys_overlay"
cases=$(declare -F | awk '{print $3}' | grep '^case_' | sed 's/^case_//')
fail=0
printf '| input | exit | finding | wall s | cpu s | peak MB |\n|---|---|---|---|---|---|\n'
for c in $cases; do
  dir="$work/$c"; mkdir -p "$dir"; cd "$dir"
  set +e
  args=$("case_$c"); made=$?
  set -e
  if [ "$made" -eq 3 ]; then
    printf '| %s | SKIP | needs root for mknod | | | |\n' "$c"; cd "$repo"; continue
  fi
  set +e
  # shellcheck disable=SC2086
  timeout "$TIMEOUT" /usr/bin/time -v -o "$work/$c.time" "$GRILL_BIN" $args --format json \
    > "$work/$c.out" 2> "$work/$c.err"
  code=$?
  set -e
  cd "$repo"
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s }' "$work/$c.time" 2>/dev/null || true)
  cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$work/$c.time" 2>/dev/null || true)
  kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/$c.time" 2>/dev/null || true)
  mb=$(( ${kb:-0} / 1024 ))
  finding=$(python3 - "$work/$c.out" "$work/$c.err" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
    f = r["findings"][0] if r["findings"] else None
    print(f"`{f['rule']}` {f['message'][:90]}" if f else "(no finding)")
except Exception:
    err = open(sys.argv[2]).read().strip().splitlines()
    print(("stderr: " + err[-1][:100]) if err else "(no output)")
PY
)
  finding=${finding//|/\\|}
  mark=""
  # 1 (findings) and 2 (refused with a message) are the only acceptable ends.
  # Inputs that are valid (only big) may pass with 0.
  ok_codes=" 1 2 "
  case " $may_pass " in *" $c "*) ok_codes=" 0 1 2 " ;; esac
  case "$ok_codes" in *" $code "*) ;; *) mark=" FAIL" ;; esac
  if awk -v w="${wall:-99}" -v m="$MAX_SECONDS" 'BEGIN { exit !(w > m) }'; then mark=" FAIL"; fi
  [ "$mb" -le "$MAX_MB" ] || mark=" FAIL"
  [ -z "$mark" ] || fail=1
  printf '| %s | %s%s | %s | %s | %s | %s |\n' "$c" "$code" "$mark" "$finding" "${wall:-?}" "${cpu:-?}" "$mb"
done
if [ "$fail" -ne 0 ]; then
  echo "hostile-table.sh: some rows hang, crash, pass, or exceed ${MAX_SECONDS} s / ${MAX_MB} MB" >&2
  exit 1
fi
