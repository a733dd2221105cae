#!/bin/sh
# Builds and installs bindguard, then installs its git hooks into a repository.
# Run `./install.sh --help` for the options.
set -eu

usage() {
	cat <<'EOF'
Usage: ./install.sh [OPTIONS]

Builds the release binary (cargo install --path . --locked; a release build takes a few minutes)
and installs bindguard's git hooks into a repository. Hooks are written where git looks for them
(core.hooksPath is respected). A hook that is already there is kept as <hook>.legacy and runs
first; either one can stop git. Running the script again is harmless; --uninstall puts back what
was there.

The common path: run ./install.sh once in this checkout (it installs the binary; it does not hook
the checkout itself), then hook each project with ./install.sh --no-build --repo DIR.

Hook managers: in a husky repository (core.hooksPath=.husky/_) a line is added to
.husky/<hook> (commit it); in a lefthook repository nothing is written and the lines to add to
lefthook.yml are printed. For the pre-commit framework, see the README.

Options:
  --hooks LIST     comma-separated hooks to install: pre-commit, pre-push, pre-receive
                   (default: pre-commit)
  --server         install the pre-receive hook (into a bare repository, given with --repo)
  --repo DIR       the repository to install into (default: the current directory, unless it
                   is this bindguard checkout)
  --prefix DIR     install the binary into DIR/bin instead of cargo's default (~/.cargo/bin)
  --no-build       do not run cargo: use $BINDGUARD_BIN, DIR/bin/bindguard with --prefix, or
                   bindguard on PATH
  --uninstall      remove bindguard's hooks and restore the hooks they replaced
  -h, --help       show this help

The installed hook runs the binary recorded at install time, or `bindguard` on PATH when that
is gone; set BINDGUARD_BIN to override both. Bypass a client hook once with --no-verify.
EOF
}

die() {
	echo "install.sh: $*" >&2
	exit 1
}

say() {
	echo "install.sh: $*"
}

src_dir=$(cd "$(dirname "$0")" && pwd)
hooks=""
server=no
repo=.
repo_given=no
prefix=""
build=yes
uninstall=no

while [ $# -gt 0 ]; do
	case $1 in
		--hooks) [ $# -ge 2 ] || die "--hooks needs a value"; hooks=$2; shift ;;
		--hooks=*) hooks=${1#--hooks=} ;;
		--server) server=yes ;;
		--repo) [ $# -ge 2 ] || die "--repo needs a value"; repo=$2; repo_given=yes; shift ;;
		--repo=*) repo=${1#--repo=}; repo_given=yes ;;
		--prefix) [ $# -ge 2 ] || die "--prefix needs a value"; prefix=$2; shift ;;
		--prefix=*) prefix=${1#--prefix=} ;;
		--no-build) build=no ;;
		--uninstall) uninstall=yes ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; die "unknown option: $1" ;;
	esac
	shift
done

if [ -z "$hooks" ]; then
	if [ $server = yes ]; then hooks=pre-receive; else hooks=pre-commit; fi
fi
hooks=$(echo "$hooks" | tr ',' ' ')
for hook in $hooks; do
	case $hook in
		pre-commit | pre-push | pre-receive) ;;
		*) die "unknown hook '$hook' (choose from pre-commit, pre-push, pre-receive)" ;;
	esac
done

# The directory git runs this repository's hooks from, absolute.
hooks_dir() {
	git -C "$repo" rev-parse --git-dir >/dev/null 2>&1 || die "not a git repository: $repo"
	if [ "$(git -C "$repo" rev-parse --is-bare-repository)" = true ]; then
		base=$(git -C "$repo" rev-parse --absolute-git-dir)
	else
		base=$(git -C "$repo" rev-parse --show-toplevel)
	fi
	dir=$(cd "$base" && git rev-parse --git-path hooks)
	case $dir in
		/*) ;;
		*) dir=$base/$dir ;;
	esac
	mkdir -p "$dir" || die "cannot create the hooks directory $dir"
	(cd "$dir" && pwd)
}

# Absolute path of the bindguard binary to record in the hooks, building it unless --no-build.
find_binary() {
	if [ -n "$prefix" ]; then
		mkdir -p "$prefix" && prefix=$(cd "$prefix" && pwd) || die "cannot use prefix $prefix"
	fi
	if [ $build = yes ]; then
		command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust (https://rustup.rs) or use --no-build"
		if [ -n "$prefix" ]; then
			cargo install --path "$src_dir" --locked --root "$prefix" >&2 || die "cargo install failed"
			bin=$prefix/bin/bindguard
		else
			cargo install --path "$src_dir" --locked >&2 || die "cargo install failed"
			bin=${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}/bin/bindguard
		fi
	elif [ -n "${BINDGUARD_BIN:-}" ]; then
		bin=$BINDGUARD_BIN
	elif [ -n "$prefix" ] && [ -x "$prefix/bin/bindguard" ]; then
		bin=$prefix/bin/bindguard
	else
		bin=$(command -v bindguard) || die "--no-build: no bindguard binary (set BINDGUARD_BIN or put it on PATH)"
	fi
	[ -x "$bin" ] || die "bindguard binary not found at $bin"
	case $bin in
		/*) echo "$bin" ;;
		*) echo "$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")" ;;
	esac
}

is_ours() {
	[ -f "$1" ] && grep -q '^# bindguard-hook:' "$1"
}

exists() {
	[ -e "$1" ] || [ -L "$1" ]
}

# Single-quotes a string for sh.
quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

install_hook() {
	name=$1
	target=$dir/$name
	legacy=$target.legacy
	note=""
	if exists "$target" && ! is_ours "$target"; then
		exists "$legacy" && die "$target is not bindguard's and $legacy already exists; move one of them away first"
		mv "$target" "$legacy"
		note=" (the existing hook is kept as $name.legacy and runs first)"
	fi
	tmp=$target.bindguard-tmp
	LINE="installed_bin=$(quote "$bin")" awk '/^installed_bin=/ { print ENVIRON["LINE"]; next } { print }' \
		"$src_dir/hooks/$name" >"$tmp" || die "cannot write $tmp"
	chmod 755 "$tmp"
	mv -f "$tmp" "$target"
	say "installed $target$note"
}

uninstall_hook() {
	name=$1
	target=$dir/$name
	legacy=$target.legacy
	if ! is_ours "$target"; then
		say "no bindguard $name hook in $dir"
		return
	fi
	rm -f "$target"
	if exists "$legacy"; then
		mv "$legacy" "$target"
		say "removed bindguard's $name hook and restored the previous one"
	else
		say "removed $target"
	fi
}

# husky (core.hooksPath=.husky/_) rewrites .husky/_ on every `npx husky` and runs the scripts of
# .husky/ from its stubs: a hook written into .husky/_ would be lost, and moving husky's stub
# away would silence the user's .husky/<hook>. bindguard goes in as a line of .husky/<hook>.
husky_root() {
	case $dir in
		*/.husky/_) echo "${dir%/_}" ;;
		*) return 1 ;;
	esac
}

husky_marker='# bindguard-hook (install.sh --uninstall removes this line)'

install_husky_hook() {
	file=$husky/$1
	case $1 in
		pre-push) line="\"\${BINDGUARD_BIN:-bindguard}\" pre-push \"\$@\" $husky_marker" ;;
		*) line="\"\${BINDGUARD_BIN:-bindguard}\" $1 $husky_marker" ;;
	esac
	if [ -f "$file" ] && grep -qF "$husky_marker" "$file"; then
		say "$file already runs bindguard"
		return
	fi
	if [ -s "$file" ] && [ -n "$(tail -c 1 "$file")" ]; then
		echo >>"$file"
	fi
	printf '%s\n' "$line" >>"$file" || die "cannot write $file"
	say "husky: added \`bindguard $1\` to $file; commit it so everyone runs it (bindguard must be on PATH)"
}

uninstall_husky_hook() {
	file=$husky/$1
	if ! [ -f "$file" ] || ! grep -qF "$husky_marker" "$file"; then
		say "no bindguard line in $file"
		return
	fi
	grep -vF "$husky_marker" "$file" >"$file.bindguard-tmp" || true
	cat "$file.bindguard-tmp" >"$file" && rm -f "$file.bindguard-tmp"
	say "removed bindguard's line from $file"
}

# lefthook writes .git/hooks itself (`lefthook install`) from its configuration: refuse, and say
# what to add there.
lefthook_config() {
	[ "$(git -C "$repo" rev-parse --is-bare-repository)" = true ] && return 1
	top=$(git -C "$repo" rev-parse --show-toplevel)
	for name in lefthook.yml .lefthook.yml lefthook.yaml .lefthook.yaml lefthook.toml .lefthook.toml lefthook.json .lefthook.json; do
		if [ -f "$top/$name" ]; then
			echo "$top/$name"
			return 0
		fi
	done
	return 1
}

refuse_lefthook() {
	cat >&2 <<EOF
install.sh: this repository runs its git hooks with lefthook ($1), and \`lefthook install\`
install.sh: would replace a hook written here. Add bindguard to that file instead, then run
install.sh: \`lefthook install\`:

pre-commit:
  commands:
    bindguard:
      run: bindguard pre-commit
pre-push:
  commands:
    bindguard:
      run: bindguard pre-push {1} {2}
      use_stdin: true
EOF
	exit 1
}

if [ $repo_given = no ] && [ $server = no ] && [ $uninstall = no ] &&
	[ "$(git -C . rev-parse --show-toplevel 2>/dev/null)" = "$src_dir" ]; then
	bin=$(find_binary)
	version=$("$bin" --version) || die "$bin does not run"
	say "$version installed at $bin"
	say "this is bindguard's own checkout, so no hook was installed here; to hook a project:"
	say "  $0 --no-build --repo /path/to/project"
	exit 0
fi

dir=$(hooks_dir)
if husky=$(husky_root); then
	if [ $uninstall = yes ]; then
		for hook in $hooks; do uninstall_husky_hook "$hook"; done
		exit 0
	fi
	bin=$(find_binary)
	for hook in $hooks; do install_husky_hook "$hook"; done
	exit 0
fi
if [ $uninstall = no ] && config=$(lefthook_config); then
	refuse_lefthook "$config"
fi
if [ $uninstall = yes ]; then
	for hook in $hooks; do uninstall_hook "$hook"; done
	exit 0
fi
bin=$(find_binary)
for hook in $hooks; do install_hook "$hook"; done
version=$("$bin" --version) || die "$bin does not run"
say "$version installed at $bin; hooks run it. Try: $bin check ."
