#!/usr/bin/env bash
# Real-world run: `bindguard check` over the sources of 61 server-heavy Python projects pinned
# below (sdists from PyPI; a pure-Python wheel where no usable sdist exists), recording every
# CSP-D404 finding so that a change to the rule can be reviewed by what it adds and removes on
# real code. With a saved baseline (bench/realworld.baseline.tsv) it prints, per project, the
# findings added, removed and changed (with the source line of each), then a summary table;
# without one it prints every finding and the table.
#
# Usage: bench/realworld.sh [--save] [--compare-linters]
#   --save             write the results as the new bench/realworld.baseline.tsv
#   --compare-linters  also run ruff (S104 only) and bandit (B104 only) on each project and print
#                      the counts beside bindguard's (the ones on PATH, else pinned versions
#                      installed into a venv under the cache directory)
# Environment:
#   REALWORLD_DIR=DIR  cache directory (default target/realworld): downloads in dl/, unpacked
#                      sources in src/NAME-VERSION/ (kept between runs), results in results/
#   BINDGUARD=PATH     binary to measure (default: cargo build --release --locked -q and
#                      target/release/bindguard)
#
# Results (in REALWORLD_DIR/results/, rewritten each run):
#   current.tsv   one line per finding, sorted: project, path (relative to the project), line,
#                 column, host, sink line, sink description, suppressed (0/1); the baseline has
#                 the same format
#   projects.tsv  per project: version, .py files, files checked, findings, suppressed, syntax
#                 errors, skipped files, bindguard's exit code, wall time in ms
#   problems.tsv  per project: syntax errors, skipped files, exits other than 0/1 (with stderr)
#   json/NAME.json  bindguard's raw output;  linters.tsv (with --compare-linters): ruff and
#                 bandit findings as tool, project, path, line
# Exit 1 from bindguard (findings) is expected; exit 2 or a crash is recorded for that project
# and the run goes on. Downloads are about 200 MB (gradio, nicegui, panel and mlflow are most of
# it; about 730 MB unpacked) and happen once; a later run only reads the cache.
set -euo pipefail
cd "$(dirname "$0")/.."

save=0
linters=0
for arg in "$@"; do
  case $arg in
    --save) save=1 ;;
    --compare-linters) linters=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "realworld.sh: unknown argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done

# name version from: "sdist" is `pip download --no-binary NAME`; "wheel" is a pure-Python wheel
# (for Python 3.12), used where the project publishes no sdist (tensorboard), where its newest
# sdist is years old (mitmproxy) or where the sdist's metadata build needs node (panel).
projects=(
  "aiocoap 0.4.17 sdist"
  "aiohttp 3.14.5 sdist"
  "aiosmtpd 1.4.6 sdist"
  "asyncssh 2.24.1 sdist"
  "asyncua 2.1.0 sdist"
  "bokeh 3.9.2 sdist"
  "bottle 0.13.5 sdist"
  "celery 5.7.0 sdist"
  "channels 4.3.2 sdist"
  "cheroot 11.1.2 sdist"
  "cherrypy 18.10.0 sdist"
  "daphne 4.2.3 sdist"
  "dash 4.4.1 sdist"
  "datasette 0.65.5 sdist"
  "distributed 2026.8.0 sdist"
  "django 5.2.19 sdist"
  "dnslib 0.9.26 sdist"
  "eventlet 0.41.3 sdist"
  "flask 3.1.3 sdist"
  "flask-socketio 5.7.0 sdist"
  "flower 2.2.0 sdist"
  "gevent 26.9.0 sdist"
  "gradio 6.31.0 sdist"
  "gunicorn 27.0.1 sdist"
  "httpbin 0.10.4 sdist"
  "hypercorn 0.18.0 sdist"
  "impacket 0.13.1 sdist"
  "ipyparallel 9.2.0 sdist"
  "jupyter-server 2.21.1 sdist"
  "locust 2.47.0 sdist"
  "mitmproxy 12.3.1 wheel"
  "mkdocs 1.6.1 sdist"
  "mlflow 3.18.0 sdist"
  "nicegui 3.18.0 sdist"
  "notebook 7.6.5 sdist"
  "panel 1.10.0 wheel"
  "paramiko 5.1.0 sdist"
  "prometheus-client 0.26.0 sdist"
  "pyftpdlib 2.2.0 sdist"
  "pymodbus 3.16.1 sdist"
  "pyro5 5.17 sdist"
  "pysnmp 7.1.30 sdist"
  "python-socketio 5.18.1 sdist"
  "pywebio 1.8.4 sdist"
  "pyzmq 27.3.0 sdist"
  "rpyc 6.0.2 sdist"
  "sanic 25.12.1 sdist"
  "scrapy 2.19.0 sdist"
  "sphinx-autobuild 2025.8.25 sdist"
  "streamlit 1.67.0 sdist"
  "tensorboard 2.21.0 wheel"
  "tftpy 0.8.7 sdist"
  "thriftpy2 0.7.1 sdist"
  "tornado 6.6.1 sdist"
  "twisted 26.10.0 sdist"
  "uvicorn 0.55.0 sdist"
  "voila 0.5.13 sdist"
  "waitress 3.0.2 sdist"
  "websockets 17.4 sdist"
  "werkzeug 3.1.9 sdist"
  "zerorpc 0.6.3 sdist"
)
ruff_version=0.17.6
bandit_version=1.9.4

work=${REALWORLD_DIR:-target/realworld}
mkdir -p "$work"
work=$(cd "$work" && pwd)
venv=$work/venv
res=$work/results
baseline=$PWD/bench/realworld.baseline.tsv

ensure_venv() {
  if [ ! -x "$venv/bin/pip" ]; then
    python3 -m venv "$venv"
  fi
}

# fetch NAME VERSION FROM: unpacks the project into src/NAME-VERSION/ unless it is there
# (the folder appears only once complete); downloads into dl/NAME-VERSION/ unless present.
fetch() {
  local name=$1 version=$2 from=$3
  local dest=$work/src/$name-$version dl=$work/dl/$name-$version
  [ -d "$dest" ] && return 0
  if ! compgen -G "$dl/*" >/dev/null; then
    ensure_venv
    mkdir -p "$dl"
    echo "downloading $name $version ($from)" >&2
    case $from in
      sdist) "$venv/bin/pip" download -q --no-deps --no-binary "$name" -d "$dl" "$name==$version" ;;
      wheel) "$venv/bin/pip" download -q --no-deps --only-binary :all: --python-version 3.12 \
               -d "$dl" "$name==$version" ;;
    esac
  fi
  local archives=("$dl"/*)
  if [ "${#archives[@]}" -ne 1 ]; then
    echo "realworld.sh: expected one archive in $dl, found ${#archives[@]}" >&2
    exit 2
  fi
  local archive=${archives[0]} tmp=$dest.partial
  rm -rf "$tmp" && mkdir -p "$tmp"
  case $archive in
    *.tar.gz|*.tgz|*.tar.bz2|*.tar.xz|*.tar) tar -xf "$archive" -C "$tmp" --strip-components=1 ;;
    *.whl|*.zip) unzip -q "$archive" -d "$tmp" ;;
    *) echo "realworld.sh: unknown archive type: $archive" >&2; exit 2 ;;
  esac
  mv "$tmp" "$dest"
}

for entry in "${projects[@]}"; do
  read -r name version from <<<"$entry"
  fetch "$name" "$version" "$from"
done

if [ -n "${BINDGUARD:-}" ]; then
  bg=$(command -v "$BINDGUARD" || true)
  if [ -z "$bg" ] || [ ! -x "$bg" ]; then
    echo "realworld.sh: BINDGUARD=$BINDGUARD is not an executable" >&2
    exit 2
  fi
  bg=$(cd "$(dirname "$bg")" && pwd)/$(basename "$bg")
else
  cargo build --release --locked -q
  target=${CARGO_TARGET_DIR:-target}
  case $target in /*) ;; *) target=$PWD/$target ;; esac
  bg=$target/release/bindguard
fi

rm -rf "$res" && mkdir -p "$res/json"
: >"$res/runs.tsv"
echo "bindguard: $bg ($("$bg" --version 2>/dev/null || echo 'version unknown'))" >&2
for entry in "${projects[@]}"; do
  read -r name version from <<<"$entry"
  dir=$work/src/$name-$version
  pyfiles=$(find "$dir" -type f \( -name '*.py' -o -name '*.pyi' -o -name '*.pyw' \) | wc -l)
  rc=0
  t0=$(date +%s%N)
  (cd "$dir" && "$bg" check --format json .) >"$res/json/$name.json" 2>"$res/json/$name.stderr" || rc=$?
  t1=$(date +%s%N)
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$version" "$rc" $(( (t1 - t0) / 1000000 )) "$pyfiles" "$dir" \
    >>"$res/runs.tsv"
done

if [ "$linters" = 1 ]; then
  ruff=$(command -v ruff || true)
  bandit=$(command -v bandit || true)
  if [ -z "$ruff" ] || [ -z "$bandit" ]; then
    ensure_venv
    [ -x "$venv/bin/ruff" ] || "$venv/bin/pip" install -q "ruff==$ruff_version"
    [ -x "$venv/bin/bandit" ] || "$venv/bin/pip" install -q "bandit==$bandit_version"
    ruff=${ruff:-$venv/bin/ruff}
    bandit=${bandit:-$venv/bin/bandit}
  fi
  echo "linters: $("$ruff" --version), $("$bandit" --version 2>/dev/null | head -n1)" >&2
  mkdir -p "$res/ruff" "$res/bandit"
  : >"$res/linter-runs.tsv"
  for entry in "${projects[@]}"; do
    read -r name version from <<<"$entry"
    dir=$work/src/$name-$version
    t0=$(date +%s%N)
    (cd "$dir" && "$ruff" check --no-cache --isolated --select S104 --output-format json --exit-zero .) \
      >"$res/ruff/$name.json" 2>"$res/ruff/$name.stderr" || true
    t1=$(date +%s%N)
    (cd "$dir" && "$bandit" -q -t B104 -f json -r .) >"$res/bandit/$name.json" 2>"$res/bandit/$name.stderr" || true
    t2=$(date +%s%N)
    printf '%s\t%s\t%s\t%s\n' "$name" $(( (t1 - t0) / 1000000 )) $(( (t2 - t1) / 1000000 )) "$dir" \
      >>"$res/linter-runs.tsv"
  done
fi

python3 - "$res" "$baseline" "$save" "$linters" <<'PY'
import json, os, sys

res, baseline_path, save, linters = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4] == "1"
COLUMNS = ["project", "path", "line", "column", "host", "sink_line", "sink_description", "suppressed"]


def cell(value):
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def relative(path):
    path = str(path)
    while path.startswith("./"):
        path = path[2:]
    return path


def sort_key(row):
    return (row[0], row[1], int(row[2]), int(row[3])) + tuple(row[4:])


runs = [line.rstrip("\n").split("\t") for line in open(os.path.join(res, "runs.tsv"), encoding="utf-8")]
rows, projects, problems, srcdirs = [], [], [], {}
for name, version, rc, ms, pyfiles, srcdir in runs:
    srcdirs[name] = srcdir
    stderr = open(os.path.join(res, "json", name + ".stderr"), encoding="utf-8", errors="replace").read().strip()
    try:
        doc = json.load(open(os.path.join(res, "json", name + ".json"), encoding="utf-8"))
    except (OSError, ValueError):
        doc = None
    if rc not in ("0", "1") or doc is None:
        first = stderr.splitlines()[0] if stderr else "(no output)"
        problems.append((name, "exit " + rc, "", "", first))
    if doc is None:
        projects.append([name, version, pyfiles, "-", 0, 0, 0, 0, rc, ms])
        continue
    found = doc.get("findings", []) + doc.get("suppressed_findings", [])
    for f in found:
        sinks = f.get("sinks") or ([f["sink"]] if f.get("sink") else [])
        path = relative(f["path"])
        where = ",".join(
            (relative(s["path"]) + ":" if s.get("path") and relative(s["path"]) != path else "") + str(s.get("line", ""))
            for s in sinks)
        what = "; ".join(str(s.get("description") or s.get("callee") or "") for s in sinks)
        rows.append([name, path, f["line"], f["column"], f.get("host", ""), where, what, 1 if f.get("suppressed") else 0])
    for e in doc.get("errors", []):
        problems.append((name, "syntax-error", relative(e.get("path", "")), e.get("line", ""), e.get("message", "")))
    for s in doc.get("skipped", []):
        problems.append((name, "skipped", relative(s.get("path", "")), "", s.get("reason", "")))
    summary = doc.get("summary", {})
    suppressed = sum(1 for f in found if f.get("suppressed"))
    projects.append([name, version, pyfiles, summary.get("files_checked", "-"), len(found) - suppressed, suppressed,
                     len(doc.get("errors", [])), len(doc.get("skipped", [])), rc, ms])

rows = sorted(([cell(v) for v in row] for row in rows), key=sort_key)
header = "# " + "\t".join(COLUMNS) + "\n"
with open(os.path.join(res, "current.tsv"), "w", encoding="utf-8") as out:
    out.write(header)
    out.writelines("\t".join(row) + "\n" for row in rows)
with open(os.path.join(res, "projects.tsv"), "w", encoding="utf-8") as out:
    out.write("# project\tversion\tpy_files\tfiles_checked\tfindings\tsuppressed\tsyntax_errors\tskipped\texit\tms\n")
    out.writelines("\t".join(cell(v) for v in p) + "\n" for p in projects)
with open(os.path.join(res, "problems.tsv"), "w", encoding="utf-8") as out:
    out.write("# project\tkind\tpath\tline\tmessage\n")
    out.writelines("\t".join(cell(v) for v in p) + "\n" for p in problems)

_lines = {}


def source_line(project, path, line):
    key = (project, path)
    if key not in _lines:
        try:
            with open(os.path.join(srcdirs[project], path), encoding="utf-8", errors="replace") as f:
                _lines[key] = f.read().splitlines()
        except OSError:
            _lines[key] = []
    text = _lines[key][int(line) - 1].strip() if 0 < int(line) <= len(_lines[key]) else ""
    return text if len(text) <= 110 else text[:107] + "..."


def show(mark, row):
    project, path, line, column, host, sink_line, desc, suppressed = row
    flag = " [suppressed]" if suppressed == "1" else ""
    print(f"  {mark} {path}:{line}:{column} {host!r} -> {desc} (line {sink_line}){flag}")
    text = source_line(project, path, line)
    if text:
        print(f"      | {text}")


baseline = None
if os.path.exists(baseline_path):
    with open(baseline_path, encoding="utf-8") as f:
        baseline = [line.rstrip("\n").split("\t") for line in f if line.strip() and not line.startswith("#")]

names = [p[0] for p in projects]
per_project = {n: {"added": 0, "removed": 0, "changed": 0, "base": 0} for n in names}
if baseline is None:
    print(f"== findings ({len(rows)}; no baseline at {os.path.relpath(baseline_path)})")
    current_project = None
    for row in rows:
        if row[0] != current_project:
            current_project = row[0]
            print(f"-- {current_project}")
        show(" ", row)
else:
    key = lambda r: tuple(r[:5])
    old = {key(r): r for r in baseline}
    new = {key(r): r for r in rows}
    for n in {r[0] for r in baseline} - set(names):
        per_project[n] = {"added": 0, "removed": 0, "changed": 0, "base": 0}
    for r in baseline:
        per_project[r[0]]["base"] += 1
    changes = {}
    for k, r in new.items():
        if k not in old:
            changes.setdefault(r[0], []).append(("+", r))
        elif old[k] != r:
            changes.setdefault(r[0], []).append(("~", r))
    for k, r in old.items():
        if k not in new:
            changes.setdefault(r[0], []).append(("-", r))
    total = {m: sum(1 for c in changes.values() for mark, _ in c if mark == m) for m in "+-~"}
    print(f"== against {os.path.relpath(baseline_path)}: {len(baseline)} findings before, {len(rows)} now: "
          f"{total['+']} added, {total['-']} removed, {total['~']} changed (sink or suppression)")
    for project in sorted(changes):
        entries = sorted(changes[project], key=lambda e: sort_key(e[1]))
        counts = {m: sum(1 for mark, _ in entries if mark == m) for m in "+-~"}
        per_project[project].update(added=counts["+"], removed=counts["-"], changed=counts["~"])
        print(f"-- {project}: +{counts['+']} -{counts['-']} ~{counts['~']}")
        for mark, row in entries:
            show(mark, row)
            if mark == "~":
                before = old[key(row)]
                print(f"      was: -> {before[6]} (line {before[5]}){' [suppressed]' if before[7] == '1' else ''}")

print()
with_base = baseline is not None
head = f"{'project':<18} {'version':>10} {'.py':>5} {'checked':>7} {'found':>5} {'supp':>4}"
if with_base:
    head += f" {'base':>5} {'+':>3} {'-':>3} {'~':>3}"
head += f" {'synerr':>6} {'skip':>4} {'exit':>4} {'ms':>6}"
print(head)
print("-" * len(head))
tot = [0] * 10
for p in projects:
    name, version, pyfiles, checked, found, supp, errs, skipped, rc, ms = p
    d = per_project[name]
    line = f"{name:<18} {version:>10} {pyfiles:>5} {checked:>7} {found:>5} {supp:>4}"
    if with_base:
        line += f" {d['base']:>5} {d['added']:>3} {d['removed']:>3} {d['changed']:>3}"
    line += f" {errs:>6} {skipped:>4} {rc:>4} {ms:>6}"
    print(line)
    for i, v in enumerate([int(pyfiles), int(checked) if str(checked).isdigit() else 0, found, supp, d["base"],
                           d["added"], d["removed"], d["changed"], errs, int(ms)]):
        tot[i] += v
line = f"{'total (' + str(len(projects)) + ')':<18} {'':>10} {tot[0]:>5} {tot[1]:>7} {tot[2]:>5} {tot[3]:>4}"
if with_base:
    line += f" {tot[4]:>5} {tot[5]:>3} {tot[6]:>3} {tot[7]:>3}"
line += f" {tot[8]:>6} {sum(p[7] for p in projects):>4} {'':>4} {tot[9]:>6}"
print(line)
failed = [p for p in problems if p[1].startswith("exit")]
for p in failed:
    print(f"ERROR {p[0]}: bindguard {p[1]}: {p[4]}")
if problems:
    print(f"{len(problems)} problems (syntax errors, skipped files, failed runs): {os.path.join(res, 'problems.tsv')}")
print(f"results: {os.path.join(res, 'current.tsv')}, {os.path.join(res, 'projects.tsv')}")

if linters:
    lrows, lcounts = [], {}
    for line in open(os.path.join(res, "linter-runs.tsv"), encoding="utf-8"):
        name, ruff_ms, bandit_ms, srcdir = line.rstrip("\n").split("\t")
        counts = lcounts[name] = {"ruff": "err", "bandit": "err", "ruff_ms": int(ruff_ms), "bandit_ms": int(bandit_ms)}
        try:
            found = json.load(open(os.path.join(res, "ruff", name + ".json"), encoding="utf-8"))
            for f in found:
                lrows.append(["ruff", name, os.path.relpath(f["filename"], srcdir), f["location"]["row"]])
            counts["ruff"] = len(found)
        except (OSError, ValueError, KeyError, TypeError):
            pass
        try:
            found = json.load(open(os.path.join(res, "bandit", name + ".json"), encoding="utf-8"))["results"]
            for f in found:
                lrows.append(["bandit", name, relative(f["filename"]), f["line_number"]])
            counts["bandit"] = len(found)
        except (OSError, ValueError, KeyError, TypeError):
            pass
    lrows.sort(key=lambda r: (r[0], r[1], r[2], int(r[3])))
    with open(os.path.join(res, "linters.tsv"), "w", encoding="utf-8") as out:
        out.write("# tool\tproject\tpath\tline\n")
        out.writelines("\t".join(cell(v) for v in r) + "\n" for r in lrows)
    print()
    head = f"{'project':<18} {'bindguard':>9} {'ruff S104':>9} {'bandit B104':>11} {'bg ms':>6} {'ruff ms':>7} {'bandit ms':>9}"
    print(head)
    print("-" * len(head))
    sums = [0, 0, 0, 0, 0, 0]
    for p in projects:
        c = lcounts.get(p[0], {"ruff": "-", "bandit": "-", "ruff_ms": 0, "bandit_ms": 0})
        print(f"{p[0]:<18} {p[4] + p[5]:>9} {c['ruff']:>9} {c['bandit']:>11} {p[9]:>6} {c['ruff_ms']:>7} {c['bandit_ms']:>9}")
        for i, v in enumerate([p[4] + p[5], c["ruff"], c["bandit"], int(p[9]), c["ruff_ms"], c["bandit_ms"]]):
            sums[i] += v if isinstance(v, int) else 0
    print(f"{'total':<18} {sums[0]:>9} {sums[1]:>9} {sums[2]:>11} {sums[3]:>6} {sums[4]:>7} {sums[5]:>9}")
    print("(bindguard counts suppressed findings too; ruff and bandit flag any all-interfaces literal, bind or not)")
    print(f"linter findings: {os.path.join(res, 'linters.tsv')}")

if save:
    with open(baseline_path, "w", encoding="utf-8") as out:
        out.write(header)
        out.writelines("\t".join(row) + "\n" for row in rows)
    print(f"saved {len(rows)} findings to {os.path.relpath(baseline_path)}")
PY
