//! `bindguard explain RULE`: the rule's documentation.

use crate::app::ExitStatus;
use crate::finding::RULE_CODE;

pub fn run(rule: &str) -> anyhow::Result<ExitStatus> {
    if !rule.eq_ignore_ascii_case(RULE_CODE) {
        anyhow::bail!("unknown rule {rule:?}: bindguard has one rule, {RULE_CODE}");
    }
    println!("{}", crate::rules::DOCUMENTATION.trim_end());
    Ok(ExitStatus::Clean)
}
