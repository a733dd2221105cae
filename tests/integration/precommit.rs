//! pre-commit hook end to end (being written).
