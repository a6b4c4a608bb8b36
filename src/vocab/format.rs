//! The normalized text form of a dictionary file: a `#` comment block, then one entry per block,
//! sorted by name, with sorted and deduplicated flow lists and keys in a fixed order. [`render`]
//! writes it and [`parse`] reads a file back into [`Record`]s (for `vocab learn` to merge into),
//! so `render(&parse(f)?) == f` holds for every file in normalized form.

use std::cmp::Ordering;
use std::fmt::Write as _;
use std::path::Path;

use serde_yaml_ng::Value;

use crate::error::{Error, Result};
use crate::field::Field;
use crate::write::yaml_scalar;

/// The four entity fields that have a dictionary file, in file order.
pub const ENTITY_FIELDS: [Field; 4] = [
    Field::People,
    Field::CompaniesOrgs,
    Field::ProductsModels,
    Field::MediaBooks,
];

/// The keys an entry may have, in the order they are written.
pub const KEYS: [&str; 7] = [
    "name",
    "aliases",
    "ambiguous",
    "prior",
    "count",
    "case_sensitive",
    "note",
];

/// The dictionary file name of an entity field (`people.yaml`), or `None` for other fields.
pub fn file_name(field: Field) -> Option<&'static str> {
    match field {
        Field::People => Some("people.yaml"),
        Field::CompaniesOrgs => Some("companies_orgs.yaml"),
        Field::ProductsModels => Some("products_models.yaml"),
        Field::MediaBooks => Some("media_books.yaml"),
        _ => None,
    }
}

/// One vocabulary entry as written in a dictionary file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Record {
    /// The canonical name written to the front matter.
    pub name: String,
    /// Other surface forms, in either language.
    pub aliases: Vec<String>,
    /// Aliases that other entries may claim too.
    pub ambiguous: Vec<String>,
    /// Learned precision prior in [0, 1].
    pub prior: Option<f64>,
    /// Number of learning posts labelled with this entry.
    pub count: u64,
    /// Match Latin aliases exactly.
    pub case_sensitive: bool,
    /// Free text for curators.
    pub note: Option<String>,
    /// The 1-based line of the entry's `- name:` in the file it was read from (0 when new).
    pub line: usize,
}

/// A dictionary file: its leading comment block and its entries.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DictFile {
    /// The leading comment lines, each starting with `#`, without line endings.
    pub header: Vec<String>,
    /// The entries.
    pub entries: Vec<Record>,
}

/// The comment block a learned file gets when it has none yet.
pub fn default_header(field: Field) -> Vec<String> {
    let what = match field {
        Field::People => "people: canonical names written to the `people` field",
        Field::CompaniesOrgs => {
            "companies_orgs: companies and organisations written to the `companies_orgs` field"
        }
        Field::ProductsModels => {
            "products_models: products, models and tools written to the `products_models` field"
        }
        Field::MediaBooks => {
            "media_books: media, books, shows and publications written to the `media_books` field"
        }
        other => return vec![format!("# {other}")],
    };
    vec![
        format!("# {what}, with aliases in either language."),
        "# Learned by `frontfill vocab learn` from tagged posts, then curated by hand (README: Vocabulary)."
            .to_owned(),
    ]
}

/// The sort order of names and aliases: Unicode lowercase first, then the bytes.
pub fn name_order(a: &str, b: &str) -> Ordering {
    a.to_lowercase()
        .cmp(&b.to_lowercase())
        .then_with(|| a.cmp(b))
}

/// Puts a file in normalized form: entries sorted by name, alias lists sorted and deduplicated,
/// the name dropped from its own aliases, header lines all comments.
pub fn normalize(file: &mut DictFile) {
    for record in &mut file.entries {
        record.name = record.name.trim().to_owned();
        let name = record.name.clone();
        sort_dedup(&mut record.aliases);
        record.aliases.retain(|a| *a != name);
        sort_dedup(&mut record.ambiguous);
        record.note = record.note.take().filter(|n| !n.trim().is_empty());
    }
    file.entries.sort_by(|a, b| name_order(&a.name, &b.name));
    for line in &mut file.header {
        if !line.starts_with('#') {
            *line = format!("# {line}");
        }
    }
}

fn sort_dedup(list: &mut Vec<String>) {
    for item in list.iter_mut() {
        *item = item.trim().to_owned();
    }
    list.retain(|s| !s.is_empty());
    list.sort_by(|a, b| name_order(a, b));
    list.dedup();
}

/// Renders a file in normalized form (it normalizes a copy first).
pub fn render(file: &DictFile) -> String {
    let mut file = file.clone();
    normalize(&mut file);
    let mut out = String::new();
    for line in &file.header {
        out.push_str(line);
        out.push('\n');
    }
    for record in &file.entries {
        render_record(&mut out, record);
    }
    out
}

fn render_record(out: &mut String, record: &Record) {
    let _ = writeln!(out, "- name: {}", yaml_scalar(&record.name));
    if !record.aliases.is_empty() {
        let _ = writeln!(out, "  aliases: {}", flow_list(&record.aliases));
    }
    if !record.ambiguous.is_empty() {
        let _ = writeln!(out, "  ambiguous: {}", flow_list(&record.ambiguous));
    }
    if let Some(prior) = record.prior {
        let _ = writeln!(out, "  prior: {}", format_prior(prior));
    }
    if record.count > 0 {
        let _ = writeln!(out, "  count: {}", record.count);
    }
    if record.case_sensitive {
        out.push_str("  case_sensitive: true\n");
    }
    if let Some(note) = &record.note {
        let _ = writeln!(out, "  note: {}", yaml_scalar(note));
    }
}

fn flow_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| flow_scalar(s)).collect();
    format!("[{}]", items.join(", "))
}

/// A scalar inside a flow list: as in block context, but `,[]{}` also force quotes there.
fn flow_scalar(s: &str) -> String {
    let plain = yaml_scalar(s);
    if plain == s && s.contains([',', '[', ']', '{', '}']) {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        plain
    }
}

/// Two decimals (`0.62`, `0.50`, `1.00`): finer steps mean nothing on a few hundred posts and
/// would churn diffs.
pub fn format_prior(prior: f64) -> String {
    format!("{:.2}", prior.clamp(0.0, 1.0))
}

/// Rounds a prior the way it is written, so learned values compare equal after a round trip.
pub fn round_prior(prior: f64) -> f64 {
    format_prior(prior).parse().unwrap_or(prior)
}

/// Reads a dictionary file. Entries keep the line of their `- name:`.
///
/// # Errors
/// [`Error::Dictionary`] naming the file and line: malformed YAML, a file that is not a list of
/// entries, a missing or empty `name`, an unknown key, or a value of the wrong type.
pub fn parse(path: &Path, text: &str) -> Result<DictFile> {
    let fail = |line: usize, message: String| Error::Dictionary {
        path: path.to_path_buf(),
        line,
        message,
    };
    let header = text
        .lines()
        .take_while(|l| l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let value: Value = serde_yaml_ng::from_str(text).map_err(|err| {
        let line = err.location().map_or(1, |l| l.line());
        let message = err.to_string();
        let message = match message.find(" at line ") {
            Some(i) => message[..i].to_owned(),
            None => message,
        };
        fail(line, message)
    })?;
    let items = match value {
        Value::Null => Vec::new(),
        Value::Sequence(items) => items,
        _ => {
            return Err(fail(
                first_content_line(text),
                "a dictionary is a list of entries (`- name: ...`)".to_owned(),
            ))
        }
    };
    let lines = entry_lines(text);
    let mut entries = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let line = lines
            .get(index)
            .copied()
            .unwrap_or_else(|| first_content_line(text));
        entries.push(parse_record(item, line).map_err(|message| fail(line, message))?);
    }
    Ok(DictFile { header, entries })
}

fn parse_record(item: Value, line: usize) -> std::result::Result<Record, String> {
    let Value::Mapping(map) = item else {
        return Err("an entry is a mapping with at least `name`".to_owned());
    };
    let mut record = Record {
        line,
        ..Record::default()
    };
    let mut has_name = false;
    for (key, value) in map {
        let key = match key {
            Value::String(k) => k,
            other => return Err(format!("unexpected key {}", describe(&other))),
        };
        match key.as_str() {
            "name" => {
                record.name = scalar(&value).ok_or("`name` must be a text")?;
                has_name = true;
            }
            "aliases" => record.aliases = list(&value, "aliases")?,
            "ambiguous" => record.ambiguous = list(&value, "ambiguous")?,
            "prior" => {
                let prior = value
                    .as_f64()
                    .filter(|p| (0.0..=1.0).contains(p))
                    .ok_or("`prior` must be a number from 0 to 1")?;
                record.prior = Some(prior);
            }
            "count" => {
                record.count = value
                    .as_u64()
                    .ok_or("`count` must be a whole number, 0 or more")?;
            }
            "case_sensitive" => {
                record.case_sensitive = value
                    .as_bool()
                    .ok_or("`case_sensitive` must be true or false")?;
            }
            "note" => record.note = Some(scalar(&value).ok_or("`note` must be a text")?),
            other => {
                return Err(format!(
                    "unknown key `{other}`; expected one of {}",
                    KEYS.join(", ")
                ))
            }
        }
    }
    if !has_name || record.name.trim().is_empty() {
        return Err("entry has an empty or missing `name`".to_owned());
    }
    Ok(record)
}

/// A scalar's text: strings as they are, numbers and booleans as written (a hand-written
/// `- name: 1984` is the book, not an error).
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn list(value: &Value, key: &str) -> std::result::Result<Vec<String>, String> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Sequence(items) => items
            .iter()
            .map(|v| scalar(v).ok_or_else(|| format!("`{key}` must be a list of texts")))
            .collect(),
        other => scalar(other)
            .map(|s| vec![s])
            .ok_or_else(|| format!("`{key}` must be a list of texts")),
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("`{n}`"),
        _ => "(not a text)".to_owned(),
    }
}

/// The 1-based lines of top-level sequence items (`- ...` at column 0), in order.
fn entry_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| *l == "-" || l.starts_with("- "))
        .map(|(i, _)| i + 1)
        .collect()
}

fn first_content_line(text: &str) -> usize {
    text.lines()
        .position(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# people: test file.\n# Second line.\n- name: Donald Trump\n  aliases: [Trump, 唐纳德·特朗普, 川普, 特朗普]\n  ambiguous: [Trump]\n  prior: 0.62\n  count: 311\n- name: Nvidia\n  aliases: ['A, B', NVIDIA, 'yes', 英伟达]\n  prior: 1.00\n  count: 96\n  case_sensitive: true\n  note: GPU maker\n";

    #[test]
    fn round_trips_a_normalized_file() {
        let path = Path::new("people.yaml");
        let file = parse(path, SAMPLE).unwrap();
        assert_eq!(file.header.len(), 2);
        assert_eq!(file.entries[0].line, 3);
        assert_eq!(file.entries[1].line, 8);
        assert_eq!(file.entries[1].aliases[0], "A, B");
        assert_eq!(render(&file), SAMPLE);
    }

    #[test]
    fn normalizes_order_and_duplicates() {
        let text =
            "# h\n- name: b\n  note: ''\n  count: 0\n  aliases: [z, B, a, a, b]\n- name: A\n";
        let file = parse(Path::new("x.yaml"), text).unwrap();
        assert_eq!(
            render(&file),
            "# h\n- name: A\n- name: b\n  aliases: [a, B, z]\n"
        );
    }

    #[test]
    fn errors_name_the_line() {
        let path = Path::new("x.yaml");
        let err = parse(path, "# h\n- name: a\n- name: b\n  colour: red\n").unwrap_err();
        assert!(
            matches!(&err, Error::Dictionary { line: 3, message, .. } if message.contains("colour")),
            "{err}"
        );
        let err = parse(path, "- name: a\n- name: ''\n").unwrap_err();
        assert!(matches!(err, Error::Dictionary { line: 2, .. }), "{err}");
        let err = parse(path, "- name: a\n  prior: 2\n").unwrap_err();
        assert!(matches!(err, Error::Dictionary { line: 1, .. }), "{err}");
        let err = parse(path, "name: a\n").unwrap_err();
        assert!(matches!(err, Error::Dictionary { line: 1, .. }), "{err}");
        assert!(parse(path, "- name: [a\n").is_err());
        assert_eq!(parse(path, "# only\n").unwrap().entries, Vec::new());
    }

    #[test]
    fn priors_have_two_decimals() {
        assert_eq!(format_prior(0.5), "0.50");
        assert_eq!(format_prior(0.625_1), "0.63");
        assert_eq!(format_prior(1.0), "1.00");
        assert_eq!(format_prior(0.004), "0.00");
        assert!((round_prior(0.333_3) - 0.33).abs() < 1e-12);
    }
}
