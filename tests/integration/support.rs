//! Test sandbox: an isolated git environment (no user or system config), repositories built with
//! the `git` CLI, and the real `bindguard` binary run with a cleared environment.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// Path of the binary under test.
pub fn bindguard_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_bindguard"))
}

/// Root of this crate (for `install.sh`, `hooks/`).
pub fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary home with an isolated git configuration; every command run through it sees only
/// this configuration, a fixed identity and `main` as the default branch.
pub struct Sandbox {
    pub dir: TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new().prefix("bindguard-test").tempdir().expect("tempdir");
        let sandbox = Self { dir };
        std::fs::create_dir_all(sandbox.home()).unwrap();
        std::fs::write(
            sandbox.home().join(".gitconfig"),
            "[user]\n\tname = Test User\n\temail = test@example.invalid\n[init]\n\tdefaultBranch = main\n\
             [advice]\n\tdetachedHead = false\n[protocol \"file\"]\n\tallow = always\n",
        )
        .unwrap();
        sandbox
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// A directory holding the bindguard binary, to put first on PATH (hooks exec `bindguard`).
    pub fn bin_dir() -> PathBuf {
        bindguard_bin().parent().unwrap().to_path_buf()
    }

    /// A command with the isolated environment applied.
    pub fn command(&self, program: impl AsRef<OsStr>, cwd: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(cwd).env_clear();
        let path = format!("{}:/usr/local/bin:/usr/bin:/bin", Self::bin_dir().display());
        cmd.env("PATH", path)
            .env("HOME", self.home())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
            .env("LANG", "C.UTF-8")
            .env("TERM", "dumb");
        cmd
    }

    /// Runs git and returns its output without judging it.
    pub fn git_output(&self, cwd: &Path, args: &[&str]) -> Output {
        self.command("git", cwd).args(args).output().expect("run git")
    }

    /// Runs git and panics with its stderr when it fails.
    pub fn git(&self, cwd: &Path, args: &[&str]) -> String {
        let out = self.git_output(cwd, args);
        assert!(out.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs bindguard with the isolated environment.
    pub fn bindguard(&self, cwd: &Path, args: &[&str]) -> Run {
        Run::from(self.command(bindguard_bin(), cwd).args(args).output().expect("run bindguard"))
    }

    /// Creates a non-bare repository `name` inside the sandbox.
    pub fn repo(&self, name: &str) -> PathBuf {
        let path = self.path().join(name);
        self.git(self.path(), &["init", "-q", name]);
        path
    }
}

/// Exit code and both streams of a finished process, as text.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Self {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Both streams, for assertions that do not care where git put the hook's output.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Exit code, stdout and stderr as one text for a snapshot, with what differs between runs
    /// replaced: the sandbox's temporary directory, elapsed times.
    pub fn snapshot(&self, sandbox: &Sandbox) -> String {
        let text = format!("exit code: {}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr);
        let text = text.replace(sandbox.path().to_str().expect("UTF-8 temporary path"), "[SANDBOX]");
        redact_elapsed(&text)
    }
}

/// `(0.03s)` in summary lines and `"elapsed_ms": 12` in JSON become `([ELAPSED])` and
/// `"elapsed_ms": "[ELAPSED]"`.
fn redact_elapsed(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((at, len, placeholder)) = next_elapsed(rest) {
        out.push_str(&rest[..at]);
        out.push_str(placeholder);
        rest = &rest[at + len..];
    }
    out.push_str(rest);
    out
}

/// The first elapsed time in `text`: its offset, its length and what replaces it.
fn next_elapsed(text: &str) -> Option<(usize, usize, &'static str)> {
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let seconds = text.match_indices('(').find_map(|(at, _)| {
        let whole = digits(&text[at + 1..]);
        let rest = &text[at + 1 + whole..];
        let fraction = rest.strip_prefix('.').map_or(0, digits);
        let len = 1 + whole + 1 + fraction + 2;
        (whole > 0 && fraction > 0 && text[at..].get(len - 2..len) == Some("s)")).then_some((at, len, "([ELAPSED])"))
    });
    let millis = text.match_indices("\"elapsed_ms\": ").find_map(|(at, key)| {
        let len = key.len() + digits(&text[at + key.len()..]);
        (len > key.len()).then_some((at, len, "\"elapsed_ms\": \"[ELAPSED]\""))
    });
    [seconds, millis].into_iter().flatten().min_by_key(|(at, _, _)| *at)
}

/// Writes a file, creating parent directories.
pub fn write(path: &Path, content: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, content).unwrap();
}

/// Hook installation and commits through real git (pre-commit and install tests).
impl Sandbox {
    /// Runs this crate's `install.sh --no-build ARGS` in `cwd`, pointing it at the binary under
    /// test (the installed hook records that absolute path).
    pub fn install_sh(&self, cwd: &Path, args: &[&str]) -> Run {
        let mut cmd = self.command("sh", cwd);
        cmd.arg(crate_root().join("install.sh")).arg("--no-build").args(args).env("BINDGUARD_BIN", bindguard_bin());
        Run::from(cmd.output().expect("run install.sh"))
    }

    /// Runs `git commit -q ARGS`; git runs the hooks, whose output lands on stderr.
    pub fn git_commit(&self, repo: &Path, args: &[&str]) -> Run {
        let mut full = vec!["commit", "-q"];
        full.extend_from_slice(args);
        Run::from(self.git_output(repo, &full))
    }

    /// Number of commits reachable from HEAD (0 before the first commit).
    pub fn commit_count(&self, repo: &Path) -> usize {
        let out = self.git_output(repo, &["rev-list", "--count", "HEAD"]);
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or(0)
    }
}

// ---- push helpers (pre-receive / pre-push tests) ----

impl Sandbox {
    /// Creates a bare "server" repository `name` with bindguard's pre-receive hook installed by
    /// `install.sh --server`.
    pub fn server(&self, name: &str) -> PathBuf {
        let path = self.path().join(name);
        self.git(self.path(), &["init", "-q", "--bare", name]);
        self.install_hooks(&path, &["--server"]);
        path
    }

    /// Runs `install.sh --no-build <args> --repo <repo>` with the binary under test.
    pub fn install_hooks(&self, repo: &Path, args: &[&str]) {
        let script = crate_root().join("install.sh");
        let mut cmd = self.command("sh", self.path());
        cmd.arg(script).arg("--no-build").args(args).arg("--repo").arg(repo);
        cmd.env("BINDGUARD_BIN", bindguard_bin());
        let run = Run::from(cmd.output().expect("run install.sh"));
        assert_eq!(run.code, 0, "install.sh failed: {}", run.all());
    }

    /// Clones `server` into a new working repository `name`.
    pub fn clone_repo(&self, server: &Path, name: &str) -> PathBuf {
        self.git(self.path(), &["clone", "-q", server.to_str().unwrap(), name]);
        self.path().join(name)
    }

    /// Runs `git push <args>` and returns its result (the hook output arrives as `remote:` lines).
    pub fn push(&self, cwd: &Path, args: &[&str]) -> Run {
        let mut all = vec!["push"];
        all.extend_from_slice(args);
        Run::from(self.git_output(cwd, &all))
    }

    /// Writes `files` (path, content) in `repo`, stages everything and commits with `message`.
    pub fn commit_files(&self, repo: &Path, files: &[(&str, &str)], message: &str) -> String {
        for (path, content) in files {
            write(&repo.join(path), content);
        }
        self.git(repo, &["add", "-A"]);
        self.git(repo, &["commit", "-q", "--allow-empty", "-m", message]);
        self.git(repo, &["rev-parse", "HEAD"]).trim().to_owned()
    }

    /// The id a ref has in `repo`, or `None`.
    pub fn ref_id(&self, repo: &Path, name: &str) -> Option<String> {
        let out = self.git_output(repo, &["rev-parse", "--verify", "-q", name]);
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }
}

// ---- external tools (ecosystem tests) ----

/// A tool the ecosystem tests drive (the pre-commit framework, husky, lefthook). When it is
/// missing the test fails on CI (`CI` set: `.ci/run` installs it) and is skipped elsewhere with
/// the reason printed, so that a local run without the tool says what it did not test.
pub fn require_tool(name: &str, found: Option<PathBuf>) -> Option<PathBuf> {
    if found.is_some() {
        return found;
    }
    let install = "`.ci/run` installs it: pip install pre-commit; npm install -g husky lefthook";
    assert!(std::env::var_os("CI").is_none_or(|v| v.is_empty()), "{name} is not installed on CI ({install})");
    eprintln!("SKIPPED: {name} is not installed ({install})");
    None
}

/// An executable on the test process's own PATH (the sandbox's PATH is minimal).
pub fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|candidate| {
        std::fs::metadata(candidate)
            .is_ok_and(|m| m.is_file() && std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o111 != 0)
    })
}

/// The Python interpreter that has the pre-commit framework installed (run it with
/// `-m pre_commit`): version managers' shims do not work with the sandbox's `HOME`.
pub fn precommit_python() -> Option<PathBuf> {
    ["python3", "python"].iter().find_map(|python| {
        let out = Command::new(python)
            .args(["-c", "import pre_commit, sys; print(sys.executable)"])
            .output()
            .ok()
            .filter(|out| out.status.success())?;
        let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        path.is_file().then_some(path)
    })
}

/// The fenced block of README.md that follows the marker `<!-- snippet: NAME -->`: the README's
/// snippets are what the ecosystem tests run.
pub fn readme_snippet(name: &str) -> String {
    let readme = std::fs::read_to_string(crate_root().join("README.md")).expect("README.md");
    let marker = format!("<!-- snippet: {name} -->");
    let after = &readme[readme.find(&marker).unwrap_or_else(|| panic!("README has no {marker}")) + marker.len()..];
    let fence = after.find("```").expect("a fenced block after the marker");
    let body = &after[fence..];
    let start = body.find('\n').expect("a fence line") + 1;
    let end = body[start..].find("\n```").expect("a closing fence") + start + 1;
    body[start..end].to_owned()
}
