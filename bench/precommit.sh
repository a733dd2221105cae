#!/usr/bin/env bash
# Benchmark: the whole `bindguard pre-commit` process against `git diff --cached --name-only` on
# a repository with at least 50,000 index entries (copies of this machine's Python standard
# library), with changes staged to 3 Python files in different directories. Both run in the same
# invocation, so the ratio compares like with like. Goal: ratio <= 1.5.
#
# Two changes are measured: a new constant in each file (`BENCH_MARKER = 123`: lines that can
# hold no place of a finding, which the hook need not analyse), and a new call in each file
# (`print(BENCH_MARKER)`: each file is analysed with the modules it imports).
#
# Usage: bench/precommit.sh [RUNS]   (default 30 runs each; hyperfine when installed, else a
# loop timed with bash's clock, which forks nothing, also with NO_HYPERFINE=1; best and median
# reported). BENCH_DIR=DIR reuses a repository built before.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
min_entries=50000
work=${BENCH_DIR:-$(mktemp -d /tmp/bindguard-precommit-bench.XXXXXX)}
repo=$work/repo
stdlib=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')

git_q() { git -C "$repo" -c user.name=bench -c user.email=bench@example.invalid -c gc.auto=0 "$@"; }

# Builds the repository once: enough stdlib copies for $min_entries entries, one packed commit.
build_repo() {
  rm -rf "$repo" && mkdir -p "$repo"
  git init -q "$repo"
  local copy=0 entries=0
  while [ "$entries" -lt "$min_entries" ]; do
    copy=$((copy + 1))
    mkdir -p "$repo/copy$copy"
    (cd "$stdlib" && tar --exclude=__pycache__ --exclude='*.pyc' -cf - .) | tar -xf - -C "$repo/copy$copy"
    entries=$(find "$repo" -path "$repo/.git" -prune -o \( -type f -o -type l \) -print | wc -l)
  done
  git_q add -A
  git_q commit -q --no-verify -m "stdlib x$copy"
  git_q gc -q
}

# Stages LINE (with %s for a fresh number) appended to 3 Python files in different directories
# (a fresh change each time, so the index holds exactly 3 staged files).
stage_changes() {
  local line=$1
  git_q reset -q --hard
  local files
  files=$(git_q ls-files -- 'copy1/json/*.py' 'copy2/email/*.py' 'copy1/asyncio/*.py' | awk -F/ '!seen[$2]++' | head -n 3)
  [ "$(echo "$files" | wc -l)" -eq 3 ] || { echo "could not pick 3 files" >&2; exit 1; }
  for f in $files; do
    # shellcheck disable=SC2059
    printf "\n$line\n" "$RANDOM" >>"$repo/$f"
    git_q add -- "$f"
  done
  echo "staged: $(echo $files)"
}

[ -d "$repo/.git" ] || build_repo
cargo build --release --locked -q
bg=$PWD/target/release/bindguard

# time_ms CMD...: prints "best median" in ms over $runs runs (output discarded), timed with
# $EPOCHREALTIME in the repository, so that no fork of the timer counts.
time_ms() {
  local times=() t0 t1
  for _ in $(seq "$runs"); do
    t0=$EPOCHREALTIME; "$@" >/dev/null 2>&1 || true; t1=$EPOCHREALTIME
    times+=("$(( (${t1/./} - ${t0/./}) ))")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v n="$runs" '{ a[NR] = $1 } END {
    printf "%.2f %.2f\n", a[1] / 1000, a[int((n + 1) / 2)] / 1000 }'
}

# measure LABEL LINE: stages LINE and prints both tools' times and the ratio.
measure() {
  local label=$1 line=$2
  stage_changes "$line"
  entries=$(git_q ls-files --stage | wc -l)
  echo "== $label: $entries index entries, $(git_q diff --cached --name-only | wc -l) staged files, $(nproc) cores, $runs runs"
  (cd "$repo" && "$bg" pre-commit) || { echo "bindguard pre-commit failed" >&2; exit 1; }
  if [ -z "${NO_HYPERFINE:-}" ] && command -v hyperfine >/dev/null 2>&1; then
    json=$work/hyperfine.json
    (cd "$repo" && hyperfine -N --warmup 3 --runs "$runs" --style basic --export-json "$json" \
      -n bindguard "$bg pre-commit" \
      -n git "git diff --cached --name-only") >/dev/null
    read -r ours_best ours_median git_best git_median < <(python3 - "$json" <<'EOF'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
ms = lambda v: v * 1000
print(*(f"{ms(f(r[c])):.2f}" for c in ("bindguard", "git") for f in (lambda x: x["min"], lambda x: x["median"])))
EOF
)
  else
    read -r ours_best ours_median < <(cd "$repo" && time_ms "$bg" pre-commit)
    read -r git_best git_median < <(cd "$repo" && time_ms git diff --cached --name-only)
  fi

  printf '  %-34s best %8s ms   median %8s ms\n' "bindguard pre-commit" "$ours_best" "$ours_median"
  printf '  %-34s best %8s ms   median %8s ms\n' "git diff --cached --name-only" "$git_best" "$git_median"
  awk -v ob="$ours_best" -v om="$ours_median" -v gb="$git_best" -v gm="$git_median" 'BEGIN {
    printf "  ratio bindguard/git: best %.2f   median %.2f   (goal <= 1.5)\n", ob / gb, om / gm }'
}

measure "a new constant" "BENCH_MARKER = %s"
measure "a new call" "print(BENCH_MARKER, %s)"
