//! The binary side of `vocab learn` and `eval`: runs them through the library and prints their
//! reports (counts, timings, the score table), mapping failures to exit code 2.

#![expect(
    clippy::print_stderr,
    reason = "the binary is where messages reach the terminal"
)]

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use frontfill::app::{Engine, Options};
use frontfill::eval::{evaluate, EvalReport, KnownNames, Prf};
use frontfill::field::Field;
use frontfill::vocab::format::{file_name, ENTITY_FIELDS};
use frontfill::vocab::learn::{learn, read_dictionaries, write_dictionaries, Sources, Thresholds};
use frontfill::vocab::Vocabulary;

use crate::cli::{EvalArgs, LearnArgs};

fn fail(err: impl std::fmt::Display) -> ExitCode {
    eprintln!("frontfill: {err}");
    ExitCode::from(2)
}

fn set_threads(threads: Option<usize>) -> Result<(), ExitCode> {
    if let Some(threads) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .build_global()
            .map_err(fail)?;
    }
    Ok(())
}

/// `frontfill vocab learn`.
pub(crate) fn vocab_learn(args: LearnArgs) -> ExitCode {
    let started = Instant::now();
    let existing = match read_dictionaries(&args.out) {
        Ok(existing) => existing,
        Err(err) => return fail(err),
    };
    let sources = Sources {
        dirs: args.dirs,
        labels: args.labels,
        holdout: args.holdout,
    };
    let learned = match learn(&sources, &existing, &Thresholds::default()) {
        Ok(learned) => learned,
        Err(err) => return fail(err),
    };
    if let Err(err) = write_dictionaries(&args.out, &learned.files) {
        return fail(err);
    }
    let topics = frontfill::topic::learn::learn_from_sources(
        &sources,
        &frontfill::segment::Segmenter::default(),
        &frontfill::topic::learn::LearnOptions::default(),
    )
    .and_then(|(tags, taxonomy)| {
        let write = |name: &str, text: String| {
            let path = args.out.join(name);
            std::fs::write(&path, text).map_err(|source| frontfill::Error::Write { path, source })
        };
        write("tags.yaml", frontfill::topic::learn::render_tags(&tags))?;
        write(
            "taxonomy.yaml",
            frontfill::topic::learn::render_taxonomy(&taxonomy),
        )?;
        Ok((tags, taxonomy))
    });
    let (tags, taxonomy) = match topics {
        Ok(topics) => topics,
        Err(err) => return fail(err),
    };
    let elapsed = started.elapsed();
    let report = &learned.report;
    for problem in &report.problems {
        eprintln!("frontfill: skipped: {problem}");
    }
    let mut out = anstream::stdout().lock();
    for (field, r) in &report.fields {
        let path = args.out.join(file_name(*field).unwrap_or_default());
        let _ = writeln!(
            out,
            "{}: {} entries ({} kept, {} new), {} aliases ({} mined), from {} distinct label values",
            path.display(),
            r.entries,
            r.kept,
            r.added,
            r.aliases,
            r.mined,
            r.values
        );
    }
    let triggers: usize = tags.iter().map(|t| t.triggers.len()).sum();
    let _ = writeln!(
        out,
        "{}: {} tags ({triggers} triggers); {}: {} categories, {} areas",
        args.out.join("tags.yaml").display(),
        tags.len(),
        args.out.join("taxonomy.yaml").display(),
        taxonomy.categories.len(),
        taxonomy.areas.len()
    );
    let held_out = match sources.holdout {
        Some(h) => format!(" ({} held out by --holdout {h})", report.held_out),
        None => String::new(),
    };
    let _ = writeln!(
        out,
        "learned from {} posts{held_out} and {} label rows in {:.1}s",
        report.posts,
        report.labels,
        elapsed.as_secs_f64()
    );
    ExitCode::SUCCESS
}

/// The canonical names of the loaded vocabulary, normalized as the scorer compares them.
fn known_names(vocabulary: &Vocabulary) -> KnownNames {
    let mut known: KnownNames = BTreeMap::new();
    for entry in vocabulary.entries() {
        known
            .entry(entry.field)
            .or_default()
            .insert(frontfill::eval::norm_entity(&entry.name));
    }
    known
}

/// `frontfill eval`.
pub(crate) fn eval(args: EvalArgs) -> ExitCode {
    if let Err(code) = set_threads(args.threads) {
        return code;
    }
    let vocabulary = match crate::load_vocabulary(&args.names.dictionaries) {
        Ok(vocabulary) => vocabulary,
        Err(code) => return code,
    };
    if args.holdout.is_some() && !args.names.dictionaries.no_builtin_dictionaries {
        eprintln!(
            "frontfill: note: the built-in dictionaries were learned from every corpus post; for a held-out measurement, learn with --holdout and pass --dictionaries DIR --no-builtin-dictionaries"
        );
    }
    let known = known_names(&vocabulary);
    let options = Options {
        scoring: crate::scoring(&args.names),
        ..Options::default()
    };
    let engine = match crate::attach_topics(
        Engine::with_vocabulary(options, vocabulary),
        &args.names.dictionaries,
    ) {
        Ok(engine) => engine,
        Err(code) => return code,
    };
    let temp;
    let work = match &args.keep {
        Some(dir) => dir.clone(),
        None => match tempfile::tempdir() {
            Ok(dir) => {
                temp = dir;
                temp.path().to_path_buf()
            }
            Err(err) => return fail(err),
        },
    };
    let mut report = match evaluate(&args.gold, args.holdout, &engine, &work, Some(&known)) {
        Ok(report) => report,
        Err(err) => return fail(err),
    };
    if args.keep.is_some() {
        report.work_dir = Some(work);
    }
    for err in &report.fill_errors {
        eprintln!("frontfill: fill error: {err}");
    }
    let mut out = anstream::stdout().lock();
    let text = if args.json {
        serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
    } else {
        table(&report, &args)
    };
    let _ = out.write_all(text.as_bytes());
    ExitCode::SUCCESS
}

fn table(report: &EvalReport, args: &EvalArgs) -> String {
    let s = &report.scores;
    let mut t = String::new();
    let fold = args
        .holdout
        .map(|h| format!(" (holdout {h})"))
        .unwrap_or_default();
    t.push_str(&format!(
        "{} posts{fold} from {}, filled in {:.1}s\n\n",
        s.posts,
        args.gold.display(),
        report.fill_time.as_secs_f64()
    ));
    t.push_str(&format!(
        "{:<16} {:>7} {:>7} {:>7}   {:>15}\n",
        "field", "P", "R", "F1", "tp/fp/fn"
    ));
    let row = |name: &str, prf: Prf, key: Option<&str>| {
        let counts = key
            .and_then(|k| s.counts.get(k))
            .map(|c| format!("{}/{}/{}", c.tp, c.fp, c.fn_))
            .unwrap_or_default();
        format!(
            "{name:<16} {:>7.4} {:>7.4} {:>7.4}   {counts:>15}\n",
            prf.p, prf.r, prf.f1
        )
    };
    t.push_str(&row("people", s.people, Some("people")));
    t.push_str(&row(
        "companies_orgs",
        s.companies_orgs,
        Some("companies_orgs"),
    ));
    t.push_str(&row(
        "products_models",
        s.products_models,
        Some("products_models"),
    ));
    t.push_str(&row("media_books", s.media_books, Some("media_books")));
    t.push_str(&row(
        "entities micro",
        s.entities_micro,
        Some("entities_micro"),
    ));
    t.push_str(&row("tags", s.tags, None));
    t.push_str(&row("tags_lenient", s.tags_lenient, None));
    t.push_str(&format!(
        "\ncategory accuracy {:.4}, area accuracy {:.4}\n",
        s.category_acc, s.area_acc
    ));
    if let Some(r) = &s.summary_rouge {
        t.push_str(&format!(
            "summary ROUGE-1 {:.4}, ROUGE-2 {:.4}, ROUGE-L {:.4} (median length {})\n",
            r.r1, r.r2, r.rl, s.summary_len_median
        ));
    }
    if let (Some(ok), Some(bad)) = (s.untouched_ok, s.untouched_bad) {
        t.push_str(&format!("untouched_ok {ok}, untouched_bad {bad}\n"));
    }
    if let Some(c) = &report.ceiling {
        let fields: Vec<String> = ENTITY_FIELDS
            .iter()
            .map(|f: &Field| {
                let k = c.fields.get(f.name()).copied().unwrap_or_default();
                format!("{f} {:.4}", k.share())
            })
            .collect();
        t.push_str(&format!(
            "recall ceiling (gold values in the vocabulary): {:.4} ({}/{}); {}\n",
            c.micro.share(),
            c.micro.known,
            c.micro.total,
            fields.join(", ")
        ));
    }
    if let Some(dir) = &report.work_dir {
        t.push_str(&format!("copies kept in {}\n", dir.display()));
    }
    t
}
