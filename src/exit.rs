//! Exit codes, named once (documented in the README): 0 clean, 1 findings (the commit or push is
//! blocked), 2 usage or internal error. A leaf: the app layer decides the status from what a run
//! found, `main` turns it into the process's exit code.

use std::process::ExitCode;

/// How a run ends, for the calling hook or CI job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing found, or everything found was fixed.
    Clean,
    /// Findings: the commit or push is blocked.
    Findings,
    /// A usage error or an internal error, reported as one line on stderr.
    Error,
}

impl ExitStatus {
    /// The status of a run whose outcome blocks or not.
    pub(crate) fn blocking(blocks: bool) -> Self {
        if blocks { ExitStatus::Findings } else { ExitStatus::Clean }
    }

    const fn code(self) -> u8 {
        match self {
            ExitStatus::Clean => 0,
            ExitStatus::Findings => 1,
            ExitStatus::Error => 2,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_documented_ones() {
        assert_eq!([ExitStatus::Clean, ExitStatus::Findings, ExitStatus::Error].map(ExitStatus::code), [0, 1, 2]);
        assert_eq!(ExitStatus::blocking(true), ExitStatus::Findings);
        assert_eq!(ExitStatus::blocking(false), ExitStatus::Clean);
    }
}
