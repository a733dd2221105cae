//! One module per subcommand. Each builds a change set, calls the shared analysis, and returns
//! an [`crate::outcome::Outcome`]: what to say and whether it blocks. None of them analyses
//! Python or prints; the app renders the outcome and turns it into the exit status.

pub mod check;
pub mod explain;
pub mod fix_files;
pub mod precommit;
pub mod precommit_fix;
pub mod push;
mod push_input;
