//! All git access, through `gix`: the only place gix types appear.
//!
//! Each submodule turns one kind of git input into a [`crate::changes::ChangeSet`] (or writes a
//! fix back). Git data is copied into small owned types at this boundary.

pub mod lines;
pub mod index_write;
pub mod open;
pub mod staged;
pub mod odb;
pub mod push;
mod push_blobs;
mod push_diff;
pub mod push_refs;
