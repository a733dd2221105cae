//! `bindguard explain RULE`: the rule's documentation.

use crate::finding::RULE_CODE;
use crate::outcome::{Body, Outcome};

pub(crate) fn run(rule: &str) -> anyhow::Result<Outcome> {
    if !rule.eq_ignore_ascii_case(RULE_CODE) {
        anyhow::bail!("unknown rule {rule:?}: bindguard has one rule, {RULE_CODE}");
    }
    let documentation = format!("{}\n", crate::rules::DOCUMENTATION.trim_end());
    Ok(Outcome::new(Body::Document(documentation)))
}
