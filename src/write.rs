//! Applies a [`Plan`] to the original text by splicing only the edited entries, checks the result
//! by re-parsing it, and writes it atomically. It never re-serializes the user's YAML: every byte
//! outside the edited entries is copied through unchanged.

use std::collections::BTreeMap;
use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde_yaml_ng::Value;

use crate::document::Document;
use crate::error::{Error, Result};
use crate::front_matter::{breaks_plain, parse_mapping, FrontMatter, PLAIN_INDICATORS};
use crate::plan::{FieldEdit, FieldValue, Plan};

/// Returns the post with the plan applied. `key_order` places keys the post does not have yet.
///
/// # Errors
/// [`Error::Verify`] when the front matter's layout is not understood well enough to splice, or
/// when the result does not re-parse to the old values plus the planned ones.
pub fn apply_plan(
    doc: &Document,
    fm: &FrontMatter,
    plan: &Plan,
    key_order: &[String],
) -> Result<String> {
    if plan.is_empty() {
        return Ok(doc.text.clone());
    }
    let refuse = |message: String| Error::Verify {
        path: doc.path.clone(),
        message,
    };
    let nl = doc.newline;
    let indent = fm.list_indent.unwrap_or(2);
    let mut splices: Vec<(usize, usize, u8, String)> = Vec::new();
    match &doc.front {
        None => {
            let mut block = format!("---{nl}");
            let mut edits: Vec<&FieldEdit> = plan.edits.iter().collect();
            edits.sort_by_key(|e| order_index(key_order, &e.key));
            for edit in edits {
                block.push_str(&render_entry(
                    &quote_key(&edit.key),
                    &edit.value,
                    indent,
                    nl,
                ));
            }
            block.push_str(&format!("---{nl}"));
            splices.push((doc.bom, doc.bom, 0, block));
        }
        Some(front) => {
            if !fm.layout_known {
                return Err(refuse(
                    "the front matter layout is not plain `key: value` lines".to_owned(),
                ));
            }
            for edit in &plan.edits {
                if let Some(entry) = fm.entry(&edit.key) {
                    let key = &doc.text[entry.span.start..entry.key_end - 1];
                    let text = render_entry(key, &edit.value, indent, nl);
                    // Ranked last: a key inserted after the entry before this one lands at this
                    // entry's start, and must be spliced before it, not after.
                    splices.push((entry.span.start, entry.span.end, u8::MAX, text));
                } else {
                    let at = insertion_point(fm, key_order, &edit.key).unwrap_or(front.yaml.end);
                    let rank =
                        u8::try_from(order_index(key_order, &edit.key).min(250)).unwrap_or(250);
                    let text = render_entry(&quote_key(&edit.key), &edit.value, indent, nl);
                    splices.push((at, at, rank + 1, text));
                }
            }
        }
    }
    // Edits never overlap: replacements cover distinct entries and insertions sit between them.
    splices.sort_by_key(|a| (a.0, a.2));
    let mut out = String::with_capacity(doc.text.len() + 1024);
    let mut pos = 0;
    for (start, end, _, text) in &splices {
        out.push_str(&doc.text[pos..*start]);
        out.push_str(text);
        pos = *end;
    }
    out.push_str(&doc.text[pos..]);
    // The result is split where it stands: copying it for the check would cost as much as
    // building it.
    let new_doc = Document::from_text(&doc.path, out)
        .map_err(|e| refuse(format!("the result does not split: {e}")))?;
    verify(doc, fm, plan, &new_doc).map_err(refuse)?;
    Ok(new_doc.text)
}

/// The entry after which a missing key goes: the nearest key before it in `key_order`.
fn insertion_point(fm: &FrontMatter, key_order: &[String], key: &str) -> Option<usize> {
    let index = key_order.iter().position(|k| k == key)?;
    key_order[..index]
        .iter()
        .rev()
        .find_map(|k| fm.entry(k))
        .map(|e| e.span.end)
}

fn order_index(key_order: &[String], key: &str) -> usize {
    key_order
        .iter()
        .position(|k| k == key)
        .unwrap_or(key_order.len())
}

fn render_entry(key: &str, value: &FieldValue, indent: usize, nl: &str) -> String {
    match value {
        FieldValue::Text(text) => format!("{key}: {}{nl}", yaml_scalar(text)),
        FieldValue::List(items) if items.is_empty() => format!("{key}: []{nl}"),
        FieldValue::List(items) => {
            // One buffer for the whole entry, rather than a formatted string per item.
            let room = items.iter().map(|i| indent + i.len() + 8).sum::<usize>();
            let mut out = String::with_capacity(key.len() + 2 + room);
            out.push_str(key);
            out.push(':');
            out.push_str(nl);
            for item in items {
                out.extend(std::iter::repeat_n(' ', indent));
                out.push_str("- ");
                out.push_str(&yaml_scalar(item));
                out.push_str(nl);
            }
            out
        }
    }
}

fn quote_key(key: &str) -> String {
    yaml_scalar(key)
}

/// Renders a string as a one-line YAML scalar: plain where every YAML reader (1.1 and 1.2) reads
/// it back as the same string, single-quoted otherwise, double-quoted when it holds a line break
/// or control character. Never folded, whatever its length.
pub fn yaml_scalar(s: &str) -> String {
    if s.chars()
        .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}' || c == '\u{feff}')
    {
        return double_quoted(s);
    }
    if is_plain_safe(s) {
        return s.to_owned();
    }
    format!("'{}'", s.replace('\'', "''"))
}

fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04X}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// YAML 1.1 reads these (in any case) as booleans or null; 1.2 readers as strings.
const RESERVED_WORDS: [&str; 12] = [
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "nan", "inf",
];

fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.trim() != s || s.contains(['\t']) {
        return false;
    }
    if PLAIN_INDICATORS.contains(first) || matches!(first, '.' | '+') || first.is_ascii_digit() {
        // Indicators, and anything that could read as a number, date or time: quote to be sure.
        return false;
    }
    if breaks_plain(s) {
        return false;
    }
    // The first character is no sign or dot (see above), so the word is the whole string.
    !RESERVED_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s))
}

/// Re-parses the result `new_doc` and compares it with the original: unedited keys keep their
/// values, edited keys hold exactly the planned values, and the body is byte-identical.
fn verify(
    doc: &Document,
    fm: &FrontMatter,
    plan: &Plan,
    new_doc: &Document,
) -> std::result::Result<(), String> {
    if new_doc.body() != doc.body() || new_doc.text[..new_doc.bom] != doc.text[..doc.bom] {
        return Err("the body would change".to_owned());
    }
    let new = parse_mapping(new_doc.yaml().unwrap_or(""))
        .map_err(|(line, message)| format!("the result does not parse (line {line}): {message}"))?;
    let edited: BTreeMap<&str, &FieldValue> = plan
        .edits
        .iter()
        .map(|e| (e.key.as_str(), &e.value))
        .collect();
    for (key, value) in &fm.values {
        let name = key.as_str().unwrap_or("");
        if edited.contains_key(name) {
            continue;
        }
        if new.get(key) != Some(value) {
            return Err(format!("key `{}` would change", display_key(key)));
        }
    }
    for (key, value) in &edited {
        let expected = match value {
            FieldValue::Text(t) => Value::String(t.clone()),
            FieldValue::List(items) => {
                Value::Sequence(items.iter().cloned().map(Value::String).collect())
            }
        };
        if new.get(*key) != Some(&expected) {
            return Err(format!("field `{key}` would not read back as written"));
        }
    }
    if new.len()
        != fm.values.len()
            + edited
                .keys()
                .filter(|k| !fm.values.contains_key(**k))
                .count()
    {
        return Err("the key count would change".to_owned());
    }
    Ok(())
}

fn display_key(key: &Value) -> String {
    key.as_str()
        .map_or_else(|| format!("{key:?}"), str::to_owned)
}

/// What a file looked like when it was read, to detect a concurrent change before replacing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    len: u64,
    modified: Option<SystemTime>,
    hash: u64,
}

impl Snapshot {
    /// Records a file's size, modification time and content hash.
    pub fn new(meta: &fs::Metadata, bytes: &[u8]) -> Self {
        Self {
            len: meta.len(),
            modified: meta.modified().ok(),
            hash: hash_bytes(bytes),
        }
    }
}

fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

/// Prefix of the temporary files the writer creates next to a post.
pub const TEMP_PREFIX: &str = ".frontfill-";

/// Removes the temporary files that an earlier run left in `dir` when it was killed between
/// creating one and renaming it over its post: regular files named exactly as the writer names
/// them (`.frontfill-XXXXXX.tmp`), last modified before `before` (the start of this run, so a
/// file this run creates is never one of them). Returns the files removed; a folder that cannot
/// be listed gives none. Should another run be writing in the same folder at that moment, the
/// worst case is that its rename fails and it reports that post as an error, unwritten.
pub fn remove_stale_temp_files(dir: &Path, before: SystemTime) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if !is_temp_name(name) {
            continue;
        }
        // Not followed: a symlink or folder with this name is not ours.
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        let stale = meta.modified().is_ok_and(|m| m < before);
        if meta.file_type().is_file() && stale && fs::remove_file(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed
}

/// Whether a file name is one [`write_atomic`] gives its temporary files.
fn is_temp_name(name: &str) -> bool {
    name.strip_prefix(TEMP_PREFIX)
        .and_then(|rest| rest.strip_suffix(".tmp"))
        .is_some_and(|random| {
            random.len() == TEMP_RANDOM_LEN && random.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// Length of the random part of a temporary file's name.
const TEMP_RANDOM_LEN: usize = 6;

/// Writes `text` over `path` atomically: a temp file in the same folder, fsync, then rename, with
/// the original permissions. Refuses when the file no longer matches `snapshot`.
///
/// # Errors
/// [`Error::Changed`] when the file changed since it was read, [`Error::Write`] on I/O failure
/// or when the file is read-only.
pub fn write_atomic(path: &Path, text: &str, snapshot: &Snapshot) -> Result<()> {
    let fail = |source: std::io::Error| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    // Write through a symlink to its target rather than replacing the link with a file.
    let target: PathBuf = fs::canonicalize(path).map_err(fail)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let meta = fs::metadata(&target).map_err(fail)?;
    // A rename replaces a file whatever its permissions (and root may write anything): honour
    // a read-only post by hand, as an editor saving in place would have to.
    if meta.permissions().readonly() {
        return Err(fail(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "the file is read-only",
        )));
    }
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(".tmp")
        .rand_bytes(TEMP_RANDOM_LEN)
        .tempfile_in(dir)
        .map_err(fail)?;
    temp.write_all(text.as_bytes()).map_err(fail)?;
    temp.as_file()
        .set_permissions(meta.permissions())
        .map_err(fail)?;
    temp.as_file().sync_all().map_err(fail)?;
    let now_meta = fs::metadata(&target).map_err(fail)?;
    let now_bytes = fs::read(&target).map_err(fail)?;
    if Snapshot::new(&now_meta, &now_bytes) != *snapshot {
        return Err(Error::Changed {
            path: path.to_path_buf(),
        });
    }
    temp.persist(&target).map_err(|e| fail(e.error))?;
    if let Ok(dir) = fs::File::open(dir) {
        // Makes the rename itself durable; not every platform allows syncing a folder.
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Writes a new file atomically (a temporary file in the same folder, renamed into place);
/// unless `replace`, an existing file is left alone and reported.
///
/// # Errors
/// [`Error::Write`] when the folder is not writable, or the file exists and `replace` is false.
pub fn write_new(path: &Path, text: &str, replace: bool) -> Result<()> {
    let fail = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut temp = tempfile::NamedTempFile::new_in(folder).map_err(fail)?;
    temp.write_all(text.as_bytes()).map_err(fail)?;
    temp.as_file().sync_all().map_err(fail)?;
    let persisted = if replace {
        temp.persist(path).map(drop)
    } else {
        temp.persist_noclobber(path).map(drop)
    };
    persisted.map_err(|err| fail(err.error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::{Field, CANONICAL_ORDER};

    fn order() -> Vec<String> {
        CANONICAL_ORDER.iter().map(|s| (*s).to_owned()).collect()
    }

    fn fill(text: &str, edits: &[(Field, FieldValue)]) -> Result<String> {
        let doc = Document::from_text(Path::new("t.md"), text.to_owned()).unwrap();
        let fm = FrontMatter::parse(&doc).unwrap();
        let plan = Plan {
            edits: edits
                .iter()
                .map(|(f, v)| FieldEdit {
                    field: *f,
                    key: f.name().to_owned(),
                    value: v.clone(),
                    replaces: false,
                })
                .collect(),
        };
        apply_plan(&doc, &fm, &plan, &order())
    }

    fn list(items: &[&str]) -> FieldValue {
        FieldValue::List(items.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn reserved_words_are_told_as_the_lowercased_copy_told_them() {
        let by_copy = |s: &str| {
            let lower = s.to_ascii_lowercase();
            !RESERVED_WORDS.contains(&lower.trim_start_matches(['+', '-', '.']))
        };
        let words = RESERVED_WORDS.iter().flat_map(|w| {
            [
                w.to_string(),
                w.to_ascii_uppercase(),
                format!("{w}s"),
                format!("x{w}"),
            ]
        });
        for text in crate::probe::every_string("yNoFf+.-I ", 4)
            .into_iter()
            .chain(words)
        {
            let plain = is_plain_safe(&text);
            let checked_before = !text.is_empty()
                && text.trim() == text
                && !"-?:,[]{}#&*!|>'\"%@`.+".contains(text.chars().next().unwrap_or(' '))
                && !text.starts_with(|c: char| c.is_ascii_digit())
                && !text.contains(": ")
                && !text.contains(" #")
                && !text.ends_with(':');
            assert_eq!(plain, checked_before && by_copy(&text), "{text:?}");
        }
    }

    #[test]
    fn replaces_empty_entries_in_place() {
        let out = fill(
            "---\ntitle: t # keep\ntags: []\nsummary: ''\npeople: []\n---\nbody\n",
            &[
                (Field::Tags, list(&["a", "b"])),
                (Field::Summary, FieldValue::Text("一句话。".into())),
            ],
        )
        .unwrap();
        assert_eq!(
            out,
            "---\ntitle: t # keep\ntags:\n  - a\n  - b\nsummary: 一句话。\npeople: []\n---\nbody\n"
        );
    }

    #[test]
    fn inserts_missing_keys_after_their_predecessor() {
        let out = fill(
            "---\ntitle: t\ndraft: true\nstatus: x\n---\n",
            &[
                (Field::People, list(&["A"])),
                (Field::Summary, FieldValue::Text("s".into())),
                (Field::Area, FieldValue::Text("geo".into())),
            ],
        )
        .unwrap();
        assert_eq!(
            out,
            "---\ntitle: t\nsummary: s\ndraft: true\narea: geo\npeople:\n  - A\nstatus: x\n---\n"
        );
    }

    #[test]
    fn inserts_before_a_replaced_entry_that_starts_where_the_key_goes() {
        let out = fill(
            "---\ntitle: t\nsummary_en: []\n---\n",
            &[
                (Field::Summary, FieldValue::Text("s".into())),
                (Field::SummaryEn, FieldValue::Text("e".into())),
            ],
        )
        .unwrap();
        assert_eq!(out, "---\ntitle: t\nsummary: s\nsummary_en: e\n---\n");
    }

    #[test]
    fn inserts_at_end_when_no_predecessor_and_keeps_flush_style_and_crlf() {
        let out = fill(
            "---\r\nzeta: 1\r\nlist:\r\n- q\r\n---\r\nbody",
            &[(Field::Tags, list(&["a"]))],
        )
        .unwrap();
        assert_eq!(
            out,
            "---\r\nzeta: 1\r\nlist:\r\n- q\r\ntags:\r\n- a\r\n---\r\nbody"
        );
    }

    #[test]
    fn creates_front_matter_with_only_filled_fields() {
        let out = fill(
            "\u{feff}# Title\n",
            &[
                (Field::Summary, FieldValue::Text("s".into())),
                (Field::Tags, list(&["x"])),
            ],
        )
        .unwrap();
        assert_eq!(out, "\u{feff}---\ntags:\n  - x\nsummary: s\n---\n# Title\n");
    }

    #[test]
    fn quotes_only_where_yaml_needs_it() {
        for (input, want) in [
            ("OpenAI", "OpenAI"),
            ("特朗普", "特朗普"),
            ("yes", "'yes'"),
            ("No", "'No'"),
            ("null", "'null'"),
            ("2024-01-01", "'2024-01-01'"),
            ("1:20", "'1:20'"),
            ("- x", "'- x'"),
            ("a: b", "'a: b'"),
            ("a #b", "'a #b'"),
            ("*star", "'*star'"),
            ("&anchor", "'&anchor'"),
            ("!tag", "'!tag'"),
            ("it's", "it's"),
            ("'q'", "'''q'''"),
            ("two\nlines", "\"two\\nlines\""),
            ("", "''"),
        ] {
            assert_eq!(yaml_scalar(input), want, "{input:?}");
            let parsed: Value =
                serde_yaml_ng::from_str(&format!("k: {}", yaml_scalar(input))).unwrap();
            assert_eq!(
                parsed.get("k"),
                Some(&Value::String(input.to_owned())),
                "{input:?}"
            );
        }
    }

    #[test]
    fn long_values_stay_on_one_line() {
        let long = "很长的摘要".repeat(100);
        let out = fill(
            "---\nsummary: ''\n---\n",
            &[(Field::Summary, FieldValue::Text(long.clone()))],
        )
        .unwrap();
        assert_eq!(out, format!("---\nsummary: {long}\n---\n"));
    }

    #[test]
    fn only_stale_temp_files_of_our_own_naming_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let old = SystemTime::now() - std::time::Duration::from_secs(60);
        let names = [
            ".frontfill-a1B2c3.tmp",
            ".frontfill-fresh1.tmp",
            ".frontfill-toolong1.tmp",
            ".frontfill-a1B2c3.md",
            "frontfill-a1B2c3.tmp",
            "post.md",
        ];
        for name in names {
            fs::write(dir.path().join(name), "x").unwrap();
            if name != ".frontfill-fresh1.tmp" {
                let file = fs::File::options()
                    .write(true)
                    .open(dir.path().join(name))
                    .unwrap();
                file.set_modified(old).unwrap();
            }
        }
        fs::create_dir(dir.path().join(".frontfill-dir123.tmp")).unwrap();
        let started = SystemTime::now() - std::time::Duration::from_secs(1);
        let removed = remove_stale_temp_files(dir.path(), started);
        assert_eq!(removed, vec![dir.path().join(".frontfill-a1B2c3.tmp")]);
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left.len(), names.len());
        assert!(is_temp_name(".frontfill-Zz0099.tmp"));
    }

    #[test]
    fn values_cannot_inject_keys() {
        let out = fill(
            "---\ntags: []\n---\n",
            &[(Field::Tags, list(&["x\nevil: 1", "y: z"]))],
        )
        .unwrap();
        let doc = Document::from_text(Path::new("t.md"), out).unwrap();
        let fm = FrontMatter::parse(&doc).unwrap();
        assert_eq!(fm.values.len(), 1);
    }
}
