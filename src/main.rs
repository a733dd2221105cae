//! Entry point: parse arguments, run, map the outcome to an exit code (0 clean, 1 findings,
//! 2 usage or internal error). A closed output pipe is not an error.

use std::process::ExitCode;

use clap::Parser;
use mimalloc::MiMalloc;

use bindguard::{Cli, ExitStatus};

/// The parser allocates many small nodes; mimalloc makes that markedly cheaper than glibc's
/// allocator on the many-files workloads a hook and `check` see.
#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

fn main() -> ExitCode {
    exit_on_panic();
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
        Err(err) => {
            let text = format!("{err:#}");
            eprintln!("bindguard: error: {}", bindguard::sanitize(&text.replace('\n', " ")));
            ExitStatus::Error.into()
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().filter_map(|e| e.downcast_ref::<std::io::Error>()).any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

/// A bug must still end in the defined error exit with one clear line (a hook then blocks,
/// failing closed), not in a backtrace and exit 101 from whichever thread met it.
fn exit_on_panic() {
    std::panic::set_hook(Box::new(|info| {
        let place = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let text = format!("internal error{place}: {what} (please report this)");
        eprintln!("bindguard: error: {}", bindguard::sanitize(&text.replace('\n', " ")));
        std::process::exit(2);
    }));
}
