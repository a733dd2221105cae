//! One module per subcommand. Each builds a change set, calls the shared analysis, renders, and
//! decides the exit status; none of them analyses Python itself.

pub mod check;
pub mod explain;
pub mod fix_files;
pub mod precommit;
pub mod precommit_fix;
pub mod push;
mod push_input;
