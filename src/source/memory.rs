//! Memory bounds for the analysis of one file and of a whole run.
//!
//! A parse tree takes far more memory than its text: measured, about 16 bytes per byte of text
//! plus 160 per token-like node (a 10 MB file of `0,0,0,…` needs 830 MB; typical code about 30
//! times its size). Before parsing, the estimate from the nesting scan's node count is held
//! against the per-file cap (`bindguard.maxFileMemory`, 1 GiB by default); a file over it is not
//! analysed, and the size policy decides (`bindguard.onTooLarge`). A blob whose text alone would
//! not fit is not even read. Analyses running in parallel together reserve at most twice the
//! per-file cap: a thread waits for memory rather than letting the sum grow with the number of
//! cores.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};

/// The per-file cap unless configured.
pub(crate) const DEFAULT_PER_FILE: u64 = 1 << 30;
/// Bytes of memory per byte of text, at least (the text, its decoded copy, the line index).
const PER_BYTE: u64 = 16;
/// Bytes of memory per node the nesting scan counts.
const PER_NODE: u64 = 160;

static PER_FILE: AtomicU64 = AtomicU64::new(DEFAULT_PER_FILE);

/// Sets the per-file cap for this run (from `bindguard.maxFileMemory`).
pub(crate) fn set_per_file(bytes: u64) {
    PER_FILE.store(bytes.max(1 << 20), Ordering::Relaxed);
}

pub(crate) fn per_file() -> u64 {
    PER_FILE.load(Ordering::Relaxed)
}

/// The largest file whose text alone fits the per-file cap: larger ones are not read.
pub(crate) fn max_readable() -> u64 {
    per_file() / PER_BYTE
}

/// What analysing a text of `len` bytes and `nodes` nodes needs, about.
pub(crate) fn estimate(len: usize, nodes: usize) -> u64 {
    (len as u64).saturating_mul(PER_BYTE).saturating_add((nodes as u64).saturating_mul(PER_NODE))
}

/// Memory reserved by the analyses in flight.
static IN_FLIGHT: Mutex<u64> = Mutex::new(0);
static RELEASED: Condvar = Condvar::new();

/// Memory held by one analysis until dropped.
#[must_use]
pub(crate) struct Reservation(u64);

/// Reserves `bytes` (at most the per-file cap) for one analysis, waiting while the analyses in
/// flight hold more than twice the per-file cap. One analysis alone always proceeds.
pub(crate) fn reserve(bytes: u64) -> Reservation {
    let bytes = bytes.min(per_file());
    let budget = per_file().saturating_mul(2);
    let mut used = IN_FLIGHT.lock().unwrap_or_else(PoisonError::into_inner);
    while *used > 0 && used.saturating_add(bytes) > budget {
        used = RELEASED.wait(used).unwrap_or_else(PoisonError::into_inner);
    }
    *used += bytes;
    Reservation(bytes)
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut used = IN_FLIGHT.lock().unwrap_or_else(PoisonError::into_inner);
        *used = used.saturating_sub(self.0);
        RELEASED.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_follow_the_measurements() {
        // 9.8 MB of `0,0,…` (4.9 M nodes) measured 830 MB; 4.7 MB of the standard library
        // (450 k nodes) 137 MB.
        assert!((800 << 20..1000 << 20).contains(&estimate(9_800_058, 4_900_018)));
        assert!((120 << 20..200 << 20).contains(&estimate(4_698_607, 450_165)));
    }

    #[test]
    fn a_reservation_waits_only_while_others_hold_memory() {
        let big = reserve(u64::MAX);
        let other = std::thread::spawn(|| {
            let _second = reserve(per_file());
        });
        std::thread::sleep(std::time::Duration::from_millis(20));
        drop(big);
        other.join().unwrap();
        assert_eq!(*IN_FLIGHT.lock().unwrap(), 0);
    }
}
