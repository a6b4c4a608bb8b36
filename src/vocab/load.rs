//! Reads dictionary files into a [`Vocabulary`]: the shipped files embedded in the binary, then
//! each `--dictionaries` folder layered on top. Validates everything before anything is matched
//! (unknown keys, empty names, bad priors, alias collisions) and names the file and line.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::keys::entry_keys;
use super::raw::{item_lines, RawEntry};
use super::{normalize, Alias, Entry, EntryId, FileCounts, Origin, Vocabulary, FIELDS};
use crate::error::{AliasCollision, Claim, Error, Result};
use crate::field::Field;

/// The dictionaries compiled into the binary: field, file name, text.
pub const SHIPPED: [(Field, &str, &str); 4] = [
    (
        Field::People,
        "people.yaml",
        include_str!("../../dictionaries/people.yaml"),
    ),
    (
        Field::CompaniesOrgs,
        "companies_orgs.yaml",
        include_str!("../../dictionaries/companies_orgs.yaml"),
    ),
    (
        Field::ProductsModels,
        "products_models.yaml",
        include_str!("../../dictionaries/products_models.yaml"),
    ),
    (
        Field::MediaBooks,
        "media_books.yaml",
        include_str!("../../dictionaries/media_books.yaml"),
    ),
];

/// One dictionary file's text, with the field it fills and the layer it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Shown in messages (`<built-in>/people.yaml` for the shipped files).
    pub path: PathBuf,
    /// The field its entries fill.
    pub field: Field,
    /// The YAML text.
    pub text: String,
    /// Sources of a later layer replace same-named entries of earlier layers.
    pub layer: usize,
}

/// The file name of a field's dictionary (`people.yaml`).
pub fn file_name(field: Field) -> String {
    format!("{}.yaml", field.name())
}

/// One file's entries, read and checked one by one, before layering.
struct LoadedFile {
    path: PathBuf,
    field: Field,
    layer: usize,
    entries: Vec<Entry>,
}

impl Vocabulary {
    /// The shipped vocabulary alone.
    ///
    /// # Errors
    /// Never for a released binary (`tests/dictionaries.rs` checks the files); a dictionary
    /// error with file and line otherwise.
    pub fn shipped() -> Result<Self> {
        Self::load_layers(true, &[])
    }

    /// The shipped vocabulary with each folder's `people.yaml`, `companies_orgs.yaml`,
    /// `products_models.yaml` and `media_books.yaml` layered on top, in order. An entry whose
    /// name (case-insensitively) and field match one of an earlier layer replaces it.
    ///
    /// # Errors
    /// An unreadable folder or file, a folder without any dictionary, or an invalid dictionary.
    pub fn load(dirs: &[PathBuf]) -> Result<Self> {
        Self::load_layers(true, dirs)
    }

    /// Like [`Vocabulary::load`], with the built-in dictionaries left out when `builtin` is
    /// false (an evaluation against a vocabulary learned elsewhere must not see them).
    ///
    /// # Errors
    /// As [`Vocabulary::load`].
    pub fn load_layers(builtin: bool, dirs: &[PathBuf]) -> Result<Self> {
        // The built-in layer comes precompiled (see `src/build.rs`); the YAML is parsed only when
        // the build could not compile it, so that its error is reported with file and line.
        if builtin && dirs.is_empty() {
            if let Some(shipped) = super::compiled::shipped_vocabulary() {
                return Ok(shipped);
            }
        }
        let mut files = match super::compiled::shipped_entries() {
            Some(shipped) if builtin => SHIPPED
                .iter()
                .zip(shipped)
                .map(|((field, name, _), entries)| LoadedFile {
                    path: PathBuf::from(format!("<built-in>/{name}")),
                    field: *field,
                    layer: 0,
                    entries,
                })
                .collect(),
            Some(_) => Vec::new(),
            None => return Self::load_layers_from_yaml(builtin, dirs),
        };
        // The precompiled entries are not checked again here: the build compiled exactly what
        // the YAML loader reads (a test in `compiled.rs` compares them) and `tests/dictionaries.rs` loads
        // that YAML with every check. `--dictionaries` layers below go through all of them.
        for (i, dir) in dirs.iter().enumerate() {
            for source in read_dir_sources(dir, i + 1)? {
                files.push(LoadedFile {
                    entries: parse_source(&source)?,
                    path: source.path,
                    field: source.field,
                    layer: source.layer,
                });
            }
        }
        Self::from_files(files)
    }

    /// Like [`Vocabulary::load_layers`], with the built-in layer parsed from its YAML text rather
    /// than the precompiled table (`vocab check`, and the test that the two agree).
    ///
    /// # Errors
    /// As [`Vocabulary::load`].
    pub fn load_layers_from_yaml(builtin: bool, dirs: &[PathBuf]) -> Result<Self> {
        let mut sources = if builtin {
            shipped_sources()
        } else {
            Vec::new()
        };
        for (i, dir) in dirs.iter().enumerate() {
            sources.extend(read_dir_sources(dir, i + 1)?);
        }
        Self::from_sources(sources)
    }

    /// Builds a vocabulary from dictionary texts.
    ///
    /// # Errors
    /// Malformed YAML, unknown keys, empty names or aliases, a prior outside 0..=1, an
    /// `ambiguous` alias the entry does not have, or an alias claimed by two entries.
    pub fn from_sources(sources: Vec<Source>) -> Result<Self> {
        let files = sources
            .iter()
            .map(|source| {
                Ok(LoadedFile {
                    path: source.path.clone(),
                    field: source.field,
                    layer: source.layer,
                    entries: parse_source(source)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Self::from_files(files)
    }

    /// Layers parsed files into a vocabulary and validates it as a whole.
    fn from_files(sources: Vec<LoadedFile>) -> Result<Self> {
        let mut slots: Vec<(Entry, usize)> = Vec::new();
        let mut by_name: BTreeMap<(Field, String), usize> = BTreeMap::new();
        let mut files = Vec::new();
        for source in sources {
            let entries = source.entries;
            let mut counts = FileCounts {
                path: source.path,
                field: source.field,
                entries: entries.len(),
                aliases: entries.iter().map(|e| e.surface_forms().count()).sum(),
                replaced: 0,
            };
            for entry in entries {
                let key = (entry.field, normalize(&entry.name).to_lowercase());
                match by_name.get(&key) {
                    Some(&slot) if slots[slot].1 < source.layer => {
                        counts.replaced += 1;
                        slots[slot] = (entry, source.layer);
                    }
                    // A second entry of the same name in one layer stays, so the alias check
                    // reports it as a collision.
                    _ => {
                        by_name.insert(key, slots.len());
                        slots.push((entry, source.layer));
                    }
                }
            }
            files.push(counts);
        }
        let entries: Vec<Entry> = slots.into_iter().map(|(e, _)| e).collect();
        let aliases = index_aliases(&entries)?;
        Ok(Self {
            entries,
            aliases,
            files,
            index: OnceLock::new(),
            shipped: false,
        })
    }
}

fn shipped_sources() -> Vec<Source> {
    SHIPPED
        .iter()
        .map(|(field, name, text)| Source {
            path: PathBuf::from(format!("<built-in>/{name}")),
            field: *field,
            text: (*text).to_owned(),
            layer: 0,
        })
        .collect()
}

fn read_dir_sources(dir: &Path, layer: usize) -> Result<Vec<Source>> {
    if !dir.is_dir() {
        return Err(Error::Read {
            path: dir.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "not a folder of dictionaries",
            ),
        });
    }
    let mut sources = Vec::new();
    for field in FIELDS {
        let path = dir.join(file_name(field));
        if !path.exists() {
            continue;
        }
        let text = fs::read_to_string(&path).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?;
        sources.push(Source {
            path,
            field,
            text,
            layer,
        });
    }
    if sources.is_empty() {
        let names: Vec<String> = FIELDS.iter().map(|f| file_name(*f)).collect();
        return Err(Error::Dictionary {
            path: dir.to_path_buf(),
            line: 0,
            message: format!("the folder holds none of {}", names.join(", ")),
        });
    }
    Ok(sources)
}

/// Parses and checks one file's entries.
fn parse_source(source: &Source) -> Result<Vec<Entry>> {
    let fail = |line: usize, message: String| Error::Dictionary {
        path: source.path.clone(),
        line,
        message,
    };
    let raw: Option<Vec<RawEntry>> =
        crate::front_matter::from_yaml_bounded(&source.text).map_err(|err| {
            let line = err.location().map_or(1, |l| l.line());
            let message = err.to_string();
            // serde_yaml_ng appends " at line L column C"; the line goes in front instead.
            let message = match message.find(" at line ") {
                Some(i) => &message[..i],
                None => &message,
            };
            // It also prefixes the path inside the document (`.[1]: `); the line says more.
            let message = match message.split_once(": ") {
                Some((path, rest)) if path.starts_with(['.', '[']) => rest,
                _ => message,
            };
            fail(line, message.to_owned())
        })?;
    let raw = raw.unwrap_or_default();
    let lines = item_lines(&source.text);
    let entries: Vec<Entry> = raw
        .into_iter()
        .enumerate()
        .map(|(i, raw)| Entry {
            field: source.field,
            name: raw.name,
            aliases: raw.aliases,
            ambiguous: raw.ambiguous,
            prior: raw.prior,
            count: raw.count,
            case_sensitive: raw.case_sensitive,
            note: raw.note,
            origin: Origin {
                path: source.path.clone(),
                line: lines.get(i).copied().unwrap_or(1),
            },
        })
        .collect();
    for entry in &entries {
        check_entry(entry).map_err(|message| fail(entry.origin.line, message))?;
    }
    Ok(entries)
}

/// The checks one entry must pass on its own, whichever form it was read from.
fn check_entry(entry: &Entry) -> std::result::Result<(), String> {
    let name = &entry.name;
    if name.trim().is_empty() {
        return Err("entry has an empty `name`".to_owned());
    }
    if name.trim() != name {
        return Err(format!("name `{name}` has leading or trailing spaces"));
    }
    if entry.aliases.iter().any(|a| normalize(a).is_empty()) {
        return Err(format!("entry `{name}` has an empty alias"));
    }
    if let Some(prior) = entry.prior {
        if !(0.0..=1.0).contains(&prior) {
            return Err(format!("entry `{name}` has prior {prior}, outside 0 to 1"));
        }
    }
    let forms: Vec<String> = entry.surface_forms().map(normalize).collect();
    for amb in &entry.ambiguous {
        if !forms.contains(&normalize(amb)) {
            return Err(format!(
                "entry `{name}` lists `{amb}` as ambiguous but not as its name or an alias"
            ));
        }
    }
    Ok(())
}

/// Builds the alias list and rejects aliases that two entries claim without both marking them
/// ambiguous. Two aliases clash when they are equal, or equal ignoring ASCII case and at least
/// one of them matches case-insensitively.
fn index_aliases(entries: &[Entry]) -> Result<Vec<Alias>> {
    let mut aliases: Vec<Alias> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let id = EntryId(u32::try_from(i).expect("fewer than 4 billion entries"));
        let keys = entry_keys(
            entry.surface_forms(),
            &entry.ambiguous,
            entry.case_sensitive,
        );
        aliases.extend(keys.into_iter().map(|k| Alias {
            key: k.key,
            entry: id,
            exact: k.exact,
            han: k.han,
            ambiguous: k.ambiguous,
        }));
    }
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, alias) in aliases.iter().enumerate() {
        groups
            .entry(alias.key.to_ascii_lowercase())
            .or_default()
            .push(i);
    }
    // Report the clash between the earliest entries, so the message does not depend on the
    // order of the map.
    let mut clashes: Vec<(EntryId, EntryId, usize, usize)> = Vec::new();
    for members in groups.values() {
        for (n, &a) in members.iter().enumerate() {
            for &b in &members[n + 1..] {
                let (x, y) = (&aliases[a], &aliases[b]);
                if x.entry != y.entry
                    && (x.key == y.key || !x.exact || !y.exact)
                    && !(x.ambiguous && y.ambiguous)
                {
                    clashes.push((x.entry, y.entry, a, b));
                }
            }
        }
    }
    if let Some(&(_, _, a, b)) = clashes.iter().min() {
        let (first, second) = (
            &entries[aliases[a].entry.0 as usize],
            &entries[aliases[b].entry.0 as usize],
        );
        let claim = |entry: &Entry| Claim {
            name: entry.name.clone(),
            path: entry.origin.path.clone(),
            line: entry.origin.line,
        };
        return Err(Error::AliasCollision(Box::new(AliasCollision {
            alias: aliases[b].key.clone(),
            first: claim(first),
            second: claim(second),
        })));
    }
    Ok(aliases)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(field: Field, path: &str, text: &str, layer: usize) -> Source {
        Source {
            path: PathBuf::from(path),
            field,
            text: text.to_owned(),
            layer,
        }
    }

    fn load(text: &str) -> Result<Vocabulary> {
        Vocabulary::from_sources(vec![source(Field::People, "p.yaml", text, 0)])
    }

    #[test]
    fn an_alias_bomb_in_a_dictionary_is_refused_not_expanded() {
        let items = vec!["x"; 2_000].join(", ");
        let refs = vec!["*w"; 2_000].join(", ");
        let text = format!("- name: A\n  aliases: &w [{items}]\n- name: B\n  note: [{refs}]\n");
        match load(&text) {
            Err(Error::Dictionary { message, .. }) => {
                assert!(message.contains("through aliases"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reads_entries_with_defaults() {
        let vocab = load("# people\n- name: Donald Trump\n  aliases: [Trump, 特朗普]\n  prior: 0.6\n- name: 习近平\n").unwrap();
        assert_eq!(vocab.entries().len(), 2);
        assert_eq!(vocab.entries()[0].prior(), 0.6);
        assert_eq!(vocab.entries()[1].prior(), 0.5);
        assert_eq!(vocab.entries()[1].origin.line, 5);
        assert_eq!(vocab.aliases().len(), 4);
        assert_eq!(vocab.han_words(), vec!["习近平", "特朗普"]);
    }

    #[test]
    fn rejects_unknown_keys_with_the_line() {
        let err = load("- name: A\n- name: B\n  alias: [x]\n").unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("invalid dictionary: p.yaml:3: unknown field `alias`"),
            "{text}"
        );
    }

    #[test]
    fn rejects_empty_names_with_the_line() {
        let err = load("# c\n- name: A\n- name: ''\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid dictionary: p.yaml:3: entry has an empty `name`"
        );
    }

    #[test]
    fn rejects_priors_out_of_range_and_stray_ambiguous() {
        assert!(load("- name: A\n  prior: 1.5\n")
            .unwrap_err()
            .to_string()
            .contains("p.yaml:1: entry `A` has prior 1.5"));
        assert!(load("- name: A\n  ambiguous: [B]\n")
            .unwrap_err()
            .to_string()
            .contains("lists `B` as ambiguous"));
    }

    #[test]
    fn collision_names_both_entries_files_and_lines() {
        let err = Vocabulary::from_sources(vec![
            source(
                Field::People,
                "people.yaml",
                "- name: Meta Person\n- name: Zuck\n  aliases: [Meta]\n",
                0,
            ),
            source(
                Field::CompaniesOrgs,
                "orgs.yaml",
                "# orgs\n- name: Meta\n  aliases: [Facebook]\n",
                0,
            ),
        ])
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid dictionary: alias `meta` is claimed by `Zuck` (people.yaml:2) and `Meta` (orgs.yaml:2); mark it `ambiguous` in both or remove one"
        );
    }

    #[test]
    fn case_insensitive_aliases_clash_across_case() {
        // `Apple` matches `APPLE`, so an exact `APPLE` elsewhere would be found twice.
        let err = load("- name: Apple\n- name: Other\n  aliases: [APPLE]\n").unwrap_err();
        assert!(matches!(err, Error::AliasCollision(_)), "{err}");
        // Two exact aliases that differ in case do not clash: `US` and `us` are different words.
        load("- name: United States\n  aliases: [US]\n- name: Us\n  aliases: [us]\n").unwrap();
    }

    #[test]
    fn ambiguous_on_both_sides_is_allowed() {
        let vocab = Vocabulary::from_sources(vec![
            source(
                Field::CompaniesOrgs,
                "o.yaml",
                "- name: DeepSeek\n  ambiguous: [DeepSeek]\n",
                0,
            ),
            source(
                Field::ProductsModels,
                "p.yaml",
                "- name: DeepSeek\n  ambiguous: [DeepSeek]\n",
                0,
            ),
        ])
        .unwrap();
        assert_eq!(vocab.lookup("deepseek").len(), 2);
        let err = Vocabulary::from_sources(vec![
            source(
                Field::CompaniesOrgs,
                "o.yaml",
                "- name: DeepSeek\n  ambiguous: [DeepSeek]\n",
                0,
            ),
            source(Field::ProductsModels, "p.yaml", "- name: DeepSeek\n", 0),
        ])
        .unwrap_err();
        assert!(matches!(err, Error::AliasCollision(_)));
    }

    #[test]
    fn later_layers_replace_entries_by_name() {
        let vocab = Vocabulary::from_sources(vec![
            source(
                Field::People,
                "a.yaml",
                "- name: Sam Altman\n  aliases: [Altman]\n",
                0,
            ),
            source(
                Field::People,
                "b.yaml",
                "- name: sam altman\n  aliases: [奥特曼]\n  prior: 0.9\n",
                1,
            ),
        ])
        .unwrap();
        assert_eq!(vocab.entries().len(), 1);
        assert_eq!(vocab.entries()[0].name, "sam altman");
        assert_eq!(vocab.files()[1].replaced, 1);
        assert!(vocab.lookup("Altman").is_empty());
        // Within one layer the same name twice is a collision, not a replacement.
        assert!(load("- name: A\n- name: A\n").is_err());
    }

    #[test]
    fn empty_file_is_an_empty_dictionary() {
        assert!(load("# nothing yet\n").unwrap().is_empty());
    }
}
