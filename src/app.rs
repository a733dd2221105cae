//! `run()`: the pipeline as a table of contents, one front door per subcommand.

use crate::cli::{Cli, Command};
use crate::exit::ExitStatus;

pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Check(args) => crate::modes::check::run(&args),
        Command::PreCommit(args) => crate::modes::precommit::run(&args),
        Command::PrePush(args) => crate::modes::push::run_pre_push(&args),
        Command::PreReceive(args) => crate::modes::push::run_pre_receive(&args),
        Command::Explain { rule } => crate::modes::explain::run(&rule),
    }
}
