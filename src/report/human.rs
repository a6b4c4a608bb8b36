//! Terminal output: one line per post that changed (or failed), a closing summary line, and
//! colour through anstyle (the binary's anstream strips it when colour is off).

use anstyle::{AnsiColor, Style};

use crate::app::{FileReport, Mode, Status, Totals};

const GREEN: Style = AnsiColor::Green.on_default();
const RED: Style = AnsiColor::Red.on_default().bold();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

/// The line to print on stdout for a post, if any. `verbose` also lists unchanged posts.
pub fn file_line(report: &FileReport, mode: Mode, verbose: bool) -> Option<String> {
    let path = report.path.display();
    match report.status {
        Status::Filled => match mode {
            Mode::Check => Some(format!("{path}")),
            Mode::Diff => report.diff.clone(),
            Mode::Write | Mode::Stdout => {
                let fields: Vec<_> = report.plan.edits.iter().map(|e| e.key.as_str()).collect();
                Some(format!(
                    "{GREEN}filled{GREEN:#} {path}: {}",
                    fields.join(", ")
                ))
            }
        },
        Status::AlreadyFilled if verbose => Some(format!("{DIM}already filled {path}{DIM:#}")),
        Status::Unchanged if verbose => Some(format!("{DIM}nothing to fill {path}{DIM:#}")),
        Status::AlreadyFilled | Status::Unchanged | Status::Error => None,
    }
}

/// The one-line error message for a failed post, for stderr.
pub fn error_line(report: &FileReport) -> Option<String> {
    report
        .error
        .as_ref()
        .map(|e| format!("{RED}error{RED:#}: {}", one_line(&e.to_string())))
}

/// The closing summary: files, filled, unchanged, errors, elapsed, throughput.
pub fn totals_line(totals: &Totals, mode: Mode) -> String {
    let secs = totals.elapsed.as_secs_f64();
    let mb_per_s = if secs > 0.0 {
        totals.bytes as f64 / 1_000_000.0 / secs
    } else {
        0.0
    };
    let verb = match mode {
        Mode::Write | Mode::Stdout => "filled",
        Mode::Check | Mode::Diff => "to fill",
    };
    format!(
        "{BOLD}{} files{BOLD:#}: {} {verb}, {} unchanged, {} errors in {:.2}s ({:.1} MB/s)",
        totals.files, totals.filled, totals.unchanged, totals.errors, secs, mb_per_s
    )
}

/// Folds a message onto one line so every error stays one line in a log.
pub fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}
