//! `bindguard pre-push` and `bindguard pre-receive` (being written).
use crate::app::ExitStatus;
use crate::cli::{PrePushArgs, PreReceiveArgs};

pub fn run_pre_push(_args: &PrePushArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("pre-push is not available yet")
}

pub fn run_pre_receive(_args: &PreReceiveArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("pre-receive is not available yet")
}
