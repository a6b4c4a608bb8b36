//! `frontfill import`: each transcript becomes `NAME.md` (next to it, or in `--out`) with front
//! matter in the canonical layout, filled by the same engine as `fill`. An existing post is never
//! replaced without `--force`; a failed transcript is reported and the batch goes on (exit 2).

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use frontfill::app::Engine;
use frontfill::discover::{discover_files, Input};
use frontfill::document::MAX_FILE_SIZE;
use frontfill::report::human::one_line;
use frontfill::transcript::{
    is_transcript, post_name, render_post, transcript_paragraphs, Draft, Format,
};
use frontfill::write::write_new;

use crate::cli::{FieldArgs, ImportArgs};

pub(crate) const IMPORT_HELP: &str = "\
The transcript's cue numbers, timestamps, WEBVTT headers, inline tags, `>>` speaker marks and the
repeated lines of rolling (YouTube-style) captions are dropped; the lines are joined into
paragraphs, a new one after a pause of two seconds or a change of speaker. The post gets
`title` (from the file name unless --title), `source` and `date` when given, `draft: true`,
and its fields filled as `frontfill fill` would. An existing post is never replaced without --force.

Exit status: 0 every transcript imported, 2 any error (the others are still imported).

Examples:
  frontfill import talk.en.vtt                       writes talk.md next to it
  frontfill import captions/ --out posts/            every .txt, .srt and .vtt under captions/
  frontfill import 访谈.srt --source https://youtu.be/xyz --date 2025-03-20";

/// What became of one transcript.
enum Outcome {
    Imported { post: PathBuf, fields: Vec<String> },
    Failed(String),
}

/// `frontfill import TRANSCRIPT...`.
pub(crate) fn import(args: &ImportArgs) -> ExitCode {
    crate::set_color(args.color);
    let overrides = crate::configure::overrides(
        &FieldArgs {
            summary_lang: args.summary_lang,
            ..FieldArgs::default()
        },
        &args.names,
    );
    let settings = match crate::configure::settings(args.config.as_deref(), &args.paths, &overrides)
    {
        Ok(settings) => settings,
        Err(code) => return code,
    };
    let mut inputs = discover_files(&args.paths, is_transcript);
    inputs.retain(|input| !matches!(input, Input::File(p) if settings.exclude.is_excluded(p)));
    if args.title.is_some() && inputs.len() > 1 {
        crate::print_error("--title names one post; give a single transcript with it");
        return ExitCode::from(2);
    }
    if let Some(out) = &args.out {
        if let Err(err) = std::fs::create_dir_all(out) {
            crate::print_error(&format!("failed to create {}: {err}", out.display()));
            return ExitCode::from(2);
        }
    }
    let engine = match crate::configure::engine(&settings) {
        Ok(engine) => engine,
        Err(code) => return code,
    };
    let mut written = BTreeSet::new();
    let mut failed = false;
    let green = anstyle::AnsiColor::Green.on_default();
    for input in &inputs {
        match import_one(&engine, args, input, &mut written) {
            Outcome::Imported { post, fields } => {
                if !args.quiet {
                    let _ = writeln!(
                        anstream::stdout().lock(),
                        "{green}imported{green:#} {} -> {}: {}",
                        input.path().display(),
                        post.display(),
                        if fields.is_empty() {
                            "no fields filled".to_owned()
                        } else {
                            fields.join(", ")
                        }
                    );
                }
            }
            Outcome::Failed(message) => {
                failed = true;
                crate::print_error(&one_line(&message));
            }
        }
    }
    if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

fn import_one(
    engine: &Engine,
    args: &ImportArgs,
    input: &Input,
    written: &mut BTreeSet<PathBuf>,
) -> Outcome {
    let path = match input {
        Input::File(path) => path,
        Input::Stdin => {
            return Outcome::Failed("import reads transcript files, not stdin".to_owned())
        }
        Input::Unreadable(path, message) => {
            return Outcome::Failed(format!("failed to read {}: {message}", path.display()))
        }
    };
    let Some(format) = Format::of_path(path) else {
        return Outcome::Failed(format!(
            "{}: not a transcript (expected .txt, .srt or .vtt)",
            path.display()
        ));
    };
    let text = match read_text(path) {
        Ok(text) => text,
        Err(message) => return Outcome::Failed(message),
    };
    let paragraphs = transcript_paragraphs(&text, format);
    if paragraphs.is_empty() {
        return Outcome::Failed(format!("{}: no caption text in it", path.display()));
    }
    let name = post_name(path);
    let post = match &args.out {
        Some(dir) => dir.join(format!("{name}.md")),
        None => path.with_file_name(format!("{name}.md")),
    };
    // Two transcripts of one video (talk.en.vtt, talk.zh.srt) would write the same post.
    if !written.insert(post.clone()) {
        return Outcome::Failed(format!(
            "{}: another transcript in this run already wrote {}",
            path.display(),
            post.display()
        ));
    }
    if !args.force && post.exists() {
        return Outcome::Failed(format!(
            "{} already exists; left as it is (use --force to replace it)",
            post.display()
        ));
    }
    let draft = Draft {
        title: args.title.clone().unwrap_or_else(|| name.clone()),
        source: args.source.clone(),
        date: args.date.clone(),
    };
    let text = render_post(&draft, &paragraphs, engine.options());
    let (text, fields) = match engine.fill(&post, text.clone().into_bytes()) {
        Ok(filled) => {
            let fields = filled.plan.edits.iter().map(|e| e.key.clone()).collect();
            (filled.text.unwrap_or(filled.original), fields)
        }
        Err(err) => return Outcome::Failed(err.to_string()),
    };
    match write_new(&post, &text, args.force) {
        Ok(()) => Outcome::Imported { post, fields },
        Err(err) if !args.force && post.exists() => Outcome::Failed(format!(
            "{} already exists; left as it is (use --force to replace it): {err}",
            post.display()
        )),
        Err(err) => Outcome::Failed(err.to_string()),
    }
}

fn read_text(path: &Path) -> Result<String, String> {
    let meta =
        std::fs::metadata(path).map_err(|e| format!("failed to read {}: {e}", path.display()))?;
    if meta.len() > MAX_FILE_SIZE {
        return Err(format!(
            "{}: file is {} bytes, over the {MAX_FILE_SIZE}-byte limit",
            path.display(),
            meta.len()
        ));
    }
    let bytes =
        std::fs::read(path).map_err(|e| format!("failed to read {}: {e}", path.display()))?;
    // Subtitle tools on Windows often save UTF-16 with a byte-order mark.
    let utf16 = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => Some(u16::from_le_bytes as fn([u8; 2]) -> u16),
        Some([0xFE, 0xFF]) => Some(u16::from_be_bytes as fn([u8; 2]) -> u16),
        _ => None,
    };
    if let Some(unit) = utf16 {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|pair| unit([pair[0], pair[1]]))
            .collect();
        return String::from_utf16(&units).map_err(|_| {
            format!(
                "{}: invalid UTF-16; save the transcript as UTF-8",
                path.display()
            )
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{}: invalid UTF-8 at byte {}; save the transcript as UTF-8",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}
