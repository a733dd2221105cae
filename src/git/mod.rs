//! All git access, through `gix`: the only place gix types appear.
//!
//! Each submodule turns one kind of git input into a [`crate::changes::ChangeSet`] (or writes a
//! fix back). Git data is copied into small owned types at this boundary, and what comes in is
//! in this layer's own terms: a fix arrives as an `index_write::NewBlob`, the prefilter as an
//! injected gate. Nothing here knows the rules, the reports, the fixer or the output.

mod blob_kind;
mod index_patch;
pub(crate) mod index_write;
mod lines;
mod links;
mod odb;
pub(crate) mod open;
pub(crate) mod push;
mod push_blobs;
mod push_diff;
mod push_links;
pub(crate) mod push_read;
pub(crate) mod push_refs;
mod push_scan;
pub(crate) mod staged;
mod tree_files;

pub(crate) use push_blobs::Gates;
