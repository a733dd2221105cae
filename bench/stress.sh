#!/usr/bin/env bash
# Stress: the hostile inputs of issue 10, each run once with its wall time and peak memory
# (GNU time's %e and %M: the largest resident set of the process and the children it waited for).
#
#   big-blob      a BIG_MB MiB Python blob (default 1024) pushed to a server with
#                 bindguard.maxBlobSize=2g: over the memory cap per file, it is not read
#   big-blob-cap  the same blob with bindguard.maxFileMemory=20g as well: read (its text fits),
#                 then refused by the estimate before parsing
#   deep          `check` over four 40,000-deep lists, a 50,000-deep list and a 1M-term `0+0+…`
#   long-line     `check` over a 50 MB one-line file (refused by the memory estimate) and a 5 MB
#                 one (analysed)
#   slow-budget   pre-receive over 8 slow files with bindguard.timeBudget=1s, and with no budget
#   concurrent    CONCURRENT real `git push`es at once (default 4), 200 commits each, into one
#                 server with the hook installed by install.sh --server
#
# The hook runs as git runs it (GIT_DIR, stdin `<old> <new> <ref>`) on a bare repository that
# already holds the objects, so the time is bindguard's. Findings and refusals are expected
# (exit 1); exit 2 or a signal is printed as it is.
#
# Usage: bench/stress.sh [CASE…]   Environment: BINDGUARD_BIN (else target/release/bindguard is
# built), STRESS_DIR (work directory, kept; else a temporary one, removed), BIG_MB, CONCURRENT.
# Needs git, python3 and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(big-blob big-blob-cap deep long-line slow-budget concurrent)
big_mb=${BIG_MB:-1024}
concurrent=${CONCURRENT:-4}

if [ -n "${BINDGUARD_BIN:-}" ]; then
  bg=$BINDGUARD_BIN
else
  cargo build --release --locked -q
  bg=$root/target/release/bindguard
fi
if [ -n "${STRESS_DIR:-}" ]; then
  work=$STRESS_DIR
  mkdir -p "$work"
else
  work=$(mktemp -d /tmp/bindguard-stress.XXXXXX)
  trap 'rm -rf "$work"' EXIT
fi
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$work/gitconfig"
git config --file "$work/gitconfig" user.name stress
git config --file "$work/gitconfig" user.email stress@example.invalid
git config --file "$work/gitconfig" init.defaultBranch main
zero=0000000000000000000000000000000000000000

printf '%-34s %9s %9s %5s  %s\n' case seconds "peak MB" exit "last line"

# measure NAME COMMAND… : runs it once, prints wall time, peak RSS, exit status, its last line.
measure() {
  local name=$1
  shift
  local rc=0
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/out" 2>&1 || rc=$?
  local secs kb
  # GNU time writes "Command exited with non-zero status N" first when the command fails.
  read -r secs kb < <(tail -n 1 "$work/time") || { secs=?; kb=0; }
  local last
  last=$(grep -v '^Command exited\|^Command terminated' "$work/out" | tail -n 1 | cut -c1-110)
  printf '%-34s %9s %9d %5s  %s\n' "$name" "$secs" $((kb / 1024)) "$rc" "$last"
}

# A bare repository holding the objects of `src`'s HEAD and no ref; prints its path.
server_with() {
  local name=$1 src=$2
  local server=$work/$name.git
  rm -rf "$server"
  git init -q --bare "$server"
  git -C "$src" push -q "$server" "HEAD:refs/stress/objects"
  # The objects stay, the ref goes: every commit is new to the hook.
  git --git-dir="$server" update-ref -d refs/stress/objects
  echo "$server"
}

# hook SERVER COMMIT : the command line of pre-receive as git runs it, for a new branch at COMMIT.
hook() {
  printf '%s\n' env "GIT_DIR=$1" sh -c "echo '$zero $2 refs/heads/new' | '$bg' pre-receive"
}

big_blob_repo() {
  local repo=$work/big
  if [ ! -d "$repo/.git" ]; then
    git init -q "$repo"
    python3 - "$repo/big.py" "$big_mb" <<'EOF'
import sys
path, mb = sys.argv[1], int(sys.argv[2])
line = b"X = 1  # filler filler filler filler filler filler filler filler filler\n"
with open(path, "wb") as f:
    f.write(b"from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0')\n")
    for _ in range(mb * (1 << 20) // len(line)):
        f.write(line)
EOF
    git -C "$repo" add big.py
    git -C "$repo" commit -qm big
  fi
  echo "$repo"
}

case_big_blob() {
  local repo server
  repo=$(big_blob_repo)
  server=$(server_with big "$repo")
  git --git-dir="$server" config bindguard.maxBlobSize 2g
  mapfile -t cmd < <(hook "$server" "$(git -C "$repo" rev-parse HEAD)")
  measure "big-blob (${big_mb} MiB)" "${cmd[@]}"
}

case_big_blob_cap() {
  local repo server
  repo=$(big_blob_repo)
  server=$(server_with bigcap "$repo")
  git --git-dir="$server" config bindguard.maxBlobSize 2g
  git --git-dir="$server" config bindguard.maxFileMemory 20g
  mapfile -t cmd < <(hook "$server" "$(git -C "$repo" rev-parse HEAD)")
  measure "big-blob, maxFileMemory=20g" "${cmd[@]}"
}

case_deep() {
  local dir=$work/deep
  mkdir -p "$dir"
  python3 - "$dir" <<'EOF'
import sys
d = sys.argv[1]
head = "import socket\nsocket.socket().bind(('0.0.0.0', 80))\n"
for i in range(4):
    open(f"{d}/deep{i}.py", "w").write(head + "x = " + "[" * 40000 + "0" + "]" * 40000 + "\n")
open(f"{d}/deeper.py", "w").write(head + "x = " + "[" * 50000 + "0" + "]" * 50000 + "\n")
open(f"{d}/chain.py", "w").write(head + "x = " + "0+" * 1000000 + "0\n")
EOF
  measure "deep (4x40k, 50k, 1M chain)" "$bg" check --max-file-size 100000000 "$dir"
}

case_long_line() {
  local dir=$work/long
  mkdir -p "$dir"
  python3 - "$dir" <<'EOF'
import sys
d = sys.argv[1]
head = "import socket\nsocket.socket().bind(('0.0.0.0', 80))\n"
open(f"{d}/fifty.py", "w").write(head + "x = [" + ",".join(["0"] * 25_000_000) + "]\n")
open(f"{d}/five.py", "w").write(head + "x = [" + ",".join(["0"] * 2_500_000) + "]\n")
EOF
  measure "long-line 50 MB" "$bg" check --max-file-size 100000000 "$dir/fifty.py"
  measure "long-line 5 MB" "$bg" check --max-file-size 100000000 "$dir/five.py"
}

case_slow_budget() {
  local repo=$work/slow server commit
  if [ ! -d "$repo/.git" ]; then
    git init -q "$repo"
    python3 - "$repo" <<'EOF'
import sys
d = sys.argv[1]
for n in range(8):
    text = ["import socket\ns = socket.socket()\n"]
    for i in range(3000):
        text.append(f"def f{i}(h=H{i % 50}):\n    x = f{(i + 1) % 3000}(h) if h else f{(i + 7) % 3000}(h)\n"
                    f"    s.bind((x, {i}))\n    return x\n")
    text += [f"H{i} = H{(i + 1) % 50} if C else '10.0.0.{i}'\n" for i in range(50)]
    open(f"{d}/slow{n}.py", "w").write("".join(text))
EOF
    git -C "$repo" add -A
    git -C "$repo" commit -qm slow
  fi
  server=$(server_with slow "$repo")
  commit=$(git -C "$repo" rev-parse HEAD)
  mapfile -t cmd < <(hook "$server" "$commit")
  git --git-dir="$server" config bindguard.timeBudget 1s
  measure "slow-budget (8 files, 1s budget)" "${cmd[@]}"
  git --git-dir="$server" config bindguard.timeBudget off
  measure "slow-budget (8 files, no budget)" "${cmd[@]}"
}

case_concurrent() {
  local server=$work/concurrent.git seed=$work/seed
  rm -rf "$server" "$seed" "$work"/pusher*
  git init -q --bare "$server"
  BINDGUARD_BIN=$bg sh "$root/install.sh" --no-build --server --repo "$server" >/dev/null
  git init -q "$seed"
  git -C "$seed" commit -q --allow-empty -m seed
  git -C "$seed" push -q "$server" main 2>/dev/null
  for p in $(seq 1 "$concurrent"); do
    git clone -q "$server" "$work/pusher$p"
    git -C "$work/pusher$p" checkout -q -b "branch$p"
    python3 - "$work/pusher$p" "$p" <<'EOF'
import subprocess, sys
d, p = sys.argv[1], sys.argv[2]
for c in range(200):
    open(f"{d}/mod{c % 20}.py", "w").write(f"VALUE = {c}\nHOST = '127.0.0.{p}'\n")
    subprocess.run(["git", "-C", d, "add", "-A"], check=True)
    subprocess.run(["git", "-C", d, "commit", "-qm", f"c{c}"], check=True)
EOF
  done
  local started
  started=$(date +%s.%N)
  for p in $(seq 1 "$concurrent"); do
    (measure "concurrent push $p of $concurrent" git -C "$work/pusher$p" push -q origin "branch$p" >"$work/concurrent$p.txt") &
  done
  wait
  cat "$work"/concurrent*.txt
  printf 'concurrent: all %d pushes done in %.2f s\n' "$concurrent" "$(echo "$(date +%s.%N) - $started" | bc)"
}

export BINDGUARD_BIN=$bg
for c in "${cases[@]}"; do
  case $c in
    big-blob) case_big_blob ;;
    big-blob-cap) case_big_blob_cap ;;
    deep) case_deep ;;
    long-line) case_long_line ;;
    slow-budget) case_slow_budget ;;
    concurrent) case_concurrent ;;
    *) echo "unknown case $c" >&2; exit 2 ;;
  esac
done
