//! Terminal output: one line per post that changed (or failed), a closing summary line, and
//! colour through anstyle (the binary's anstream strips it when colour is off).

use anstyle::{AnsiColor, Style};

use std::fmt::Write as _;

use crate::app::{Explanation, FileReport, Mode, Status, Totals};
use crate::matcher::Place;
use crate::score::Candidate;
use crate::topic::TopicCandidate;
use crate::vocab::Vocabulary;

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
    let bytes_per_s = if secs > 0.0 {
        totals.bytes as f64 / secs
    } else {
        0.0
    };
    // A pre-commit run over one post moves kilobytes; "0.0 MB/s" would read as stalled.
    let rate = if bytes_per_s >= 1_000_000.0 {
        format!("{:.1} MB/s", bytes_per_s / 1_000_000.0)
    } else {
        format!("{:.0} KB/s", bytes_per_s / 1_000.0)
    };
    let verb = match mode {
        Mode::Write | Mode::Stdout => "filled",
        Mode::Check | Mode::Diff => "to fill",
    };
    format!(
        "{BOLD}{} files{BOLD:#}: {} {verb}, {} unchanged, {} errors in {:.2}s ({rate})",
        totals.files, totals.filled, totals.unchanged, totals.errors, secs
    )
}

/// Folds a message onto one line so every error stays one line in a log.
pub fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How many distinct pieces of evidence `explain` prints per candidate.
const EXPLAIN_EVIDENCE: usize = 6;

/// `frontfill explain`: per entity field, the current values and every candidate with its
/// score, prior, mentions and verdict (`+` written, `-` not, with the reason).
pub fn explain_text(explanation: &Explanation) -> String {
    let mut out = format!("{BOLD}{}{BOLD:#}\n", explanation.path.display());
    for (field, f) in &explanation.fields {
        let current = if f.current.is_empty() {
            "empty".to_owned()
        } else {
            f.current.join(", ")
        };
        let _ = writeln!(out, "  {BOLD}{field}{BOLD:#} {DIM}(now: {current}){DIM:#}");
        if f.candidates.is_empty() {
            let _ = writeln!(out, "    {DIM}no candidates{DIM:#}");
        }
        for c in &f.candidates {
            explain_candidate(&mut out, c);
        }
    }
    if let Some(topics) = &explanation.topics {
        for (field, list) in [
            ("tags", &topics.tags),
            ("category", &topics.categories),
            ("area", &topics.areas),
        ] {
            let _ = writeln!(out, "  {BOLD}{field}{BOLD:#} {DIM}(suggested){DIM:#}");
            for c in list.iter().take(10) {
                explain_topic(&mut out, c);
            }
        }
    }
    out
}

fn explain_topic(out: &mut String, c: &TopicCandidate) {
    let (mark, style) = if c.passed { ("+", GREEN) } else { ("-", DIM) };
    let evidence: Vec<String> = c
        .evidence
        .iter()
        .map(|(keyword, weight)| format!("{keyword} {weight:+.3}"))
        .collect();
    let _ = writeln!(
        out,
        "    {style}{mark} {}{style:#}  score {:.3}  {DIM}{}{DIM:#}",
        c.name,
        c.score,
        evidence.join(", ")
    );
}

fn explain_candidate(out: &mut String, c: &Candidate) {
    let (mark, style) = if c.verdict.is_written() {
        ("+", GREEN)
    } else {
        ("-", DIM)
    };
    let places: Vec<String> = Place::ALL
        .iter()
        .filter_map(|p| c.places.get(p).map(|n| format!("{}:{n}", p.name())))
        .collect();
    let source = match c.cue {
        Some(cue) => format!(" new ({})", cue.name()),
        None => String::new(),
    };
    let _ = writeln!(
        out,
        "    {style}{mark} {}{style:#}  score {:.3}  prior {:.2}{source}  {} mention{} ({})  first at {:.0}%{}",
        c.name,
        c.score,
        c.prior,
        c.mentions,
        if c.mentions == 1 { "" } else { "s" },
        places.join(" "),
        c.first * 100.0,
        if c.verdict.is_written() {
            String::new()
        } else {
            format!("  {RED}not written:{RED:#} {}", c.verdict.reason())
        }
    );
    let mut seen: Vec<String> = Vec::new();
    for e in &c.evidence {
        let item = match e.column {
            Some(column) => format!("{} (line {}:{column}, {})", e.alias, e.line, e.zone.name()),
            None => format!("{} (line {}, {})", e.alias, e.line, e.zone.name()),
        };
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    let more = seen.len().saturating_sub(EXPLAIN_EVIDENCE);
    seen.truncate(EXPLAIN_EVIDENCE);
    let _ = writeln!(
        out,
        "        {DIM}{}{}{DIM:#}",
        seen.join("; "),
        if more > 0 {
            format!("; and {more} more")
        } else {
            String::new()
        }
    );
}

/// `frontfill vocab check`: entries and aliases per dictionary file, then totals per field.
pub fn vocab_counts(vocab: &Vocabulary) -> String {
    let mut out = String::new();
    for file in vocab.files() {
        let replaced = if file.replaced > 0 {
            format!(", {} replacing earlier entries", file.replaced)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{}: {} entries, {} names and aliases ({}){replaced}",
            file.path.display(),
            file.entries,
            file.aliases,
            file.field
        );
    }
    let totals: Vec<String> = vocab
        .counts()
        .iter()
        .map(|(field, n)| format!("{field} {n}"))
        .collect();
    let _ = writeln!(
        out,
        "{BOLD}ok{BOLD:#}: {} entries ({})",
        vocab.entries().len(),
        totals.join(", ")
    );
    out
}
