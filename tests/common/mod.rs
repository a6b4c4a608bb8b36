//! Helpers shared by the integration tests. They look at front matter with plain line rules,
//! independently of the library's own parser, so a bug there cannot hide itself.

#![allow(
    dead_code,
    reason = "each test crate uses a different part of this module"
)]

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

/// The eight fields a fresh draft has empty, plus `summary_en`.
pub const MANAGED_KEYS: [&str; 9] = [
    "tags",
    "summary",
    "summary_en",
    "category",
    "area",
    "people",
    "companies_orgs",
    "products_models",
    "media_books",
];

/// The list fields of `../shared/eval/fm.py`.
pub const LIST_FIELDS: [&str; 5] = [
    "tags",
    "people",
    "companies_orgs",
    "products_models",
    "media_books",
];

/// The scalar fields of `../shared/eval/fm.py`.
pub const SCALAR_FIELDS: [&str; 3] = ["category", "area", "summary"];

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The posts in `samples/`, sorted.
pub fn samples() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("samples"))
        .expect("samples/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    paths.sort();
    paths
}

/// The key of a top-level `key:` line (quotes removed), as a plain line scan sees it.
pub fn key_of_line(line: &str) -> Option<&str> {
    let line = line.trim_end_matches(['\r', '\n']);
    let first = line.chars().next()?;
    if first.is_whitespace() || "#-[{".contains(first) {
        return None;
    }
    for quote in ['"', '\''] {
        if let Some(rest) = line.strip_prefix(quote) {
            let end = rest.find(quote)?;
            return rest[end + 1..].starts_with(':').then(|| &rest[..end]);
        }
    }
    let colon = line.find(':')?;
    let after = &line[colon + 1..];
    (after.is_empty() || after.starts_with([' ', '\t'])).then(|| line[..colon].trim_end())
}

/// Where the front matter lines are: `(yaml_start, yaml_end)` byte offsets, or `None` when the
/// text does not open with a `---` fence that is closed by `---` or `...`.
pub fn front_matter_range(text: &str) -> Option<(usize, usize)> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut lines = text[start..].split_inclusive('\n');
    let first = lines.next()?;
    if first.trim_end() != "---" {
        return None;
    }
    let yaml_start = start + first.len();
    let mut pos = yaml_start;
    for line in lines {
        let bare = line.trim_end();
        if bare == "---" || bare == "..." {
            return Some((yaml_start, pos));
        }
        pos += line.len();
    }
    None
}

/// Removes the entries of `keys` from the front matter: the key line and its continuation lines
/// (indented, or flush `- x` list items). Blank lines and comments after an entry are kept.
pub fn strip_entries(text: &str, keys: &[&str]) -> String {
    let Some((start, end)) = front_matter_range(text) else {
        return text.to_owned();
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..start]);
    let mut skipping = false;
    for line in text[start..end].split_inclusive('\n') {
        if skipping && line.starts_with([' ', '\t', '-']) {
            continue;
        }
        skipping = false;
        if key_of_line(line).is_some_and(|k| keys.contains(&k)) {
            skipping = true;
            continue;
        }
        out.push_str(line);
    }
    out.push_str(&text[end..]);
    out
}

/// `blank()` of `../shared/eval/fm.py`: replaces the values of the eight fields with `[]` or `''`,
/// keeping the layout; a text that does not start with `---\n` … `\n---\n` is returned as it is.
pub fn blank(text: &str) -> String {
    let Some(rest) = text.strip_prefix("---\n") else {
        return text.to_owned();
    };
    let Some(end) = rest.find("\n---\n") else {
        return text.to_owned();
    };
    let (fm, body) = (&rest[..end + 1], &rest[end + 5..]);
    let mut out = String::from("---\n");
    let mut skip = false;
    // Python's splitlines() also splits on \r, \x0b, \x0c, \x1c-\x1e, \x85, \u2028 and \u2029.
    for line in python_splitlines(fm) {
        if skip {
            if line.starts_with([' ', '-', '\t']) && python_key(line).is_none() {
                continue;
            }
            skip = false;
        }
        if let Some(key) = python_key(line) {
            if LIST_FIELDS.contains(&key) {
                out.push_str(&format!("{key}: []\n"));
                skip = true;
                continue;
            }
            if SCALAR_FIELDS.contains(&key) {
                out.push_str(&format!("{key}: ''\n"));
                skip = true;
                continue;
            }
        }
        out.push_str(line);
    }
    out.push_str("---\n");
    out.push_str(body);
    out
}

/// `re.match(r"^([A-Za-z_]+):", line)`.
fn python_key(line: &str) -> Option<&str> {
    let len = line
        .bytes()
        .take_while(|b| b.is_ascii_alphabetic() || *b == b'_')
        .count();
    (len > 0 && line[len..].starts_with(':')).then(|| &line[..len])
}

/// `str.splitlines(keepends=True)`.
fn python_splitlines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let end = match c {
            '\r' => match chars.peek() {
                Some((_, '\n')) => {
                    chars.next();
                    i + 2
                }
                _ => i + 1,
            },
            '\n' | '\u{0b}' | '\u{0c}' | '\u{1c}' | '\u{1d}' | '\u{1e}' | '\u{85}' | '\u{2028}'
            | '\u{2029}' => i + c.len_utf8(),
            _ => continue,
        };
        lines.push(&text[start..end]);
        start = end;
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// Every file under `dir`, recursively, as paths relative to it, sorted.
pub fn list_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("readable folder") {
            let path = entry.expect("readable entry").path();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            if meta.is_dir() {
                walk(&path, base, out);
            } else {
                out.push(path.strip_prefix(base).expect("under base").to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Floats rounded to two decimals, so a tiny scoring change does not churn the shape's snapshot.
pub fn round(value: Value) -> Value {
    match value {
        Value::Number(n) if n.is_f64() => {
            json!((n.as_f64().unwrap_or(0.0) * 100.0).round() / 100.0)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(round).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, round(v))).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_matches_fm_py() {
        let text = "---\ntitle: t\ntags:\n  - a\n  - b\nsummary: >\n  long\n  text\npeople: []\narea: x\n---\nbody\n";
        assert_eq!(
            blank(text),
            "---\ntitle: t\ntags: []\nsummary: ''\npeople: []\narea: ''\n---\nbody\n"
        );
        assert_eq!(blank("no front matter\n"), "no front matter\n");
        assert_eq!(blank("---\r\na: 1\r\n---\r\n"), "---\r\na: 1\r\n---\r\n");
    }

    #[test]
    fn strip_entries_removes_key_and_continuations() {
        let text = "\u{feff}---\ntags:\n- a\n# keep\n\"summary\": x\ntitle: t\n---\nbody\n";
        assert_eq!(
            strip_entries(text, &["tags", "summary"]),
            "\u{feff}---\n# keep\ntitle: t\n---\nbody\n"
        );
    }
}
