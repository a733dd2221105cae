//! `run()`: the pipeline as a table of contents. The command line is resolved once, the mode
//! runs and returns its outcome, one renderer writes it, and the exit status follows from it.

use crate::cli::Cli;
use crate::exit::ExitStatus;
use crate::modes;
use crate::outcome::Outcome;
use crate::render;
use crate::settings::{self, Command};

/// Runs a parsed command line to its end: resolves the settings, runs the mode, writes its
/// outcome, and says how the run ends.
///
/// # Errors
///
/// What stops a run before it can decide: a repository that cannot be read, invalid server
/// configuration, malformed hook input, a closed output stream. The caller prints it as one line
/// and exits 2.
pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    let command = settings::resolve(cli);
    let output = command.output();
    let outcome = run_mode(&command)?;
    render::write(&outcome, output, &mut std::io::stdout().lock(), &mut std::io::stderr().lock())?;
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
        Command::PrePush(settings) => modes::push::run_pre_push(settings, &render::progress),
        Command::PreReceive(settings) => modes::push::run_pre_receive(settings, &render::progress),
        Command::Explain(rule) => modes::explain::run(rule),
    }
}
