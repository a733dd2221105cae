//! `run()`: the pipeline as a table of contents, one front door per subcommand.

use crate::cli::Cli;
use crate::exit::ExitStatus;
use crate::modes;
use crate::settings::{self, Command};

pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    match settings::resolve(cli) {
        Command::Check(settings) => modes::check::run(&settings),
        Command::PreCommit(settings) => modes::precommit::run(&settings),
        Command::PrePush(settings) => modes::push::run_pre_push(&settings),
        Command::PreReceive(settings) => modes::push::run_pre_receive(&settings),
        Command::Explain(rule) => modes::explain::run(&rule),
    }
}
