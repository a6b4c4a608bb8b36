//! The `frontfill` binary: parses the command line, runs the library, prints the reports and maps
//! the outcome to an exit code (0 done, 1 `--check`/`--diff` found changes, 2 errors).

#![expect(
    clippy::print_stderr,
    reason = "the binary is where messages reach the terminal"
)]

mod cli;
mod progress;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use frontfill::app::{Engine, Mode, Options, Status, Totals};
use frontfill::discover::discover;
use frontfill::plan::FieldPolicy;
use frontfill::report::{human, json};

use crate::cli::{Cli, ColorArg, Command, FillArgs, Format};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Fill(args) => fill(args),
        Command::Vocab(cli::VocabCommand::Learn(args)) => learn(args),
    }
}

fn learn(args: cli::LearnArgs) -> ExitCode {
    match learn_vocabulary(&args) {
        Ok(message) => {
            eprintln!("{message}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("frontfill: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn learn_vocabulary(args: &cli::LearnArgs) -> anyhow::Result<String> {
    use anyhow::Context;
    use frontfill::topic::learn::{
        learn_doc, learn_topics, render_tags, render_taxonomy, LearnOptions,
    };
    use rayon::prelude::*;
    let started = Instant::now();
    let holdout = args.holdout.as_deref().map(parse_holdout).transpose()?;
    let engine = Engine::new(Options::default());
    let inputs = discover(&args.dirs);
    let mut docs: Vec<_> = inputs
        .par_iter()
        .filter_map(|input| {
            let path = input.path();
            let name = path.file_name()?.to_string_lossy();
            if holdout.is_some_and(|(k, n)| fnv1a(&name) % n == k) {
                return None;
            }
            let bytes = std::fs::read(path).ok()?;
            let doc = frontfill::document::Document::from_bytes(path, bytes).ok()?;
            let fm = frontfill::front_matter::FrontMatter::parse(&doc).ok()?;
            let blocks = frontfill::app::post_blocks(&doc, &fm);
            let features = frontfill::topic::Features::from_blocks(&blocks, engine.segmenter());
            Some(learn_doc(&fm, features))
        })
        .collect();
    let posts = docs.len();
    if let Some(labels) = &args.labels {
        let text = std::fs::read_to_string(labels)
            .with_context(|| format!("failed to read {}", labels.display()))?;
        let more: Vec<_> = text
            .par_lines()
            .filter_map(|line| {
                let value: serde_json::Value = serde_json::from_str(line).ok()?;
                let yaml = value.get("front_matter")?.as_str()?;
                let post = format!("---\n{yaml}---\n");
                let doc = frontfill::document::Document::from_text(labels, post).ok()?;
                let fm = frontfill::front_matter::FrontMatter::parse(&doc).ok()?;
                let mut blocks = frontfill::app::post_blocks(&doc, &fm);
                if let Some(summary) = fm.text("summary") {
                    blocks.push(frontfill::extract::TextBlock {
                        zone: frontfill::extract::Zone::Paragraph,
                        text: summary.to_owned(),
                        line: 1,
                        bold: Vec::new(),
                        speaker: None,
                    });
                }
                let features = frontfill::topic::Features::from_blocks(&blocks, engine.segmenter());
                Some(learn_doc(&fm, features))
            })
            .collect();
        docs.extend(more);
    }
    let (tags, taxonomy) = learn_topics(&docs, &LearnOptions::default());
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("failed to create {}", args.out.display()))?;
    let tags_path = args.out.join("tags.yaml");
    std::fs::write(&tags_path, render_tags(&tags))
        .with_context(|| format!("failed to write {}", tags_path.display()))?;
    let taxonomy_path = args.out.join("taxonomy.yaml");
    std::fs::write(&taxonomy_path, render_taxonomy(&taxonomy))
        .with_context(|| format!("failed to write {}", taxonomy_path.display()))?;
    let triggers: usize = tags.iter().map(|t| t.triggers.len()).sum();
    Ok(format!(
        "learned from {posts} posts and {} labels: {} tags ({triggers} triggers), {} categories, {} areas in {:.1}s",
        docs.len() - posts,
        tags.len(),
        taxonomy.categories.len(),
        taxonomy.areas.len(),
        started.elapsed().as_secs_f64()
    ))
}

fn parse_holdout(spec: &str) -> anyhow::Result<(u64, u64)> {
    let (k, n) = spec
        .split_once('/')
        .ok_or_else(|| anyhow::anyhow!("--holdout takes K/N, got `{spec}`"))?;
    let (k, n): (u64, u64) = (k.trim().parse()?, n.trim().parse()?);
    anyhow::ensure!(
        n > 0 && k < n,
        "--holdout K/N needs 0 <= K < N, got `{spec}`"
    );
    Ok((k, n))
}

fn fnv1a(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn fill(args: FillArgs) -> ExitCode {
    set_color(args.color);
    if let Some(threads) = args.threads {
        if let Err(err) = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .build_global()
        {
            eprintln!("frontfill: {err}");
            return ExitCode::from(2);
        }
    }
    let mode = if args.check {
        Mode::Check
    } else if args.diff {
        Mode::Diff
    } else {
        Mode::Write
    };
    let options = Options {
        policy: FieldPolicy {
            only: args.fields.clone(),
            overwrite: args.overwrite.clone(),
            summary_en: matches!(args.summary_lang, cli::SummaryLangArg::Both),
        },
        summary_lang: args.summary_lang.into(),
        ..Options::default()
    };
    let mut engine = Engine::new(options);
    match load_topics(args.dictionaries.as_deref()) {
        Ok(Some(model)) => engine = engine.with_topics(model),
        Ok(None) => {}
        Err(err) => {
            eprintln!("frontfill: {err}");
            return ExitCode::from(2);
        }
    }
    let started = Instant::now();
    let inputs = discover(&args.paths);
    let show_bar = !args.no_progress
        && !args.quiet
        && args.verbose == 0
        && args.format == Format::Human
        && inputs.len() > 1
        && std::io::stderr().is_terminal();
    let bar = progress::Progress::new(inputs.len() as u64, show_bar);
    let reports = engine.run(&inputs, mode, &|report| bar.advance(&report.path));
    bar.finish();
    let totals = Totals::from_reports(&reports, started.elapsed());

    let mut out = anstream::stdout().lock();
    let mut err = anstream::stderr().lock();
    let mut changed = false;
    let mut failed = false;
    for report in &reports {
        changed |= report.status == Status::Filled;
        failed |= report.status == Status::Error;
        if let Some(line) = human::error_line(report) {
            let _ = writeln!(err, "frontfill: {line}");
        }
        let written = match args.format {
            Format::Json => writeln!(out, "{}", json::file_line(report)),
            Format::Human => match (&report.output, mode) {
                (Some(bytes), Mode::Write) => out.write_all(bytes),
                _ => match human::file_line(report, mode, args.verbose > 0) {
                    Some(line) if !args.quiet || mode == Mode::Check => write_line(&mut out, &line),
                    _ => Ok(()),
                },
            },
        };
        if is_broken_pipe(written) {
            return ExitCode::SUCCESS;
        }
    }
    let summary = match args.format {
        Format::Json => writeln!(out, "{}", json::totals_line(&totals)),
        Format::Human
            if !args.quiet
                && !(inputs.len() == 1
                    && matches!(inputs[0], frontfill::discover::Input::Stdin)) =>
        {
            writeln!(err, "{}", human::totals_line(&totals, mode))
        }
        Format::Human => Ok(()),
    };
    if is_broken_pipe(summary.and_then(|()| out.flush())) {
        return ExitCode::SUCCESS;
    }
    if failed {
        ExitCode::from(2)
    } else if changed && matches!(mode, Mode::Check | Mode::Diff) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn load_topics(
    dir: Option<&std::path::Path>,
) -> frontfill::Result<Option<frontfill::topic::TopicModel>> {
    let Some(dir) = dir else { return Ok(None) };
    let (tags, taxonomy) = (dir.join("tags.yaml"), dir.join("taxonomy.yaml"));
    if !tags.exists() {
        return Ok(None);
    }
    let read = |p: &std::path::Path| {
        std::fs::read_to_string(p).map_err(|source| frontfill::Error::Read {
            path: p.to_path_buf(),
            source,
        })
    };
    frontfill::topic::TopicModel::from_yaml(&tags, &read(&tags)?, &taxonomy, &read(&taxonomy)?)
        .map(Some)
}

fn write_line(out: &mut impl Write, line: &str) -> std::io::Result<()> {
    if line.ends_with('\n') {
        out.write_all(line.as_bytes())
    } else {
        writeln!(out, "{line}")
    }
}

/// A closed pipe (`frontfill … | head`) is a normal way for output to end.
fn is_broken_pipe(result: std::io::Result<()>) -> bool {
    matches!(result, Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
}

fn set_color(choice: ColorArg) {
    let choice = match choice {
        ColorArg::Auto => anstream::ColorChoice::Auto,
        ColorArg::Always => anstream::ColorChoice::Always,
        ColorArg::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
}
