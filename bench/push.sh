#!/usr/bin/env bash
# Benchmark: `bindguard pre-receive` over a long pushed history, against `git log -p` and
# `git rev-list --objects` over the same commits, plus peak memory at 1x, 2x and 4x the commits.
#
# The history is built locally with `git fast-import`: every commit rewrites FILES_PER_COMMIT
# files taken from this machine's Python standard library, each with one line mutated (so every
# commit has real line diffs against real Python). The hook is timed on the bare repository
# holding the objects with no refs (so every commit is new, as in the first push of a
# repository), exactly as git runs it: `GIT_DIR`, stdin `<old> <new> <ref>`. A real `git push`
# into an empty bare repository with the hook installed (install.sh --server) is timed too,
# against the same push without the hook.
#
# Usage: bench/push.sh [COMMITS] [RUNS]   (default 2000 commits, 3 runs; best wall time reported)
#
# Real-history mode: bench/push.sh --history GITDIR [REF] [RUNS]   (default REF: GITDIR's HEAD,
# 3 runs). GITDIR is an existing local clone (bare or not) of some project; nothing is fetched.
# An EMPTY bare server repository is created whose objects come from GITDIR through
# objects/info/alternates (no refs, so every commit reachable from REF is new, as in the first
# push of that project), with bindguard.timeBudget and bindguard.maxCommits off so the hook
# scans everything. Then, interleaved run by run (one run of each command, RUNS times), the
# script times
#   (a) `bindguard pre-receive` as git runs it: GIT_DIR=<server>, stdin `<zero> <REF's commit>
#       refs/heads/new`;
#   (b) `git log -p --no-renames <commit> -- '*.py'` in the server repository, to /dev/null;
#   (c) `git log --raw --no-renames <commit>` in the server repository, to /dev/null;
# and prints, per command, the median and best wall time, median CPU time (user+sys), max RSS
# and peak anonymous RSS (RssAnon, sampled every 5 ms), and the ratios bindguard / git log -p and
# bindguard / git log --raw. Max RSS includes the pages of the mapped packs that were touched.
# (git log shows no diff for merge commits; bindguard diffs a merge against every parent.)
# It then repeats the measurement on prefixes of the history, for RSS as the history grows: for
# each N in DEPTHS (default "5000 15000"), the first-parent commit of REF whose history is the
# smallest one holding at least N commits (the exact count is printed), DEPTH_RUNS runs each
# (default 1). The full history is the last row. Environment: BINDGUARD_BIN (use this binary
# instead of building target/release/bindguard), BENCH_DIR (work directory, kept), DEPTHS,
# DEPTH_RUNS. Findings in the scanned history are expected (exit 1); exit 2 aborts the benchmark.
set -euo pipefail
# The allocator settings the installed hooks export (hooks/pre-receive), so that the figures are
# the server's.
hook_env=("MIMALLOC_PURGE_DELAY=${MIMALLOC_PURGE_DELAY-0}" "MIMALLOC_ARENA_EAGER_COMMIT=${MIMALLOC_ARENA_EAGER_COMMIT-0}")
cd "$(dirname "$0")/.."

if [ "${1:-}" = --history ]; then
  [ $# -ge 2 ] || { echo "usage: bench/push.sh --history GITDIR [REF] [RUNS]" >&2; exit 2; }
  src_dir=$2
  ref=${3:-HEAD}
  runs=${4:-3}
  depths=${DEPTHS-5000 15000}
  depth_runs=${DEPTH_RUNS:-1}
  work=${BENCH_DIR:-$(mktemp -d /tmp/bindguard-history-bench.XXXXXX)}
  mkdir -p "$work"
  export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$work/gitconfig"
  touch "$work/gitconfig"
  common=$(git -C "$src_dir" rev-parse --path-format=absolute --git-common-dir)
  objects="$common/objects"
  tip=$(git --git-dir="$common" rev-parse --verify "$ref^{commit}")
  if [ -n "${BINDGUARD_BIN:-}" ]; then
    bg=$BINDGUARD_BIN
  else
    cargo build --release --locked -q
    bg=$PWD/target/release/bindguard
  fi
  zero=0000000000000000000000000000000000000000

  # The empty server repository: no refs, every object borrowed from GITDIR.
  server="$work/server.git"
  rm -rf "$server"
  git init -q --bare "$server"
  printf '%s\n' "$objects" >"$server/objects/info/alternates"
  git --git-dir="$server" config bindguard.timeBudget off
  git --git-dir="$server" config bindguard.maxCommits off

  # measure LABEL RESULTS STDIN ERRFILE CMD...: one run; appends
  # "LABEL<TAB>wall<TAB>user<TAB>sys<TAB>maxrss_kb<TAB>peak_anon_kb<TAB>rc" to RESULTS.
  measure() {
    python3 - "$@" <<'EOF_PY'
import os, subprocess, sys, time
label, results, stdin_path, err_path, *cmd = sys.argv[1:]
with open(stdin_path, "rb") as fin, open(err_path, "wb") as ferr, open(os.devnull, "wb") as fout:
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=fin, stdout=fout, stderr=ferr)
    anon = 0
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        try:
            with open(f"/proc/{p.pid}/status") as f:
                for line in f:
                    if line.startswith("RssAnon:"):
                        anon = max(anon, int(line.split()[1]))
                        break
        except OSError:
            pass
        time.sleep(0.005)
    wall = time.monotonic() - t0
p.returncode = rc = os.waitstatus_to_exitcode(status)
with open(results, "a") as out:
    out.write(f"{label}\t{wall:.3f}\t{ru.ru_utime:.3f}\t{ru.ru_stime:.3f}\t{ru.ru_maxrss}\t{anon}\t{rc}\n")
EOF_PY
  }

  # round COMMIT RESULTS TAG: one run of each of the three commands, in turn.
  round() {
    local commit=$1 results=$2 tag=$3
    printf '%s %s refs/heads/new\n' "$zero" "$commit" >"$work/stdin-$tag"
    measure "bindguard pre-receive" "$results" "$work/stdin-$tag" "$work/hook-$tag.err" \
      env GIT_DIR="$server" "${hook_env[@]}" "$bg" pre-receive
    local rc
    rc=$(tail -1 "$results" | cut -f7)
    if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
      echo "bindguard pre-receive failed (exit $rc):" >&2
      tail -5 "$work/hook-$tag.err" >&2
      exit 2
    fi
    measure "git log -p --no-renames -- '*.py'" "$results" /dev/null "$work/log.err" \
      git --git-dir="$server" log -p --no-renames "$commit" -- '*.py'
    measure "git log --raw --no-renames" "$results" /dev/null "$work/log.err" \
      git --git-dir="$server" log --raw --no-renames "$commit"
  }

  # summarize RESULTS: per command, medians over the runs, and the ratios.
  summarize() {
    python3 - "$1" <<'EOF_PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    label, wall, user, sys_, rss, anon, rc = line.rstrip("\n").split("\t")
    rows.setdefault(label, []).append((float(wall), float(user) + float(sys_), int(rss), int(anon)))
med = lambda xs: statistics.median(xs)
print(f"  {'command':<36} {'wall s (median/best)':>21} {'CPU s':>8} {'max RSS MiB':>12} {'peak anon MiB':>14}")
stats = {}
for label, rs in rows.items():
    wall, cpu = med([r[0] for r in rs]), med([r[1] for r in rs])
    rss, anon = med([r[2] for r in rs]) / 1024, med([r[3] for r in rs]) / 1024
    stats[label] = (wall, cpu)
    print(f"  {label:<36} {wall:>10.2f} / {min(r[0] for r in rs):>8.2f} {cpu:>8.2f} {rss:>12.0f} {anon:>14.0f}")
bg = stats["bindguard pre-receive"]
for label, (wall, cpu) in stats.items():
    if label != "bindguard pre-receive" and wall > 0 and cpu > 0:
        print(f"  bindguard / {label}: {bg[0] / wall:.2f}x wall, {bg[1] / cpu:.2f}x CPU")
EOF_PY
  }

  total=$(git --git-dir="$server" rev-list --count "$tip")
  echo "bindguard history benchmark: $ref = $tip ($total commits), $runs interleaved runs, $(nproc) cores"
  if [ -e "$objects/info/commit-graph" ] || [ -d "$objects/info/commit-graphs" ]; then
    echo "GITDIR has a commit-graph"
  fi
  cat "$objects"/pack/*.pack >/dev/null 2>&1 || true # start with the packs in the page cache
  results="$work/results-full.tsv"
  : >"$results"
  for _ in $(seq "$runs"); do round "$tip" "$results" full; done
  grep "^bindguard:" "$work/hook-full.err" || true
  summarize "$results"

  # Prefixes of the history: the first-parent commit whose history first holds N commits.
  if [ -n "$depths" ]; then
    mapfile -t first_parent < <(git --git-dir="$server" rev-list --first-parent --reverse "$tip")
    echo "as the history grows ($depth_runs run(s) each):"
    for n in $depths; do
      ((n < total)) || continue
      lo=0 hi=$((${#first_parent[@]} - 1))
      while ((lo < hi)); do
        mid=$(((lo + hi) / 2))
        if (($(git --git-dir="$server" rev-list --count "${first_parent[mid]}") >= n)); then hi=$mid; else lo=$((mid + 1)); fi
      done
      commit=${first_parent[lo]}
      count=$(git --git-dir="$server" rev-list --count "$commit")
      echo " $count commits (${commit:0:12}):"
      results="$work/results-$n.tsv"
      : >"$results"
      for _ in $(seq "$depth_runs"); do round "$commit" "$results" "$n"; done
      grep "^bindguard:" "$work/hook-$n.err" || true
      summarize "$results"
    done
    echo " $total commits: the full history above"
  fi
  echo "work dir: $work"
  exit 0
fi
commits=${1:-2000}
runs=${2:-3}
files_per_commit=${FILES_PER_COMMIT:-8}
work=${BENCH_DIR:-$(mktemp -d /tmp/bindguard-push-bench.XXXXXX)}
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$work/gitconfig"
git config --global user.name bench && git config --global user.email bench@example.invalid
git config --global init.defaultBranch main

cargo build --release --locked -q
bg=$PWD/target/release/bindguard
stdlib=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
zero=0000000000000000000000000000000000000000

# history N: a bare repository $work/src-N.git with N commits on main.
history() {
  local n=$1 repo="$work/src-$1.git"
  [ -d "$repo" ] && return
  git init -q --bare "$repo"
  python3 - "$stdlib" "$n" "$files_per_commit" <<'EOF' | git -C "$repo" fast-import --quiet
import os, sys
stdlib, n, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(stdlib) for f in fs
               if f.endswith(".py") and "test" not in d and "site-packages" not in d)
files = [f for f in files if 2_000 < os.path.getsize(f) < 200_000][:600]
texts = [open(f, "rb").read().rstrip(b"\n") for f in files]
out = sys.stdout.buffer
for i in range(n):
    out.write(b"commit refs/heads/main\n")
    out.write(b"committer bench <b@example.invalid> %d +0000\n" % (1700000000 + i))
    msg = b"commit %d\n" % i
    out.write(b"data %d\n%s" % (len(msg), msg))
    for k in range(per):
        j = (i * per + k) % len(files)
        # One changed line per version, always valid Python: the file's last line.
        data = texts[j] + b"\n_bench_version = %d\n" % i
        path = os.path.relpath(files[j], stdlib).encode()
        out.write(b"M 100644 inline %s\ndata %d\n%s\n" % (path, len(data), data))
EOF
}

best_ms() { # best wall time in ms of "$@" over $runs runs, output discarded
  local best=999999999
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s%N)
    local ms=$(((t1 - t0) / 1000000)); ((ms < best)) && best=$ms
  done
  echo "$best"
}

# hook_cmd N: the pre-receive hook over all N commits of src-N (objects present, no refs).
hook_repo() {
  local n=$1 repo="$work/hook-$1.git"
  if [ ! -d "$repo" ]; then
    git clone -q --bare "$work/src-$n.git" "$repo"
    git -C "$repo" update-ref -d refs/heads/main
    git -C "$repo" config bindguard.timeBudget off
    git -C "$repo" config bindguard.maxCommits off
  fi
  echo "$repo"
}
run_hook() { # repo tip
  printf '%s %s refs/heads/main\n' "$zero" "$2" | env GIT_DIR="$1" "${hook_env[@]}" "$bg" pre-receive
}
max_rss_kb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

# peak_anon_kb REPO TIP: the hook's peak anonymous memory (RssAnon, sampled every 5 ms). Max RSS
# also counts the pages of the memory-mapped packs the process touched, which grow with the
# history but are page cache the kernel can drop; the anonymous part is what the hook holds.
peak_anon_kb() {
  printf '%s %s refs/heads/main\n' "$zero" "$2" >"$work/stdin"
  env GIT_DIR="$1" "${hook_env[@]}" "$bg" pre-receive <"$work/stdin" >/dev/null 2>&1 &
  local pid=$! peak=0 now
  while kill -0 "$pid" 2>/dev/null; do
    now=$(awk '/^RssAnon/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [ -n "$now" ] && [ "$now" -gt "$peak" ] && peak=$now
    sleep 0.005
  done
  wait "$pid" || true
  echo "$peak"
}

echo "bindguard push benchmark: $files_per_commit files changed per commit, best of $runs runs, $(nproc) cores"
history "$commits"
src="$work/src-$commits.git"
tip=$(git -C "$src" rev-parse main)
repo=$(hook_repo "$commits")
py_blobs=$((commits * files_per_commit))
echo "history: $commits commits, $py_blobs changed .py file versions"
{ run_hook "$repo" "$tip" 2>&1 || true; } | grep "^bindguard:"
hook=$(best_ms run_hook "$repo" "$tip")
log=$(best_ms git -C "$src" log -p --no-renames main -- '*.py')
revlist=$(best_ms git -C "$src" rev-list --objects main)
printf '%-52s %8s ms\n' "bindguard pre-receive (all $commits commits new)" "$hook" \
  "git log -p --no-renames -- '*.py'" "$log" "git rev-list --objects" "$revlist"

# A real push into an empty bare repository, with and without the hook.
push_ms() { # with_hook
  local dst="$work/dst.git"
  rm -rf "$dst" && git init -q --bare "$dst"
  git -C "$dst" config bindguard.timeBudget off && git -C "$dst" config bindguard.maxCommits off
  # Report-only: the stdlib holds a real finding, and a rejected push would not be comparable.
  git -C "$dst" config bindguard.reportOnly true
  if [ "$1" = yes ]; then BINDGUARD_BIN=$bg sh ./install.sh --no-build --server --repo "$dst" >/dev/null; fi
  local t0 t1; t0=$(date +%s%N)
  git -C "$src" push -q "$dst" main >/dev/null 2>&1 || echo "push failed" >&2
  t1=$(date +%s%N); echo $(((t1 - t0) / 1000000))
}
printf '%-52s %8s ms\n' "git push into an empty bare repo, no hook" "$(push_ms no)" \
  "git push into an empty bare repo, bindguard hook" "$(push_ms yes)"

echo "peak memory of the hook as the history grows (max RSS includes mapped pack pages):"
for factor in 1 2 4; do
  n=$((commits * factor / 4))
  history "$n"
  r=$(hook_repo "$n")
  t=$(git -C "$work/src-$n.git" rev-parse main)
  hook_cmd="printf '%s %s refs/heads/main\n' $zero $t | env GIT_DIR=$r ${hook_env[*]} $bg pre-receive"
  printf '  %6d commits: anonymous %8s KiB   max RSS %8s KiB   (git log -p max RSS: %s KiB)\n' "$n" \
    "$(peak_anon_kb "$r" "$t")" "$(max_rss_kb sh -c "$hook_cmd")" \
    "$(max_rss_kb git -C "$work/src-$n.git" log -p --no-renames main -- '*.py')"
done
echo "work dir: $work"
