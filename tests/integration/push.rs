//! pre-push and pre-receive end to end (being written).
