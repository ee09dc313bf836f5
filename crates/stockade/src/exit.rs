//! Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
//! 2 a usage or runtime error (also when any target could not be assessed).

use std::io::Write;
use std::process::ExitCode;

use crate::output::masked;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Clean,
    Findings,
    Error,
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Clean => ExitCode::SUCCESS,
            Outcome::Findings => ExitCode::from(1),
            Outcome::Error => ExitCode::from(2),
        }
    }
}

/// Whether the error is a closed stdout (`stockade ... | head`).
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Prints an error and its causes on stderr, secrets masked.
pub fn report_error(error: &anyhow::Error) {
    let mut stderr = anstream::stderr();
    let style = anstyle::AnsiColor::Red.on_default().bold();
    let mut message = error.to_string();
    for cause in error.chain().skip(1) {
        message.push_str(&format!(": {cause}"));
    }
    let _ = writeln!(stderr, "{style}error:{style:#} {}", masked(&message));
}

/// Prints a warning on stderr, secrets masked: something the user should
/// know that does not change the result.
pub fn report_warning(message: &str) {
    let mut stderr = anstream::stderr();
    let style = anstyle::AnsiColor::Yellow.on_default().bold();
    let _ = writeln!(stderr, "{style}warning:{style:#} {}", masked(message));
}

/// Prints a note on stderr as is, secrets masked (`note: …`, `stockade: …`).
pub fn report_note(message: &str) {
    let _ = writeln!(anstream::stderr(), "{}", masked(message));
}
