//! One integration-test binary: every test runs the real `bindguard` binary, and hook tests drive
//! real git repositories built with the `git` CLI in temporary directories.

mod baseline;
mod bypass;
mod check;
mod config;
mod ecosystem;
mod formats;
mod install;
mod layers;
mod modules;
mod precommit;
mod precommit_fix;
mod push;
mod support;
