//! One module per subcommand. Each builds a change set, calls the shared analysis, and returns
//! an [`crate::outcome::Outcome`]: what to say and whether it blocks. None of them analyses
//! Python or prints; the app renders the outcome and turns it into the exit status.

pub(crate) mod check;
mod check_stdin;
mod check_walk;
pub(crate) mod explain;
mod fix_files;
pub(crate) mod precommit;
mod precommit_fix;
mod project;
pub(crate) mod push;
mod push_input;
