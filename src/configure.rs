//! Builds a run from the command line and the repo's `frontfill.yaml`: the flags become
//! [`Overrides`], the library merges them with the file into [`Settings`], and this module loads
//! the vocabulary and topic model those settings name. Also `frontfill config`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use frontfill::app::Engine;
use frontfill::config::{load_settings, Overrides, Settings};
use frontfill::field::Field;
use frontfill::report::human::one_line;
use frontfill::topic::TopicModel;

use crate::cli::{ConfigArgs, DictionaryArgs, NameArgs, SummaryLangArg};

pub(crate) const CONFIG_HELP: &str = "\
frontfill looks for frontfill.yaml (or .frontfill.yaml) in the folder holding the given paths and
then in each folder above it; --config FILE names one instead. Flags win over the file.

Examples:
  frontfill config                 the settings in force here
  frontfill config posts/          the settings a run on posts/ would use
  frontfill config --config ci.yaml --summary-lang both";

/// The flags a subcommand shares with `fill`, as overrides of the configuration file.
pub(crate) fn overrides(
    fields: Option<&[Field]>,
    overwrite: &[Field],
    summary_lang: Option<SummaryLangArg>,
    names: &NameArgs,
) -> Overrides {
    Overrides {
        only: fields.map(<[Field]>::to_vec),
        overwrite: overwrite.to_vec(),
        summary_lang: summary_lang.map(Into::into),
        dictionaries: names.dictionaries.dictionaries.clone(),
        no_builtin_dictionaries: names.dictionaries.no_builtin_dictionaries,
        no_discover: names.no_discover,
    }
}

/// Finds and reads the configuration; an invalid one stops the run before any post is read.
pub(crate) fn settings(
    config: Option<&Path>,
    paths: &[PathBuf],
    overrides: &Overrides,
) -> Result<Settings, ExitCode> {
    load_settings(config, paths, overrides).map_err(|err| {
        crate::print_error(&one_line(&err.to_string()));
        ExitCode::from(2)
    })
}

/// Loads the vocabulary and topic model the settings name and prepares the engine.
pub(crate) fn engine(settings: &Settings) -> Result<Engine, ExitCode> {
    let layers = DictionaryArgs {
        dictionaries: settings.dictionaries.clone(),
        no_builtin_dictionaries: !settings.builtin_dictionaries,
    };
    let vocabulary = crate::load_vocabulary(&layers)?;
    let engine = Engine::with_vocabulary(settings.options.clone(), vocabulary);
    match TopicModel::load_dirs(&settings.dictionaries) {
        Ok(Some(mut model)) => {
            if let Some(limits) = settings.tag_limits {
                model.weights.min_tags = limits.min;
                model.weights.max_tags = limits.max;
            }
            Ok(engine.with_topics(Arc::new(model)))
        }
        Ok(None) => Ok(engine),
        Err(err) => {
            crate::print_error(&one_line(&err.to_string()));
            Err(ExitCode::from(2))
        }
    }
}

/// `frontfill config`: prints every setting with its value and origin.
pub(crate) fn show(args: &ConfigArgs) -> ExitCode {
    let overrides = overrides(
        args.fields.as_deref(),
        &args.overwrite,
        args.summary_lang,
        &args.names,
    );
    match settings(args.config.as_deref(), &args.paths, &overrides) {
        Ok(settings) => {
            let _ = anstream::stdout()
                .lock()
                .write_all(settings.render().as_bytes());
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

/// When a run that reads a post on stdin cannot start (a bad configuration or dictionary), the
/// post goes back out unchanged: an editor that replaces its buffer with the output loses nothing.
pub(crate) fn echo_stdin(paths: &[PathBuf], code: ExitCode) -> ExitCode {
    if paths.iter().any(|p| p.as_os_str() == "-") {
        let mut post = Vec::new();
        if std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut post).is_ok() {
            let _ = std::io::stdout().lock().write_all(&post);
        }
    }
    code
}
