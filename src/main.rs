//! Entry point: parse arguments, run, map the outcome to an exit code (0 clean, 1 findings,
//! 2 usage or internal error). A closed output pipe is not an error.
//!
//! The run happens on a thread with a large stack, and the parallel analysis on a pool whose
//! threads have one too: the parser and the analysis recurse as deep as the code is nested, and
//! the source check ([`bindguard`]'s nesting guard) only lets through what these stacks can take.
//! A panic unwinds (so destructors run: an index lock is released) and ends in one line and
//! exit 2, never in a backtrace or an abort.

use std::process::ExitCode;
use std::sync::Mutex;

use clap::Parser;
use mimalloc::MiMalloc;

use bindguard::{Cli, ExitStatus, STACK_SIZE};

/// The parser allocates many small nodes; mimalloc makes that markedly cheaper than glibc's
/// allocator on the many-files workloads a hook and `check` see.
#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

/// The first panic's one-line description, said instead of whatever error it turned into.
static PANIC: Mutex<Option<String>> = Mutex::new(None);

fn main() -> ExitCode {
    record_panics();
    // Only fails if a pool already exists, which nothing here creates: then the default stays.
    let _ = rayon::ThreadPoolBuilder::new().stack_size(STACK_SIZE).build_global();
    let run = std::thread::Builder::new().name("bindguard".into()).stack_size(STACK_SIZE).spawn(run);
    let status = match run.map(std::thread::JoinHandle::join) {
        Ok(Ok(status)) => status,
        // The panic is said below; its unwinding has already run every destructor.
        Ok(Err(_)) => ExitStatus::Error.into(),
        Err(err) => {
            say(&format!("cannot start: {err}"));
            ExitStatus::Error.into()
        }
    };
    if let Some(panic) = PANIC.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take() {
        say(&panic);
        return ExitStatus::Error.into();
    }
    status
}

fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let usage_error = err.use_stderr();
            let _ = err.print();
            return if usage_error { ExitStatus::Error.into() } else { ExitStatus::Clean.into() };
        }
    };
    match bindguard::run(cli) {
        Ok(status) => status.into(),
        Err(err) if is_broken_pipe(&err) => ExitStatus::Clean.into(),
        // A panic that became an error (a worker thread's) is said once, by `main`.
        Err(_) if PANIC.lock().is_ok_and(|p| p.is_some()) => ExitStatus::Error.into(),
        Err(err) => {
            say(&format!("{err:#}"));
            ExitStatus::Error.into()
        }
    }
}

/// One line on stderr, escaped.
fn say(text: &str) {
    eprintln!("bindguard: error: {}", bindguard::sanitize(&text.replace('\n', " ")));
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().filter_map(|e| e.downcast_ref::<std::io::Error>()).any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

/// A bug must still end in the defined error exit with one clear line (a hook then blocks,
/// failing closed), not in a backtrace and exit 101 from whichever thread met it. The hook only
/// records the first panic; unwinding goes on, so locks and temporary files are cleaned up.
fn record_panics() {
    std::panic::set_hook(Box::new(|info| {
        let place = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let mut first = PANIC.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        first.get_or_insert_with(|| format!("internal error{place}: {what} (please report this)"));
    }));
}
