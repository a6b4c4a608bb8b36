//! A content repo's configuration: `frontfill.yaml` (or `.frontfill.yaml`), found by walking up
//! from a post's folder or named with `--config`, merged with the defaults and the
//! command-line flags into a run's [`Settings`], remembering where each value came from. This is
//! one of the crate's YAML boundaries: unknown keys and bad values are errors with file and line.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::app::{Options, SummaryLang};
use crate::discover::{absolute_path, Exclude};
use crate::error::{Error, Result};
use crate::field::{Field, CANONICAL_ORDER};
use crate::score::Limit;

/// The file names looked for in each folder, in order of preference.
pub const FILE_NAMES: [&str; 2] = ["frontfill.yaml", ".frontfill.yaml"];

/// The configuration file as written; every key is optional and unknown keys are an error.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    fields: Option<Vec<Field>>,
    keys: Option<BTreeMap<Field, String>>,
    key_order: Option<Vec<String>>,
    dictionaries: Option<Vec<PathBuf>>,
    builtin_dictionaries: Option<bool>,
    discover: Option<bool>,
    limits: Option<BTreeMap<Field, RawLimit>>,
    summary: Option<RawSummary>,
    exclude: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimit {
    threshold: Option<f64>,
    new_threshold: Option<f64>,
    max: Option<usize>,
    min: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSummary {
    lang: Option<LangSetting>,
    zh_min_chars: Option<usize>,
    zh_max_chars: Option<usize>,
    en_min_words: Option<usize>,
    en_max_words: Option<usize>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum LangSetting {
    Auto,
    Zh,
    En,
    Both,
}

impl From<LangSetting> for SummaryLang {
    fn from(lang: LangSetting) -> Self {
        match lang {
            LangSetting::Auto => SummaryLang::Auto,
            LangSetting::Zh => SummaryLang::Zh,
            LangSetting::En => SummaryLang::En,
            LangSetting::Both => SummaryLang::Both,
        }
    }
}

/// A parsed configuration file.
#[derive(Debug)]
pub struct ConfigFile {
    /// Where it was read from.
    pub path: PathBuf,
    raw: RawConfig,
    text: String,
}

impl ConfigFile {
    /// Reads and parses a configuration file.
    ///
    /// # Errors
    /// An unreadable file, malformed YAML, an unknown key or a value of the wrong kind, naming
    /// the file and line.
    pub fn read(path: &Path) -> Result<Self> {
        let text = fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, text)
    }

    /// Parses a configuration file's text.
    ///
    /// # Errors
    /// As [`ConfigFile::read`], without the reading.
    pub fn parse(path: &Path, text: String) -> Result<Self> {
        let raw: Option<RawConfig> =
            crate::front_matter::from_yaml_bounded(&text).map_err(|err| {
                let line = err.location().map_or(1, |l| l.line());
                let message = err.to_string();
                // serde_yaml_ng appends " at line L column C"; the line goes in front instead.
                let message = match message.find(" at line ") {
                    Some(i) => &message[..i],
                    None => &message,
                };
                Error::Config {
                    path: path.to_path_buf(),
                    line,
                    message: message.to_owned(),
                }
            })?;
        Ok(Self {
            path: path.to_path_buf(),
            raw: raw.unwrap_or_default(),
            text,
        })
    }

    /// The folder relative paths in the file are resolved against.
    pub fn folder(&self) -> PathBuf {
        let parent = self.path.parent().unwrap_or(Path::new(""));
        if parent.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            parent.to_path_buf()
        }
    }

    fn error(&self, key: &str, message: String) -> Error {
        Error::Config {
            path: self.path.clone(),
            line: line_of(&self.text, key),
            message,
        }
    }
}

/// The 1-based line where `key:` is first written (1 when it cannot be found); serde gives no
/// positions for values that parse but make no sense.
fn line_of(text: &str, key: &str) -> usize {
    text.lines()
        .position(|line| {
            let line = line.trim_start().trim_start_matches("- ");
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map_or(1, |i| i + 1)
}

/// Finds the configuration file for a folder: the nearest `frontfill.yaml` or `.frontfill.yaml`
/// in it or above it.
///
/// # Errors
/// A folder holding both names, which would leave it unclear which one applies.
pub fn find_config(start: &Path) -> Result<Option<PathBuf>> {
    let start = absolute_path(start);
    for folder in start.ancestors() {
        let found: Vec<PathBuf> = FILE_NAMES
            .iter()
            .map(|name| folder.join(name))
            .filter(|path| path.is_file())
            .collect();
        match found.as_slice() {
            [] => {}
            [one] => return Ok(Some(one.clone())),
            [first, ..] => {
                return Err(Error::Config {
                    path: first.clone(),
                    line: 1,
                    message: format!(
                        "both {} and {} are in {}; keep one",
                        FILE_NAMES[0],
                        FILE_NAMES[1],
                        folder.display()
                    ),
                })
            }
        }
    }
    Ok(None)
}

/// The folder the configuration is looked for from: the deepest folder holding every path (the
/// working folder for `-` or no path).
pub fn common_folder(paths: &[PathBuf]) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let folders: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .map(|p| {
            let p = absolute_path(&cwd.join(p));
            if p.is_dir() {
                p
            } else {
                p.parent().map_or_else(|| cwd.clone(), Path::to_path_buf)
            }
        })
        .collect();
    let Some((first, rest)) = folders.split_first() else {
        return cwd;
    };
    let mut common = first.clone();
    for folder in rest {
        while !folder.starts_with(&common) {
            if !common.pop() {
                break;
            }
        }
    }
    common
}

/// What the command line says, to be laid over the configuration file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--fields`.
    pub only: Option<Vec<Field>>,
    /// `--overwrite`.
    pub overwrite: Vec<Field>,
    /// `--summary-lang`.
    pub summary_lang: Option<SummaryLang>,
    /// `--dictionaries`, layered after the file's.
    pub dictionaries: Vec<PathBuf>,
    /// `--no-builtin-dictionaries`.
    pub no_builtin_dictionaries: bool,
    /// `--no-discover`.
    pub no_discover: bool,
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// frontfill's default.
    Default,
    /// A configuration file.
    File(PathBuf),
    /// A command-line flag.
    Flag(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::File(path) => write!(f, "{}", path.display()),
            Origin::Flag(flag) => write!(f, "flag {flag}"),
        }
    }
}

/// One line of `frontfill config`: a setting, its value and where the value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The key as it would be written in `frontfill.yaml` (dotted for nested keys).
    pub name: String,
    /// The value, rendered as YAML flow.
    pub value: String,
    /// Where it came from.
    pub origin: Origin,
}

/// Tag counts for the topic model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagLimits {
    /// Fewest tags written.
    pub min: usize,
    /// Most tags written.
    pub max: usize,
}

/// The effective configuration of a run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The configuration file in force, if any.
    pub file: Option<PathBuf>,
    /// The library options.
    pub options: Options,
    /// Whether the built-in dictionaries are used.
    pub builtin_dictionaries: bool,
    /// Dictionary folders layered over the built-in ones, in order (later wins).
    pub dictionaries: Vec<PathBuf>,
    /// Tag counts, when the file sets them (otherwise the topic model's own).
    pub tag_limits: Option<TagLimits>,
    /// Paths to leave out.
    pub exclude: Exclude,
    /// Every setting with its origin, for `frontfill config`.
    pub origins: Vec<Setting>,
}

impl Settings {
    /// Merges the defaults, a configuration file and the command line (each later one wins).
    ///
    /// # Errors
    /// A value that makes no sense (two fields under one key, a threshold outside 0 to 1, a
    /// minimum over its maximum, a glob that does not compile), naming the file and line.
    pub fn resolve(file: Option<&ConfigFile>, overrides: &Overrides) -> Result<Self> {
        Resolver::new(file).run(overrides)
    }

    /// `frontfill config`'s text: one `name: value  # origin` line per setting.
    pub fn render(&self) -> String {
        let mut out = String::new();
        match &self.file {
            Some(path) => out.push_str(&format!("# configuration file: {}\n", path.display())),
            None => out.push_str("# no configuration file (frontfill.yaml) found\n"),
        }
        let width = self
            .origins
            .iter()
            .map(|s| s.name.len() + s.value.chars().count() + 2)
            .max()
            .unwrap_or(0)
            .min(72);
        for setting in &self.origins {
            let line = format!("{}: {}", setting.name, setting.value);
            let pad = width.saturating_sub(line.chars().count());
            out.push_str(&format!(
                "{line}{}  # {}\n",
                " ".repeat(pad),
                setting.origin
            ));
        }
        out
    }
}

struct Resolver<'a> {
    file: Option<&'a ConfigFile>,
    settings: Vec<Setting>,
}

fn flow<T: fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    let items: Vec<String> = items.into_iter().map(|i| i.to_string()).collect();
    format!("[{}]", items.join(", "))
}

impl<'a> Resolver<'a> {
    fn new(file: Option<&'a ConfigFile>) -> Self {
        Self {
            file,
            settings: Vec::new(),
        }
    }

    fn raw(&self) -> Option<&'a RawConfig> {
        self.file.map(|f| &f.raw)
    }

    fn file_origin(&self) -> Origin {
        self.file
            .map_or(Origin::Default, |f| Origin::File(f.path.clone()))
    }

    /// The origin of a value: the file when it set it, the default otherwise.
    fn origin(&self, set: bool) -> Origin {
        if set {
            self.file_origin()
        } else {
            Origin::Default
        }
    }

    fn record(&mut self, name: impl Into<String>, value: impl Into<String>, origin: Origin) {
        self.settings.push(Setting {
            name: name.into(),
            value: value.into(),
            origin,
        });
    }

    fn error(&self, key: &str, message: String) -> Error {
        match self.file {
            Some(file) => file.error(key, message),
            None => Error::Config {
                path: PathBuf::from("<command line>"),
                line: 0,
                message,
            },
        }
    }

    fn run(mut self, overrides: &Overrides) -> Result<Settings> {
        let raw = self.raw();
        let mut options = Options::default();

        // fields
        let managed = raw.and_then(|r| r.fields.clone());
        if let Some(fields) = &managed {
            if fields.is_empty() {
                return Err(self.error("fields", "`fields` lists no field".to_owned()));
            }
        }
        self.record(
            "fields",
            flow(managed.as_deref().unwrap_or(&Field::MANAGED)),
            self.origin(managed.is_some()),
        );
        options.policy.managed = managed;

        // keys
        let renamed = raw.and_then(|r| r.keys.clone()).unwrap_or_default();
        for (field, key) in &renamed {
            if key.trim().is_empty() || key.trim() != key {
                return Err(self.error(
                    field.name(),
                    format!("the key for `{field}` must be a plain name, not `{key}`"),
                ));
            }
            options.keys.insert(*field, key.clone());
        }
        let mut seen: BTreeMap<&str, Field> = BTreeMap::new();
        for (field, key) in &options.keys {
            if let Some(other) = seen.insert(key.as_str(), *field) {
                let renamed_one = if renamed.contains_key(field) {
                    field
                } else {
                    &other
                };
                return Err(self.error(
                    renamed_one.name(),
                    format!("`{other}` and `{field}` would both be written under `{key}`"),
                ));
            }
        }
        for (field, key) in options.keys.clone() {
            self.record(
                format!("keys.{field}"),
                key,
                self.origin(renamed.contains_key(&field)),
            );
        }

        // key_order
        let order = raw.and_then(|r| r.key_order.clone());
        options.key_order = match &order {
            Some(order) => order.clone(),
            // A renamed field takes its default name's place in the canonical layout.
            None => CANONICAL_ORDER
                .iter()
                .map(|k| {
                    Field::ALL
                        .iter()
                        .find(|f| f.name() == *k)
                        .map_or_else(|| (*k).to_owned(), |f| options.key(*f))
                })
                .collect(),
        };
        self.record(
            "key_order",
            flow(&options.key_order),
            self.origin(order.is_some()),
        );

        // dictionaries
        let file_builtin = raw.and_then(|r| r.builtin_dictionaries);
        let builtin = !overrides.no_builtin_dictionaries && file_builtin.unwrap_or(true);
        let builtin_origin = if overrides.no_builtin_dictionaries {
            Origin::Flag("--no-builtin-dictionaries")
        } else {
            self.origin(file_builtin.is_some())
        };
        self.record("builtin_dictionaries", builtin.to_string(), builtin_origin);
        let mut dictionaries = Vec::new();
        if let (Some(file), Some(dirs)) = (self.file, raw.and_then(|r| r.dictionaries.as_ref())) {
            for dir in dirs {
                let dir = file.folder().join(dir);
                self.record(
                    "dictionaries",
                    dir.display().to_string(),
                    self.file_origin(),
                );
                dictionaries.push(dir);
            }
        }
        for dir in &overrides.dictionaries {
            self.record(
                "dictionaries",
                dir.display().to_string(),
                Origin::Flag("--dictionaries"),
            );
            dictionaries.push(dir.clone());
        }
        if dictionaries.is_empty() {
            self.record("dictionaries", "[]", Origin::Default);
        }
        if !builtin && dictionaries.is_empty() {
            return Err(self.error(
                "builtin_dictionaries",
                "without the built-in dictionaries, name at least one dictionaries folder"
                    .to_owned(),
            ));
        }

        // discover
        let file_discover = raw.and_then(|r| r.discover);
        options.scoring.discover = !overrides.no_discover && file_discover.unwrap_or(true);
        let origin = if overrides.no_discover {
            Origin::Flag("--no-discover")
        } else {
            self.origin(file_discover.is_some())
        };
        self.record("discover", options.scoring.discover.to_string(), origin);

        // limits
        let limits = raw.and_then(|r| r.limits.as_ref());
        let mut tag_limits = None;
        if let Some(raw_tags) = limits.and_then(|l| l.get(&Field::Tags)) {
            if raw_tags.threshold.is_some() || raw_tags.new_threshold.is_some() {
                return Err(self.error(
                    "threshold",
                    "tags take `min` and `max`, not thresholds".to_owned(),
                ));
            }
            let defaults = crate::topic::TopicWeights::default();
            let tags = TagLimits {
                min: raw_tags.min.unwrap_or(defaults.min_tags),
                max: raw_tags.max.unwrap_or(defaults.max_tags),
            };
            if tags.min > tags.max {
                return Err(self.error(
                    "min",
                    format!("tags: `min` ({}) is over `max` ({})", tags.min, tags.max),
                ));
            }
            tag_limits = Some(tags);
        }
        for (field, raw_limit) in limits.into_iter().flatten() {
            if !field.is_entity() && *field != Field::Tags {
                return Err(self.error(
                    field.name(),
                    format!(
                        "`{field}` has no limits; limits apply to tags, people, companies_orgs, products_models and media_books"
                    ),
                ));
            }
            if field.is_entity() && raw_limit.min.is_some() {
                return Err(self.error(
                    "min",
                    format!("`{field}` takes `threshold`, `new_threshold` and `max`, not `min`"),
                ));
            }
        }
        for field in Field::ALL.into_iter().filter(|f| f.is_entity()) {
            let raw_limit = limits.and_then(|l| l.get(&field));
            let default = options.scoring.thresholds.limit(field);
            let limit = Limit {
                threshold: raw_limit
                    .and_then(|l| l.threshold)
                    .unwrap_or(default.threshold),
                new_threshold: raw_limit
                    .and_then(|l| l.new_threshold)
                    .unwrap_or(default.new_threshold),
                max: raw_limit.and_then(|l| l.max).unwrap_or(default.max),
            };
            for (name, value) in [
                ("threshold", limit.threshold),
                ("new_threshold", limit.new_threshold),
            ] {
                if !(0.0..=1.0).contains(&value) {
                    return Err(self.error(
                        name,
                        format!("{field}: `{name}` is {value}, outside 0 to 1"),
                    ));
                }
            }
            options.scoring.thresholds.fields.insert(field, limit);
            for (name, value, set) in [
                (
                    "threshold",
                    limit.threshold.to_string(),
                    raw_limit.is_some_and(|l| l.threshold.is_some()),
                ),
                (
                    "new_threshold",
                    limit.new_threshold.to_string(),
                    raw_limit.is_some_and(|l| l.new_threshold.is_some()),
                ),
                (
                    "max",
                    limit.max.to_string(),
                    raw_limit.is_some_and(|l| l.max.is_some()),
                ),
            ] {
                self.record(format!("limits.{field}.{name}"), value, self.origin(set));
            }
        }
        let defaults = crate::topic::TopicWeights::default();
        let tags = tag_limits.unwrap_or(TagLimits {
            min: defaults.min_tags,
            max: defaults.max_tags,
        });
        let raw_tags = limits.and_then(|l| l.get(&Field::Tags));
        let min_set = raw_tags.is_some_and(|l| l.min.is_some());
        let max_set = raw_tags.is_some_and(|l| l.max.is_some());
        self.record(
            "limits.tags.min",
            tags.min.to_string(),
            self.origin(min_set),
        );
        self.record(
            "limits.tags.max",
            tags.max.to_string(),
            self.origin(max_set),
        );

        // summary
        let summary = raw.and_then(|r| r.summary.as_ref());
        let file_lang = summary.and_then(|s| s.lang).map(SummaryLang::from);
        let (lang, origin) = match (overrides.summary_lang, file_lang) {
            (Some(lang), _) => (lang, Origin::Flag("--summary-lang")),
            (None, Some(lang)) => (lang, self.file_origin()),
            (None, None) => (SummaryLang::Auto, Origin::Default),
        };
        options.summary_lang = lang;
        options.policy.summary_en = lang == SummaryLang::Both;
        self.record("summary.lang", lang_name(lang), origin);
        let lengths = &mut options.summary;
        let mut rows = Vec::new();
        for (name, slot, value) in [
            (
                "zh_min_chars",
                &mut lengths.zh_min_chars,
                summary.and_then(|s| s.zh_min_chars),
            ),
            (
                "zh_max_chars",
                &mut lengths.zh_max_chars,
                summary.and_then(|s| s.zh_max_chars),
            ),
            (
                "en_min_words",
                &mut lengths.en_min_words,
                summary.and_then(|s| s.en_min_words),
            ),
            (
                "en_max_words",
                &mut lengths.en_max_words,
                summary.and_then(|s| s.en_max_words),
            ),
        ] {
            if let Some(value) = value {
                *slot = value;
            }
            rows.push((name, slot.to_string(), value.is_some()));
        }
        for (name, value, set) in rows {
            self.record(format!("summary.{name}"), value, self.origin(set));
        }
        let lengths = &options.summary;
        if lengths.zh_min_chars > lengths.zh_max_chars {
            return Err(self.error(
                "zh_min_chars",
                "summary: `zh_min_chars` is over `zh_max_chars`".to_owned(),
            ));
        }
        if lengths.en_min_words > lengths.en_max_words {
            return Err(self.error(
                "en_min_words",
                "summary: `en_min_words` is over `en_max_words`".to_owned(),
            ));
        }

        // exclude
        let globs = raw.and_then(|r| r.exclude.clone()).unwrap_or_default();
        let root = self
            .file
            .map_or_else(|| PathBuf::from("."), ConfigFile::folder);
        let exclude =
            Exclude::new(&root, &globs).map_err(|message| self.error("exclude", message))?;
        self.record("exclude", flow(&globs), self.origin(!globs.is_empty()));

        // Flags that have no file counterpart, shown so `frontfill config` tells the whole story.
        if let Some(only) = &overrides.only {
            options.policy.only = Some(only.clone());
            self.record("only", flow(only), Origin::Flag("--fields"));
        }
        if !overrides.overwrite.is_empty() {
            options.policy.overwrite = overrides.overwrite.clone();
            self.record(
                "overwrite",
                flow(&overrides.overwrite),
                Origin::Flag("--overwrite"),
            );
        }

        Ok(Settings {
            file: self.file.map(|f| f.path.clone()),
            options,
            builtin_dictionaries: builtin,
            dictionaries,
            tag_limits,
            exclude,
            origins: self.settings,
        })
    }
}

fn lang_name(lang: SummaryLang) -> &'static str {
    match lang {
        SummaryLang::Auto => "auto",
        SummaryLang::Zh => "zh",
        SummaryLang::En => "en",
        SummaryLang::Both => "both",
    }
}

/// Finds (or takes the named) configuration file and merges it with the command line.
///
/// # Errors
/// A configuration file that cannot be read, parsed or makes no sense.
pub fn load_settings(
    named: Option<&Path>,
    paths: &[PathBuf],
    overrides: &Overrides,
) -> Result<Settings> {
    let path = match named {
        Some(path) => Some(path.to_path_buf()),
        None => find_config(&common_folder(paths))?,
    };
    let file = path.as_deref().map(ConfigFile::read).transpose()?;
    Settings::resolve(file.as_ref(), overrides)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings> {
        let file = ConfigFile::parse(Path::new("repo/frontfill.yaml"), text.to_owned())?;
        Settings::resolve(Some(&file), &Overrides::default())
    }

    fn message(result: Result<Settings>) -> String {
        result.map(|_| ()).unwrap_err().to_string()
    }

    #[test]
    fn an_empty_file_gives_the_defaults() {
        let settings = parse("").unwrap();
        assert_eq!(settings.options.key_order, CANONICAL_ORDER.to_vec());
        assert_eq!(settings.options.policy.managed, None);
        assert!(settings.builtin_dictionaries);
        assert!(settings.dictionaries.is_empty());
    }

    #[test]
    fn renamed_fields_take_their_place_in_the_layout() {
        let settings = parse("keys:\n  tags: keywords\n  people: persons\n").unwrap();
        assert_eq!(settings.options.key(Field::Tags), "keywords");
        assert!(settings.options.key_order.contains(&"persons".to_owned()));
        assert!(!settings.options.key_order.contains(&"people".to_owned()));
    }

    #[test]
    fn unknown_keys_and_values_name_the_line() {
        assert_eq!(
            message(parse("fields: [tags]\nkeyz: {}\n")),
            "invalid configuration: repo/frontfill.yaml:2: unknown field `keyz`, expected one of `fields`, `keys`, `key_order`, `dictionaries`, `builtin_dictionaries`, `discover`, `limits`, `summary`, `exclude`"
        );
        let err = message(parse("limits:\n  people:\n    treshold: 0.5\n"));
        assert!(
            err.starts_with("invalid configuration: repo/frontfill.yaml:3: "),
            "{err}"
        );
        let err = message(parse("fields: [tags, persons]\n"));
        assert!(
            err.contains(":1: ") && err.contains("unknown variant `persons`"),
            "{err}"
        );
    }

    #[test]
    fn nonsense_values_are_errors_with_the_line() {
        let err = message(parse("keys:\n  tags: people\n"));
        assert!(
            err.contains("`tags` and `people` would both be written under `people`"),
            "{err}"
        );
        let err = message(parse("limits:\n  people:\n    threshold: 2\n"));
        assert!(
            err.contains("frontfill.yaml:3: people: `threshold` is 2"),
            "{err}"
        );
        let err = message(parse("limits:\n  tags:\n    min: 5\n    max: 2\n"));
        assert!(
            err.contains(":3: tags: `min` (5) is over `max` (2)"),
            "{err}"
        );
        let err = message(parse("limits:\n  area:\n    max: 2\n"));
        assert!(err.contains(":2: `area` has no limits"), "{err}");
    }

    #[test]
    fn flags_win_over_the_file_and_say_so() {
        let file = ConfigFile::parse(
            Path::new("repo/frontfill.yaml"),
            "summary:\n  lang: zh\ndictionaries: [dict]\n".to_owned(),
        )
        .unwrap();
        let overrides = Overrides {
            summary_lang: Some(SummaryLang::En),
            dictionaries: vec![PathBuf::from("more")],
            ..Overrides::default()
        };
        let settings = Settings::resolve(Some(&file), &overrides).unwrap();
        assert_eq!(settings.options.summary_lang, SummaryLang::En);
        assert_eq!(
            settings.dictionaries,
            vec![PathBuf::from("repo/dict"), PathBuf::from("more")]
        );
        let text = settings.render();
        assert!(text.contains("summary.lang: en"), "{text}");
        assert!(text.contains("# flag --summary-lang"), "{text}");
    }

    #[test]
    fn finds_the_nearest_file_upwards() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("a/b")).unwrap();
        fs::write(dir.path().join(".frontfill.yaml"), "").unwrap();
        assert_eq!(
            find_config(&dir.path().join("a/b")).unwrap(),
            Some(std::path::absolute(dir.path().join(".frontfill.yaml")).unwrap())
        );
        fs::write(dir.path().join("frontfill.yaml"), "").unwrap();
        assert!(find_config(&dir.path().join("a/b")).is_err());
    }
}
