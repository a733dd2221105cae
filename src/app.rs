//! `run()`: the pipeline as a table of contents. The command line is resolved once, the mode
//! runs and returns its outcome, one renderer writes it, and the exit status follows from it.

use crate::cli::Cli;
use crate::exit::ExitStatus;
use crate::modes;
use crate::outcome::Outcome;
use crate::render;
use crate::settings::{self, Command};

pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    let command = settings::resolve(cli);
    let output = command.output();
    let outcome = run_mode(&command)?;
    render::write(&outcome, &output, &mut std::io::stdout().lock(), &mut std::io::stderr().lock())?;
    match outcome.error {
        Some(error) => Err(error),
        None => Ok(ExitStatus::blocking(outcome.blocks)),
    }
}

/// One front door per subcommand.
fn run_mode(command: &Command) -> anyhow::Result<Outcome> {
    match command {
        Command::Check(settings) => modes::check::run(settings),
        Command::PreCommit(settings) => modes::precommit::run(settings),
        Command::PrePush(settings) => modes::push::run_pre_push(settings),
        Command::PreReceive(settings) => modes::push::run_pre_receive(settings),
        Command::Explain(rule) => modes::explain::run(rule),
    }
}
