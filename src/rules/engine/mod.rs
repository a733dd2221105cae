//! The analysis engine: what Python code means, independent of any one rule.
//!
//! [`collect`] walks a parsed module once into an [`index::Index`] (scopes, bindings, classes,
//! functions, sites); [`resolve`] says what an expression is (an imported name, an instance of a
//! class); [`flow`] says which values an expression can have, as far as literals decide them,
//! with [`values`] and [`strings`] as its pure helpers; [`cli`] reads command-line definitions.
//! The rule ([`super`]) asks questions of these and never the other way round.

pub(crate) mod cli;
pub(crate) mod collect;
pub(crate) mod flow;
pub(crate) mod frames;
pub(crate) mod guards;
pub(crate) mod index;
pub(crate) mod names;
pub(crate) mod program;
pub(crate) mod resolve;
pub(crate) mod state;
pub(crate) mod strings;
pub(crate) mod values;
