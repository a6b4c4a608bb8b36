//! Builds a run from the command line and the repo's `frontfill.yaml`: the flags become
//! [`Overrides`], the library merges them with the file into [`Settings`], and this module loads
//! the vocabulary and topic model those settings name. Also `frontfill config`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use frontfill::app::{in_input_order, Detail, Engine, FileReport, Mode};
use frontfill::config::{find_config, load_settings, ConfigFile, Overrides, Settings};
use frontfill::discover::{discover, Input};
use frontfill::report::human::one_line;
use frontfill::topic::TopicModel;

use crate::cli::{ConfigArgs, DictionaryArgs, FieldArgs, NameArgs};

pub(crate) const CONFIG_HELP: &str = "\
frontfill looks for frontfill.yaml (or .frontfill.yaml) in the folder holding the given paths and
then in each folder above it; --config FILE names one instead. Flags win over the file.

Examples:
  frontfill config                 the settings in force here
  frontfill config posts/          the settings a run on posts/ would use
  frontfill config --config ci.yaml --summary-lang both";

/// The flags a subcommand shares with `fill`, as overrides of the configuration file.
pub(crate) fn overrides(choice: &FieldArgs, names: &NameArgs) -> Overrides {
    Overrides {
        only: choice.fields.clone(),
        overwrite: choice.overwrite.clone(),
        summary_lang: choice.summary_lang.map(Into::into),
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
    match TopicModel::locate_layers(settings.builtin_dictionaries, &settings.dictionaries) {
        Ok(Some(source)) => Ok(crate::with_topic_source(
            engine,
            source,
            settings.tag_limits.map(|l| (l.min, l.max)),
        )),
        Ok(None) => Ok(engine),
        Err(err) => {
            crate::print_error(&one_line(&err.to_string()));
            Err(ExitCode::from(2))
        }
    }
}

/// `frontfill config`: prints every setting with its value and origin.
pub(crate) fn show(args: &ConfigArgs) -> ExitCode {
    let overrides = overrides(&args.choice, &args.names);
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

/// The posts of a run, grouped by the configuration file nearest to each (one group when
/// `--config` names a file), each group with its engine.
pub(crate) struct Batch {
    groups: Vec<(Engine, Vec<Input>)>,
    /// Every post of the run, in path order, excludes applied.
    pub(crate) inputs: Vec<Input>,
}

impl Batch {
    /// Finds the posts and, for each, its configuration; an invalid configuration or dictionary
    /// anywhere stops the run before any post is read. `detail` is what the run's report shows.
    pub(crate) fn new(
        config: Option<&Path>,
        paths: &[PathBuf],
        overrides: &Overrides,
        detail: Detail,
    ) -> Result<Self, ExitCode> {
        let fail = |err: frontfill::Error| {
            crate::print_error(&one_line(&err.to_string()));
            ExitCode::from(2)
        };
        let mut by_file: BTreeMap<Option<PathBuf>, Vec<Input>> = BTreeMap::new();
        match config {
            Some(path) => {
                by_file.insert(Some(path.to_path_buf()), discover(paths));
            }
            None => {
                let mut nearest: BTreeMap<PathBuf, Option<PathBuf>> = BTreeMap::new();
                for input in discover(paths) {
                    let folder = match &input {
                        Input::File(path) => path
                            .parent()
                            .filter(|p| !p.as_os_str().is_empty())
                            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
                        Input::Stdin | Input::Unreadable(..) => PathBuf::from("."),
                    };
                    let file = match nearest.get(&folder) {
                        Some(file) => file.clone(),
                        None => {
                            let file = find_config(&folder).map_err(fail)?;
                            nearest.insert(folder, file.clone());
                            file
                        }
                    };
                    by_file.entry(file).or_default().push(input);
                }
            }
        }
        let mut groups = Vec::new();
        let mut inputs = Vec::new();
        for (file, mut group) in by_file {
            let file = file
                .as_deref()
                .map(ConfigFile::read)
                .transpose()
                .map_err(fail)?;
            let mut settings = Settings::resolve(file.as_ref(), overrides).map_err(fail)?;
            settings.options.detail = detail;
            group.retain(
                |input| !matches!(input, Input::File(p) if settings.exclude.is_excluded(p)),
            );
            inputs.extend(group.iter().cloned());
            groups.push((engine(&settings)?, group));
        }
        inputs.sort_by(|a, b| a.path().cmp(b.path()));
        Ok(Self { groups, inputs })
    }

    /// Runs every group and hands the reports to `emit` in path order as they finish.
    pub(crate) fn run(
        &self,
        mode: Mode,
        on_done: &(dyn Fn(&FileReport) + Sync),
        emit: impl FnMut(FileReport),
    ) {
        if let [(engine, inputs)] = self.groups.as_slice() {
            return engine.stream(inputs, mode, on_done, emit);
        }
        // Several configuration files: one engine each, posts interleaved in path order.
        let mut jobs: Vec<(&Engine, &Input)> = Vec::new();
        for (engine, inputs) in &self.groups {
            engine.prepare(inputs, mode);
            jobs.extend(inputs.iter().map(|input| (engine, input)));
        }
        jobs.sort_by(|a, b| a.1.path().cmp(b.1.path()));
        in_input_order(
            &jobs,
            |(engine, input)| {
                let report = engine.process_input(input, mode);
                on_done(&report);
                report
            },
            emit,
        );
    }
}
