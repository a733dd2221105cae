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
//! later steps are shared.

pub mod analysis;
pub mod app;
pub mod changes;
pub mod cli;
pub mod exit;
pub mod finding;
pub mod fix;
pub mod git;
pub mod modes;
pub mod outcome;
pub mod policy;
pub mod pyfiles;
pub mod python;
pub mod render;
pub mod report;
pub mod rules;
pub mod settings;
pub mod source;
pub mod terminal;
