//! Round-trips the real corpus (`../shared/corpus`, skipped when absent) through the library.
//! Every post in `styles/` and `posts/` either fails with a clean error or round-trips:
//! - as it is (all fields set), filling leaves it byte-identical;
//! - with the eight fields blanked the way `../shared/eval/blank.py` does, filling changes only
//!   those fields: `blank(filled) == blanked`, the check `score.py --input` makes. A `styles/` post
//!   that lacks some of the keys may also get them inserted, and nothing else;
//! - filling the filled post again changes nothing.
//!
//! `FRONTFILL_CORPUS=DIR` points at another copy of the corpus; `FRONTFILL_CORPUS_EVERY=N` checks
//! every N-th post only (default: all of them).

#![expect(clippy::print_stderr, reason = "the test reports its counts and skips")]

mod common;

use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Instant;

use frontfill::app::{Engine, Options};
use rayon::prelude::*;

use common::{blank, front_matter_range, key_of_line, strip_entries, MANAGED_KEYS};

#[derive(Debug)]
enum Outcome {
    /// Round-tripped; `inserted` when a missing key was added (styles only).
    Ok { filled: bool, inserted: bool },
    /// A clean error.
    Error(String),
    /// A panic, a changed byte, or a second fill that changed the post.
    Damaged(String),
}

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("FRONTFILL_CORPUS")
        .map_or_else(|| common::root().join("../shared/corpus"), PathBuf::from);
    dir.join("posts").is_dir().then_some(dir)
}

fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("readable corpus folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files
}

/// The managed keys that the front matter of `text` does not have.
fn missing_keys(text: &str) -> Vec<&'static str> {
    let present: Vec<&str> = front_matter_range(text)
        .map(|(start, end)| text[start..end].lines().filter_map(key_of_line).collect())
        .unwrap_or_default();
    MANAGED_KEYS
        .iter()
        .copied()
        .filter(|k| !present.contains(k))
        .collect()
}

/// Whether `out` is `input` with only the managed fields changed, the way `score.py --input`
/// sees it. `Ok(true)` when managed keys the input lacked were inserted (allowed for styles/).
fn only_fields_changed(input: &str, out: &str, may_insert: bool) -> Result<bool, String> {
    if blank(out) == blank(input) {
        return Ok(false);
    }
    if may_insert {
        let missing = missing_keys(input);
        let without = |t: &str| strip_entries(&blank(t), &missing);
        if !missing.is_empty() && without(out) == without(input) {
            return Ok(true);
        }
        // `blank` leaves alone a post that does not start with `---\n` (CRLF, a BOM): compare
        // the posts without the managed entries instead.
        if blank(input) == input
            && strip_entries(out, &MANAGED_KEYS) == strip_entries(input, &MANAGED_KEYS)
        {
            return Ok(!missing.is_empty());
        }
    }
    Err(first_difference(&blank(input), &blank(out)))
}

fn first_difference(a: &str, b: &str) -> String {
    let line = a
        .lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .unwrap_or_else(|| a.lines().count().min(b.lines().count()));
    let show = |t: &str| {
        t.lines()
            .nth(line)
            .unwrap_or("<end>")
            .chars()
            .take(80)
            .collect::<String>()
    };
    format!("line {}: {:?} became {:?}", line + 1, show(a), show(b))
}

fn check(engine: &Engine, path: &Path, may_insert: bool) -> Outcome {
    let bytes = std::fs::read(path).expect("readable corpus file");
    let run = || -> Outcome {
        // As it is: a filled post stays byte-identical (no text means nothing would be written).
        let original = match engine.fill(path, bytes.clone()) {
            Err(e) => return Outcome::Error(e.to_string()),
            Ok(filled) => {
                if let Some(out) = &filled.text {
                    if let Err(why) = only_fields_changed(&filled.original, out, may_insert) {
                        return Outcome::Damaged(format!("as is: {why}"));
                    }
                }
                filled.original
            }
        };
        // Blanked: only the blanked fields change.
        let blanked = blank(&original);
        let filled = match engine.fill(path, blanked.clone().into_bytes()) {
            Err(e) => return Outcome::Damaged(format!("blanked post failed: {e}")),
            Ok(filled) => filled,
        };
        let Some(out) = filled.text else {
            return Outcome::Ok {
                filled: false,
                inserted: false,
            };
        };
        let inserted = match only_fields_changed(&blanked, &out, may_insert) {
            Ok(inserted) => inserted,
            Err(why) => return Outcome::Damaged(format!("blanked: {why}")),
        };
        // Filling the result again changes nothing.
        match engine.fill(path, out.into_bytes()) {
            Ok(again) if again.text.is_none() => Outcome::Ok {
                filled: true,
                inserted,
            },
            Ok(_) => Outcome::Damaged("a second fill changed the post".to_owned()),
            Err(e) => Outcome::Damaged(format!("the filled post does not refill: {e}")),
        }
    };
    catch_unwind(AssertUnwindSafe(run)).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default();
        Outcome::Damaged(format!("panic: {message}"))
    })
}

#[test]
fn every_corpus_post_errors_cleanly_or_round_trips() {
    let Some(corpus) = corpus() else {
        eprintln!("skipped: ../shared/corpus is not here");
        return;
    };
    let every: usize = std::env::var("FRONTFILL_CORPUS_EVERY")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(1);
    let engine = Engine::new(Options::default());
    let mut report = String::new();
    let mut damaged = Vec::new();
    for (folder, may_insert) in [("styles", true), ("posts", false)] {
        let started = Instant::now();
        let files: Vec<PathBuf> = markdown_files(&corpus.join(folder))
            .into_iter()
            .step_by(every)
            .collect();
        let outcomes: Vec<(PathBuf, Outcome)> = files
            .par_iter()
            .map(|path| (path.clone(), check(&engine, path, may_insert)))
            .collect();
        let (mut ok, mut filled, mut inserted, mut errors) = (0, 0, 0, Vec::new());
        for (path, outcome) in outcomes {
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            match outcome {
                Outcome::Ok {
                    filled: f,
                    inserted: i,
                } => {
                    ok += 1;
                    filled += usize::from(f);
                    inserted += usize::from(i);
                }
                Outcome::Error(e) => errors.push(format!("{name}: {e}")),
                Outcome::Damaged(why) => damaged.push(format!("{folder}/{name}: {why}")),
            }
        }
        let _ = writeln!(
            report,
            "corpus {folder}/: {} files, {ok} ok ({filled} filled after blanking, {inserted} with missing keys inserted), {} errors, {} damaged in {:.1}s",
            files.len(),
            errors.len(),
            damaged.iter().filter(|d| d.starts_with(folder)).count(),
            started.elapsed().as_secs_f64()
        );
        for error in &errors {
            let _ = writeln!(report, "  error: {error}");
        }
    }
    eprint!("{report}");
    assert!(damaged.is_empty(), "damaged posts:\n{}", damaged.join("\n"));
}
