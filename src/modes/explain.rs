//! `bindguard explain RULE`: the rule's documentation.

use std::io::Write;

use crate::exit::ExitStatus;
use crate::finding::RULE_CODE;

pub fn run(rule: &str) -> anyhow::Result<ExitStatus> {
    if !rule.eq_ignore_ascii_case(RULE_CODE) {
        anyhow::bail!("unknown rule {rule:?}: bindguard has one rule, {RULE_CODE}");
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", crate::rules::DOCUMENTATION.trim_end())?;
    Ok(ExitStatus::Clean)
}
