//! One module per subcommand. Each builds a change set, calls the shared analysis, and returns
//! an [`crate::outcome::Outcome`]: what to say and whether it blocks. None of them analyses
//! Python or prints; the app renders the outcome and turns it into the exit status.

pub(crate) mod check;
mod check_stdin;
mod check_walk;
mod disk;
pub(crate) mod explain;
mod fix_files;
mod gaps;
pub(crate) mod precommit;
mod precommit_fix;
mod prepush;
mod project;
pub(crate) mod push;
pub(crate) mod push_input;
