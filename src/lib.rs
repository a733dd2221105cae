//! bindguard: stops Python services hardcoded to listen on every network interface (CSP-D404)
//! from entering a git repository.
//!
//! Data flows one way:
//!
//! ```text
//! paths / hook input ──git──▶ ChangeSet ──source──▶ SourceText ──python──▶ AST
//!   ──rules──▶ findings (whole file) ──keep those on changed lines──▶ Report ──render──▶ output
//!                                                         └──(--fix) fix──▶ files / index
//! ```
//!
//! Each mode (`check`, `pre-commit`, `pre-push`, `pre-receive`) only builds a change set; all
//! later steps are shared, and every mode ends in one outcome that one renderer writes.
//!
//! The modules, from the bottom layer up; each uses only modules listed before it
//! (`tests/integration/layers.rs` holds the exact table and enforces it):
//!
//! | layer | modules | owns |
//! |---|---|---|
//! | leaves | `exit`, `terminal` | exit codes; terminal-safe text |
//! | data | `cli`, `config`, `policy`, `pyfiles`, `snapshot`, `changes`, `source`, `python`, `finding`, `repo_path` | the command line; project configuration files; server policy; which files are Python; a version of the project's files; the change set; bytes → text; the parser; findings and fixes; where a report's paths start |
//! | rule | `rules` | CSP-D404 over a parsed file and the project modules it imports |
//! | git | `git` | git input → change sets, fixed blobs → index (own types, injected gate) |
//! | pipeline | `report`, `analysis`, `fix`, `baseline` | the result; change set → report; verified fixes; fingerprints and baselines |
//! | output | `outcome`, `render` | what a run says; the one writer of it |
//! | front | `settings`, `modes`, `app` | resolved settings; one mode per subcommand; `run()` |
//! | fuzz | `fuzzing` (feature `fuzzing`) | entry points for the fuzz targets |

mod analysis;
mod app;
mod baseline;
mod changes;
mod cli;
mod config;
mod exit;
mod finding;
mod fix;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod git;
mod importers;
mod modes;
mod outcome;
mod policy;
mod pyfiles;
mod python;
mod render;
mod repo_path;
mod report;
mod rules;
mod settings;
mod snapshot;
mod source;
mod terminal;

// The binary's whole view of the library: parse, run, map to an exit code, report an error.
pub use app::run;
pub use cli::Cli;
pub use exit::ExitStatus;
pub use source::STACK_SIZE;
pub use terminal::sanitize;
