//! The command line as clap sees it: every flag with its help text, written for the people who
//! run frontfill on their posts. `main` turns these into library options.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use frontfill::app::SummaryLang;
use frontfill::field::Field;
use frontfill::holdout::Holdout;

/// Fill the front matter of Markdown transcript posts: tags, people, organisations, products,
/// media, category, area and a summary. Offline, deterministic, and it never touches a byte
/// outside the fields it fills.
#[derive(Debug, Parser)]
#[command(name = "frontfill", version, propagate_version = true)]
#[command(
    after_help = "Examples:\n  frontfill fill posts/                  fill every fresh draft under posts/\n  frontfill fill --diff post.md          show what would change; write nothing\n  frontfill fill --check posts/          exit 1 if a post still needs filling (CI)\n  frontfill fill - < post.md             read a post on stdin, print the filled post (editors)\n  frontfill import talk.vtt              turn a transcript into a filled draft post\n  frontfill explain post.md              why each name was (or was not) chosen\n  frontfill config                       the settings in force and where they come from\n\nA content repo can keep its settings in frontfill.yaml; see `frontfill config --help`."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Fill empty front matter fields in posts (folders are searched for *.md and *.markdown).
    #[command(
        after_help = "By default only fresh drafts are filled: posts where all eight fields are missing or empty.\nA post with any of them set is left exactly as it is.\n\nExit status: 0 done or nothing to do, 1 --check/--diff found posts to fill, 2 errors.\n\nExamples:\n  frontfill fill posts/2025-03-20-gtc.md          fill one post in place\n  frontfill fill --diff posts/                   preview every change as a diff\n  frontfill fill --fields summary posts/         only add missing summaries, in any post\n  frontfill fill --overwrite tags post.md        replace the tags even though they are set\n  frontfill fill --summary-lang both post.md     also write summary_en for a bilingual post\n  frontfill fill - < post.md > filled.md         filter one post (editors)\n  frontfill fill --format json - < post.md       suggestions with evidence, as JSON"
    )]
    Fill(FillArgs),
    /// Show why names would or would not be written: for each of people, companies_orgs,
    /// products_models and media_books, every candidate with its score, evidence and prior.
    #[command(
        after_help = "The post's current values are shown next to each field; explain never changes a file.\n\nExamples:\n  frontfill explain posts/2025-03-20-gtc.md\n  frontfill explain --format json post.md | jq '.fields.people'"
    )]
    Explain(ExplainArgs),
    /// Check or work with the dictionaries.
    #[command(subcommand)]
    Vocab(VocabCommand),
    /// Measure the filler on gold posts: blank copies, fill them, score them like
    /// ../shared/eval/score.py (per-field precision, recall, F1; category/area accuracy; ROUGE).
    #[command(
        after_help = "Report accuracy with --holdout 0/5 on a vocabulary learned with `vocab learn --holdout 0/5`,\nso the scored posts were never seen.\n\nExample:\n  frontfill vocab learn ../shared/corpus/posts --labels ../shared/corpus/labels.jsonl --holdout 0/5 --out /tmp/dict\n  frontfill eval ../shared/corpus/posts --holdout 0/5 --dictionaries /tmp/dict --no-builtin-dictionaries\n\nThe built-in dictionaries were learned from every corpus post: leave them out for a held-out measurement."
    )]
    Eval(EvalArgs),
    /// Show the configuration a run would use, and where each value comes from (default, the
    /// repo's frontfill.yaml, or a flag).
    #[command(after_help = crate::configure::CONFIG_HELP)]
    Config(ConfigArgs),
    /// Turn transcripts (.txt, .srt, .vtt; English or Chinese) into draft posts with filled
    /// front matter: NAME.md next to each transcript, or in --out.
    #[command(after_help = crate::import::IMPORT_HELP)]
    Import(ImportArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(after_help = crate::manual::COMPLETIONS_HELP)]
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout, or write frontfill.1 and one page per subcommand
    /// into --out.
    #[command(
        after_help = "Example:\n  frontfill man | man -l -\n  frontfill man --out /usr/local/share/man/man1"
    )]
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ConfigArgs {
    /// The posts or folders a run would fill; the configuration is looked for from their common
    /// folder (default: the working folder).
    #[arg(value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,

    /// Use this configuration file instead of the nearest frontfill.yaml.
    #[arg(long, value_name = "FILE", help_heading = "Config")]
    pub(crate) config: Option<PathBuf>,

    #[command(flatten)]
    pub(crate) choice: FieldArgs,

    #[command(flatten)]
    pub(crate) names: NameArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// Transcript files, or folders of them (.txt, .srt, .vtt).
    #[arg(value_name = "TRANSCRIPT", required = true)]
    pub(crate) paths: Vec<PathBuf>,

    /// Write the posts into this folder instead of next to each transcript.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,

    /// The post's title (default: from the file name). Only with a single transcript.
    #[arg(long)]
    pub(crate) title: Option<String>,

    /// The video's URL, written as `source`.
    #[arg(long, value_name = "URL")]
    pub(crate) source: Option<String>,

    /// The date, written as `date` (for example 2025-03-20).
    #[arg(long)]
    pub(crate) date: Option<String>,

    /// Replace a post that already exists.
    #[arg(long)]
    pub(crate) force: bool,

    /// As for fill: the summary language.
    #[arg(long, value_enum, help_heading = "Fields")]
    pub(crate) summary_lang: Option<SummaryLangArg>,

    #[command(flatten)]
    pub(crate) names: NameArgs,

    /// Use this configuration file instead of the nearest frontfill.yaml.
    #[arg(long, value_name = "FILE", help_heading = "Config")]
    pub(crate) config: Option<PathBuf>,

    /// Print only errors.
    #[arg(short, long)]
    pub(crate) quiet: bool,

    /// When to use colour (NO_COLOR is honoured in auto).
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub(crate) color: ColorArg,
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// Write frontfill.1 and frontfill-SUBCOMMAND.1 pages into this folder instead.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum VocabCommand {
    /// Load and validate the dictionaries (built-in plus --dictionaries) and print counts per file.
    #[command(after_help = "Exit status: 0 valid, 2 an error (printed with file and line).")]
    Check(DictionaryArgs),
    /// Learn the dictionaries from posts whose front matter is already filled.
    #[command(
        after_help = "Writes people.yaml, companies_orgs.yaml, products_models.yaml and media_books.yaml into --out.\nWhat a curator wrote there is kept (aliases, ambiguous, note, case_sensitive, hand-added entries);\npriors and counts are refreshed and new values are added. The output is deterministic."
    )]
    Learn(LearnArgs),
}

/// Where the vocabulary comes from.
#[derive(Debug, Args)]
pub(crate) struct DictionaryArgs {
    /// Also read people.yaml, companies_orgs.yaml, products_models.yaml and media_books.yaml from
    /// this folder, on top of the built-in dictionaries (repeatable; later folders win).
    #[arg(long, value_name = "DIR", help_heading = "Vocabulary")]
    pub(crate) dictionaries: Vec<PathBuf>,

    /// Leave out the built-in dictionaries: use only the --dictionaries folders.
    #[arg(long, help_heading = "Vocabulary", requires = "dictionaries")]
    pub(crate) no_builtin_dictionaries: bool,
}

/// Which fields are filled, and how (`fill` and `config` share them, so `config` shows exactly
/// what a `fill` with the same flags would do).
#[derive(Debug, Default, Args)]
pub(crate) struct FieldArgs {
    /// Fill only these fields, where they are empty, in any post (not just fresh drafts).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "FIELD,...",
        help_heading = "Fields"
    )]
    pub(crate) fields: Option<Vec<Field>>,

    /// Replace these fields even when they are already set.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "FIELD,...",
        help_heading = "Fields"
    )]
    pub(crate) overwrite: Vec<Field>,

    /// Summary language: the post's own (auto, the default), zh, en, or both (adds summary_en
    /// from the English originals).
    #[arg(long, value_enum, help_heading = "Fields")]
    pub(crate) summary_lang: Option<SummaryLangArg>,
}

/// How names are chosen.
#[derive(Debug, Args)]
pub(crate) struct NameArgs {
    #[command(flatten)]
    pub(crate) dictionaries: DictionaryArgs,

    /// Only write names that are in the dictionaries; never propose new ones.
    #[arg(long, help_heading = "Vocabulary")]
    pub(crate) no_discover: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// Posts (or folders of posts) to explain.
    #[arg(value_name = "FILE", required = true)]
    pub(crate) paths: Vec<PathBuf>,

    #[command(flatten)]
    pub(crate) names: NameArgs,

    /// Use this configuration file instead of the nearest frontfill.yaml.
    #[arg(long, value_name = "FILE", help_heading = "Config")]
    pub(crate) config: Option<PathBuf>,

    /// Output style: human lines, or JSON Lines (one object per post).
    #[arg(long, value_enum, default_value_t = Format::Human, help_heading = "Output")]
    pub(crate) format: Format,

    /// When to use colour (NO_COLOR is honoured in auto).
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN", help_heading = "Output")]
    pub(crate) color: ColorArg,
}

#[derive(Debug, Args)]
pub(crate) struct LearnArgs {
    /// Folders (or files) of posts with filled front matter.
    #[arg(value_name = "DIR", required = true)]
    pub(crate) dirs: Vec<PathBuf>,

    /// Also learn from a JSON Lines file of {"file", "front_matter"} rows (no body).
    #[arg(long, value_name = "FILE.jsonl")]
    pub(crate) labels: Option<PathBuf>,

    /// The folder to write the dictionaries into (created if needed).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,

    /// Leave out the posts whose file-name hash is K modulo N (the evaluation fold).
    #[arg(long, value_name = "K/N")]
    pub(crate) holdout: Option<Holdout>,
}

#[derive(Debug, Args)]
pub(crate) struct EvalArgs {
    /// A folder of gold posts (its *.md files, not subfolders).
    #[arg(value_name = "GOLD_DIR")]
    pub(crate) gold: PathBuf,

    /// Score only the posts whose file-name hash is K modulo N.
    #[arg(long, value_name = "K/N")]
    pub(crate) holdout: Option<Holdout>,

    #[command(flatten)]
    pub(crate) names: NameArgs,

    /// Keep the gold/, blanked/ and filled/ copies in this folder (for ../shared/eval/score.py).
    #[arg(long, value_name = "DIR")]
    pub(crate) keep: Option<PathBuf>,

    /// Print the scores as JSON (score.py's keys, plus counts and the recall ceiling).
    #[arg(long)]
    pub(crate) json: bool,

    /// Number of threads (default: all cores).
    #[arg(short = 'j', long, value_name = "N")]
    pub(crate) threads: Option<usize>,
}

#[derive(Debug, Args)]
pub(crate) struct FillArgs {
    /// Posts or folders to fill; `-` reads one post from stdin and prints the result.
    #[arg(value_name = "PATH", default_value = ".")]
    pub(crate) paths: Vec<PathBuf>,

    /// Write nothing; list the posts that would change and exit 1 if there are any.
    #[arg(long, help_heading = "Mode", conflicts_with = "diff")]
    pub(crate) check: bool,

    /// Write nothing; print a unified diff of what would change and exit 1 if anything would.
    #[arg(long, help_heading = "Mode")]
    pub(crate) diff: bool,

    #[command(flatten)]
    pub(crate) choice: FieldArgs,

    #[command(flatten)]
    pub(crate) names: NameArgs,

    /// Use this configuration file instead of the nearest frontfill.yaml.
    #[arg(long, value_name = "FILE", help_heading = "Config")]
    pub(crate) config: Option<PathBuf>,

    /// Output style: human lines, or JSON Lines for editors and scripts.
    #[arg(long, value_enum, default_value_t = Format::Human, help_heading = "Output")]
    pub(crate) format: Format,

    /// Never draw the progress bar.
    #[arg(long, help_heading = "Output")]
    pub(crate) no_progress: bool,

    /// Print only errors.
    #[arg(short, long, help_heading = "Output", conflicts_with = "verbose")]
    pub(crate) quiet: bool,

    /// Also list posts that were left unchanged.
    #[arg(short, long, action = clap::ArgAction::Count, help_heading = "Output")]
    pub(crate) verbose: u8,

    /// When to use colour (NO_COLOR is honoured in auto).
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN", help_heading = "Output")]
    pub(crate) color: ColorArg,

    /// Number of threads (default: all cores).
    #[arg(short = 'j', long, value_name = "N")]
    pub(crate) threads: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SummaryLangArg {
    Auto,
    Zh,
    En,
    Both,
}

impl From<SummaryLangArg> for SummaryLang {
    fn from(arg: SummaryLangArg) -> Self {
        match arg {
            SummaryLangArg::Auto => SummaryLang::Auto,
            SummaryLangArg::Zh => SummaryLang::Zh,
            SummaryLangArg::En => SummaryLang::En,
            SummaryLangArg::Both => SummaryLang::Both,
        }
    }
}
