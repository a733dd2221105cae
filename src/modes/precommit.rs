//! `bindguard pre-commit` (being written).
use crate::app::ExitStatus;
use crate::cli::PreCommitArgs;

pub fn run(_args: &PreCommitArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("pre-commit is not available yet")
}
