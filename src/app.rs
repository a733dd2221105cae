//! `run()`: the pipeline as a table of contents, one front door per subcommand.

use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// Exit codes (documented in the README): 0 clean, 1 findings (blocked), 2 usage or internal error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Clean,
    Findings,
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(match status {
            ExitStatus::Clean => 0,
            ExitStatus::Findings => 1,
            ExitStatus::Error => 2,
        })
    }
}

pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Check(args) => crate::modes::check::run(&args),
        Command::PreCommit(args) => crate::modes::precommit::run(&args),
        Command::PrePush(args) => crate::modes::push::run_pre_push(&args),
        Command::PreReceive(args) => crate::modes::push::run_pre_receive(&args),
        Command::Explain { rule } => crate::modes::explain::run(&rule),
    }
}
