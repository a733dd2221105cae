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
    pub fn bin_dir(&self) -> PathBuf {
        bindguard_bin().parent().unwrap().to_path_buf()
    }

    /// A command with the isolated environment applied.
    pub fn command(&self, program: impl AsRef<OsStr>, cwd: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(cwd).env_clear();
        let path = format!("{}:/usr/local/bin:/usr/bin:/bin", self.bin_dir().display());
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
}

/// Writes a file, creating parent directories.
pub fn write(path: &Path, content: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, content).unwrap();
}
