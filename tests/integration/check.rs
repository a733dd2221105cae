//! `bindguard check` end to end.
