//! All git access, through `gix`: the only place gix types appear.
//!
//! Each submodule turns one kind of git input into a [`crate::changes::ChangeSet`] (or writes a
//! fix back). Git data is copied into small owned types at this boundary.

mod blob_kind;
pub mod index_write;
pub mod lines;
pub mod odb;
pub mod open;
pub mod push;
mod push_blobs;
mod push_diff;
pub mod push_refs;
pub mod staged;
