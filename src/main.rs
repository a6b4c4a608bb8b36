//! The `frontfill` binary: parses the command line, runs the library, prints the reports and maps
//! the outcome to an exit code (0 done, 1 `--check`/`--diff` found changes, 2 errors).

#![expect(
    clippy::print_stderr,
    reason = "the binary is where messages reach the terminal"
)]

mod cli;
mod configure;
mod import;
mod learn_eval;
mod manual;
mod progress;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::Parser;
use frontfill::app::{Detail, Engine, Mode, Totals};
use frontfill::discover::{discover, Input};
use frontfill::report::human::one_line;
use frontfill::report::{human, json};
use frontfill::score::Scoring;
use frontfill::topic::{TopicModel, TopicSource};
use frontfill::vocab::Vocabulary;

// A post is cut into hundreds of thousands of short-lived tokens, spans and strings; mimalloc
// serves them for about half the instructions of the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use crate::cli::{
    Cli, ColorArg, Command, DictionaryArgs, ExplainArgs, FieldArgs, FillArgs, Format, NameArgs,
    VocabCommand,
};

/// mimalloc's `mi_option_purge_delay` (its v3 `mimalloc.h` enum; `libmimalloc-sys` names only
/// the stable options). A test checks that it reads that option's default, 1,000 ms, which no
/// other option has.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    keep_freed_memory();
    let cli = Cli::parse();
    match cli.command {
        Command::Fill(args) => fill(args),
        Command::Explain(args) => explain(args),
        Command::Vocab(VocabCommand::Check(args)) => vocab_check(&args),
        Command::Vocab(VocabCommand::Learn(args)) => learn_eval::vocab_learn(args),
        Command::Eval(args) => learn_eval::eval(args),
        Command::Config(args) => configure::show(&args),
        Command::Import(args) => import::import(&args),
        Command::Completions(args) => manual::completions(&args),
        Command::Man(args) => manual::man(&args),
    }
}

/// Tells mimalloc never to hand freed pages back to the kernel. Each post allocates and frees a
/// few MB; returned pages came back as fresh zeroed pages for the next post (8,000 to 24,000
/// page faults and about 4% of the CPU time of a 2,500-post batch). A process that runs for one
/// batch and exits loses nothing by keeping its peak, which stays flat with the number of posts.
fn keep_freed_memory() {
    // A user who sets mimalloc's own variable keeps their choice.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: called first thing in `main`, before any other thread exists, as mimalloc's
    // options require; the value is one the option documents (-1: never purge).
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

/// Prints `frontfill: error: MESSAGE` on stderr, `error` in red where colour is on.
pub(crate) fn print_error(message: &str) {
    let red = anstyle::AnsiColor::Red.on_default().bold();
    let _ = writeln!(
        anstream::stderr().lock(),
        "frontfill: {red}error{red:#}: {message}"
    );
}

/// Loads the vocabulary; an invalid dictionary stops the run before any post is read.
pub(crate) fn load_vocabulary(args: &DictionaryArgs) -> Result<Arc<Vocabulary>, ExitCode> {
    Vocabulary::load_layers(!args.no_builtin_dictionaries, &args.dictionaries)
        .map(Arc::new)
        .map_err(|err| {
            eprintln!("frontfill: {}", one_line(&err.to_string()));
            ExitCode::from(2)
        })
}

/// Adds the tag vocabulary and taxonomy of the last `--dictionaries` folder that has a
/// `tags.yaml`, else the shipped ones unless `--no-builtin-dictionaries`.
fn attach_topics(engine: Engine, args: &DictionaryArgs) -> Result<Engine, ExitCode> {
    match TopicModel::locate_layers(!args.no_builtin_dictionaries, &args.dictionaries) {
        Ok(Some(source)) => Ok(with_topic_source(engine, source, None)),
        Ok(None) => Ok(engine),
        Err(err) => {
            eprintln!("frontfill: {}", one_line(&err.to_string()));
            Err(ExitCode::from(2))
        }
    }
}

/// Gives the engine its topic model, with the tag counts a configuration sets: a repo's own files
/// now, the shipped ones when the first post needs them.
pub(crate) fn with_topic_source(
    engine: Engine,
    source: TopicSource,
    tag_limits: Option<(usize, usize)>,
) -> Engine {
    let adjust = move |mut model: TopicModel| {
        if let Some((min, max)) = tag_limits {
            model.weights.min_tags = min;
            model.weights.max_tags = max;
        }
        model
    };
    match source {
        TopicSource::Files(model) => engine.with_topics(Arc::new(adjust(*model))),
        TopicSource::Shipped => {
            engine.with_lazy_topics(move || adjust(TopicSource::Shipped.into_model()))
        }
    }
}

pub(crate) fn scoring(args: &NameArgs) -> Scoring {
    Scoring {
        discover: !args.no_discover,
        ..Scoring::default()
    }
}

fn vocab_check(args: &DictionaryArgs) -> ExitCode {
    // Checks the YAML sources themselves, not the table the build compiled from them.
    let loaded =
        Vocabulary::load_layers_from_yaml(!args.no_builtin_dictionaries, &args.dictionaries)
            .map(Arc::new)
            .map_err(|err| {
                eprintln!("frontfill: {}", one_line(&err.to_string()));
                ExitCode::from(2)
            });
    match loaded {
        Ok(vocab) => {
            // A closed pipe is a normal end here too; nothing else can go wrong after loading.
            let _ = anstream::stdout()
                .lock()
                .write_all(human::vocab_counts(&vocab).as_bytes());
            match TopicModel::load_layers(!args.no_builtin_dictionaries, &args.dictionaries) {
                Ok(Some(topics)) => {
                    for (tag, other) in topics.near_duplicate_tags() {
                        eprintln!("frontfill: warning: tags `{tag}` and `{other}` are near-duplicates; merge one into the other's aliases");
                    }
                    ExitCode::SUCCESS
                }
                Ok(None) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("frontfill: {}", one_line(&err.to_string()));
                    ExitCode::from(2)
                }
            }
        }
        Err(code) => code,
    }
}

fn explain(args: ExplainArgs) -> ExitCode {
    set_color(args.color);
    let overrides = configure::overrides(&FieldArgs::default(), &args.names);
    let engine = match configure::settings(args.config.as_deref(), &args.paths, &overrides)
        .and_then(|settings| configure::engine(&settings))
    {
        Ok(engine) => engine,
        Err(code) => return code,
    };
    let mut out = anstream::stdout().lock();
    let mut failed = false;
    for input in discover(&args.paths) {
        let path = input.path().to_path_buf();
        let bytes = match &input {
            Input::File(path) => std::fs::read(path).map_err(|e| e.to_string()),
            Input::Stdin => {
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes)
                    .map(|_| bytes)
                    .map_err(|e| e.to_string())
            }
            Input::Unreadable(_, message) => Err(message.clone()),
        };
        let result = bytes
            .map_err(|e| format!("failed to read {}: {e}", path.display()))
            .and_then(|bytes| {
                engine
                    .explain(&path, bytes)
                    .map_err(|e| one_line(&e.to_string()))
            });
        let written = match result {
            Ok(explanation) => match args.format {
                Format::Json => writeln!(out, "{}", json::explain_line(&explanation)),
                Format::Human => out.write_all(human::explain_text(&explanation).as_bytes()),
            },
            Err(message) => {
                failed = true;
                eprintln!("frontfill: error: {message}");
                Ok(())
            }
        };
        if is_broken_pipe(written) {
            return ExitCode::SUCCESS;
        }
    }
    if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
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
    let overrides = configure::overrides(&args.choice, &args.names);
    // Only the JSON report shows the candidates and evidence behind the edits; finding them
    // costs a search of the post per kept mention.
    let detail = match args.format {
        Format::Json => Detail::Evidence,
        Format::Human => Detail::Plan,
    };
    let batch = match configure::Batch::new(args.config.as_deref(), &args.paths, &overrides, detail)
    {
        Ok(batch) => batch,
        Err(code) => return configure::echo_stdin(&args.paths, code),
    };
    let started = Instant::now();
    let inputs = &batch.inputs;
    let show_bar = !args.no_progress
        && !args.quiet
        && args.verbose == 0
        && args.format == Format::Human
        && inputs.len() > 1
        && std::io::stderr().is_terminal();
    let bar = progress::Progress::new(inputs.len() as u64, show_bar);
    let mut totals = Totals::default();
    // Human lines go through anstream, which drops their colour when stdout is not a terminal.
    // Posts and JSON lines must reach stdout byte for byte (a post may hold escape sequences
    // that anstream would strip), and skipping its scan keeps JSON output cheap. Both handles
    // lock, and buffer in, the same stdout, so lines stay in order.
    let mut out = anstream::stdout().lock();
    let mut raw = std::io::stdout().lock();
    let mut err = anstream::stderr();
    // The exit code reflects every post, also when a reader (`| head`) closes the pipe early.
    let mut stdout_open = true;
    batch.run(mode, &|report| bar.advance(&report.path), |report| {
        totals.add(&report);
        bar.suspend(|| {
            if let Some(line) = human::error_line(&report) {
                let _ = writeln!(err, "frontfill: {line}");
            }
            if !stdout_open {
                return;
            }
            let written = match args.format {
                Format::Json => writeln!(raw, "{}", json::file_line(&report)),
                Format::Human => match (&report.output, mode) {
                    (Some(bytes), Mode::Write) => raw.write_all(bytes),
                    _ => match human::file_line(&report, mode, args.verbose > 0) {
                        Some(line) if !args.quiet || mode == Mode::Check => {
                            write_line(&mut out, &line)
                        }
                        _ => Ok(()),
                    },
                },
            };
            stdout_open = !is_broken_pipe(written);
        });
    });
    bar.finish();
    totals.elapsed = started.elapsed();
    let changed = totals.filled > 0;
    let failed = totals.errors > 0;
    let mut err = err.lock();
    if stdout_open {
        let _ = match args.format {
            Format::Json => {
                writeln!(raw, "{}", json::totals_line(&totals)).and_then(|()| raw.flush())
            }
            Format::Human if !args.quiet && !is_stdin_only(inputs) => {
                writeln!(err, "{}", human::totals_line(&totals, mode))
            }
            Format::Human => out.flush(),
        };
    }
    let code = if failed {
        2
    } else if changed && matches!(mode, Mode::Check | Mode::Diff) {
        1
    } else {
        0
    };
    let _ = out.flush();
    let _ = raw.flush();
    let _ = err.flush();
    // Everything is written: the run's tables (vocabulary, automata, jieba's dictionary) go with
    // the process instead of being freed piece by piece first.
    std::process::exit(code)
}

/// A lone `-` is a filter: the summary line would only get in the way.
fn is_stdin_only(inputs: &[Input]) -> bool {
    matches!(inputs, [Input::Stdin])
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

#[cfg(test)]
mod tests {
    use super::MI_OPTION_PURGE_DELAY;

    #[test]
    fn the_purge_delay_option_reads_its_documented_default() {
        // 1,000 ms is `purge_delay`'s default in mimalloc's option table and no other option's,
        // so a shifted enum would read another value here.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // SAFETY: reading an option; this test does not set any.
            assert_eq!(
                unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) },
                1000
            );
        }
    }
}
