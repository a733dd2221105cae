//! `check --fix` / `check --diff` (being written).

use crate::analysis::Report;
use crate::app::ExitStatus;
use crate::settings::Settings;

pub fn run(_report: &Report, _settings: &Settings, _diff_only: bool) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("--fix is not available yet")
}
