#!/usr/bin/env bash
# Benchmark: `bindguard check` against ruff (S104 only) and bandit (B104 only) on the same trees,
# in one run, and print the ratios. Trees: this machine's Python standard library (copied
# without site-packages, which ruff excludes by default) and the sources of django's sdist
# (downloaded with pip). Threads: ruff and bindguard both use every core; bandit is
# single-threaded (it has no parallel mode) and slow, so it runs once.
#
# Usage: bench/check.sh [RUNS]   (default 5 runs each, best and median reported)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
work=${BENCH_DIR:-$(mktemp -d /tmp/bindguard-bench.XXXXXX)}
venv="$work/venv"

if [ ! -x "$venv/bin/ruff" ] || [ ! -x "$venv/bin/bandit" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q ruff bandit
fi
if [ ! -d "$work/django" ]; then
  "$venv/bin/pip" download -q --no-deps --no-binary :all: -d "$work/dl" django
  mkdir -p "$work/django" && tar -xzf "$work"/dl/[Dd]jango-*.tar.gz -C "$work/django" --strip-components=1
fi
cargo build --release --locked -q
bg=$PWD/target/release/bindguard
stdlib="$work/stdlib"
if [ ! -d "$stdlib" ]; then
  src=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
  mkdir -p "$stdlib"
  tar -C "$src" --exclude=site-packages --exclude=__pycache__ -cf - . | tar -C "$stdlib" -xf -
fi

# time_cmd LABEL CMD...: best and median wall time in ms over $runs runs (output discarded).
time_cmd() {
  local label=$1; shift
  local times=()
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  local sorted
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  best=$(echo "$sorted" | head -n1)
  median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
  printf '  %-34s best %6d ms   median %6d ms\n' "$label" "$best" "$median"
}

bench_tree() {
  local name=$1 tree=$2
  local files
  files=$(find "$tree" -name '*.py' | wc -l)
  echo "== $name: $tree ($files .py files), $(nproc) cores"
  time_cmd "bindguard check" "$bg" check --format json "$tree"; local ours=$best
  time_cmd "ruff check --select S104" "$venv/bin/ruff" check --no-cache --isolated --select S104 --exit-zero "$tree"; local ruff=$best
  runs=1 time_cmd "bandit -r -t B104 -q (1 run)" "$venv/bin/bandit" -r -t B104 -q "$tree"; local bandit=$best
  awk -v o="$ours" -v r="$ruff" -v b="$bandit" 'BEGIN {
    if (o < 1) o = 1;
    printf "  ratio (best): ruff/bindguard = %.1fx   bandit/bindguard = %.1fx\n", r / o, b / o }'
}

bench_tree "Python standard library" "$stdlib"
bench_tree "django sdist" "$work/django"
