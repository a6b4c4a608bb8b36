//! Reads the YAML between the fences: the parsed values (through serde_yaml_ng, the only YAML
//! library in the crate, except for the flat `key: value` front matter most posts have, which a
//! reader of that subset takes as the library would) and, next to them, where each top-level
//! key's entry sits in the text. The writer uses those line ranges to splice; nothing here ever
//! serializes YAML.

use std::ops::Range;

use serde_yaml_ng::{Mapping, Value};

use crate::document::Document;
use crate::error::{Error, Result};

/// A top-level `key: value` entry as it sits in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The key as written (quotes removed).
    pub key: String,
    /// From the start of the key line to the end of its last value line, line ending included.
    pub span: Range<usize>,
    /// The 1-based file line of the key.
    pub line: usize,
    /// Offset just past the key's `:`, so a rewrite keeps the key exactly as written.
    pub key_end: usize,
}

/// The parsed front matter of a post, with the layout facts the writer needs.
#[derive(Debug, Clone)]
pub struct FrontMatter {
    /// The parsed top-level mapping.
    pub values: Mapping,
    /// Every top-level entry, in file order.
    pub entries: Vec<Entry>,
    /// Indentation of block list items (`2` for `  - x`, `0` for `- x`), if the file has any.
    pub list_indent: Option<usize>,
    /// Whether the line scan found exactly the keys the parser found, so splicing is safe.
    pub layout_known: bool,
}

impl FrontMatter {
    /// Parses a document's front matter; a post without one gives an empty front matter.
    ///
    /// # Errors
    /// Malformed YAML, or YAML that is not a mapping, with the file line.
    pub fn parse(doc: &Document) -> Result<Self> {
        let Some(front) = &doc.front else {
            return Ok(Self {
                values: Mapping::new(),
                entries: Vec::new(),
                list_indent: None,
                layout_known: true,
            });
        };
        let yaml = &doc.text[front.yaml.clone()];
        let values = parse_mapping(yaml).map_err(|(line, message)| Error::FrontMatter {
            path: doc.path.clone(),
            line: front.first_line + line.saturating_sub(1),
            message,
        })?;
        let (entries, list_indent) = scan_entries(&doc.text, front.yaml.clone(), front.first_line);
        let layout_known = entries.len() == values.len()
            && entries
                .iter()
                .all(|e| values.contains_key(Value::String(e.key.clone())));
        Ok(Self {
            values,
            entries,
            list_indent,
            layout_known,
        })
    }

    /// The value of a key, if present.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.values.get(key)
    }

    /// Whether the key is missing or holds an empty value (`[]`, `'[]'`, `''`, null).
    pub fn is_empty(&self, key: &str) -> bool {
        self.get(key).is_none_or(is_empty_value)
    }

    /// The entry for a key, if the line scan found it.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// A string value, if the key holds one.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    /// The texts of a key holding one string or a list of strings (other items are skipped).
    pub fn texts(&self, key: &str) -> Vec<String> {
        match self.get(key) {
            Some(Value::String(s)) if !is_empty_value(&Value::String(s.clone())) => {
                vec![s.clone()]
            }
            Some(Value::Sequence(items)) => items
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .filter(|s| !s.trim().is_empty())
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Parses YAML text into a mapping; errors carry a 1-based line within `yaml`.
pub(crate) fn parse_mapping(yaml: &str) -> std::result::Result<Mapping, (usize, String)> {
    if yaml.trim().is_empty() {
        return Ok(Mapping::new());
    }
    if let Some(map) = flat::mapping(yaml) {
        return Ok(map);
    }
    // Only an alias can make the parsed value larger than the text; without `*` there is none.
    let parsed = if yaml.contains('*') {
        alias_budget::check(yaml).and_then(|()| serde_yaml_ng::from_str::<Value>(yaml))
    } else {
        serde_yaml_ng::from_str::<Value>(yaml)
    };
    match parsed {
        Ok(Value::Mapping(map)) => Ok(map),
        Ok(Value::Null) => Ok(Mapping::new()),
        Ok(_) => Err((
            1,
            "front matter is not a mapping of keys to values".to_owned(),
        )),
        Err(err) => {
            let message = err.to_string();
            let line = if message.starts_with("control characters are not allowed") {
                // The parser's reader rejects them before it counts lines; find the first one.
                yaml.find(|c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
                    .map_or(1, |at| 1 + yaml[..at].matches('\n').count())
            } else {
                err.location().map_or(1, |l| l.line())
            };
            // serde_yaml_ng appends " at line L column C"; the caller puts the line in front.
            let mut message = match message.find(" at line ") {
                Some(i) => message[..i].to_owned(),
                None => message,
            };
            let indent = yaml.lines().nth(line.saturating_sub(1)).map(|l| {
                let bare = l.trim_start_matches([' ', '\t']);
                &l[..l.len() - bare.len()]
            });
            if indent.is_some_and(|i| i.contains('\t')) {
                message.push_str(" (a tab in the indentation: YAML indents with spaces only)");
            }
            Err((line, message))
        }
    }
}

/// The front matter nearly every post has, read without the YAML library: top-level `key: value`
/// lines and block lists under them, every value a one-line scalar. serde_yaml_ng spends about
/// as much on a post's twenty such lines as on the rest of its bookkeeping, and the writer parses
/// the front matter a second time to check its splice. Anything outside this subset (comments,
/// indented mappings, block or multi-line scalars, escapes, anchors, tags, flow collections but
/// `[]`, numbers, tabs, control characters, duplicate keys) gives `None` and goes to the library,
/// which also reports every error; what this accepts, it reads as the library does (a test
/// compares them).
mod flat {
    use serde_yaml_ng::{Mapping, Value};

    /// The mapping of `yaml`, or `None` when it is not plainly inside the subset.
    pub(super) fn mapping(yaml: &str) -> Option<Mapping> {
        if has_unusual_char(yaml) {
            return None;
        }
        let mut map = Mapping::new();
        // The key last read with nothing after its colon: a block list may follow it, at the
        // indentation of its first item.
        let mut open: Option<(Value, Option<usize>, Vec<Value>)> = None;
        for line in yaml.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.contains('\r') {
                return None;
            }
            let rest = line.trim_start_matches(' ');
            if rest.is_empty() {
                continue;
            }
            let indent = line.len() - rest.len();
            if rest == "-" || rest.starts_with("- ") {
                let (_, list_indent, items) = open.as_mut()?;
                if *list_indent.get_or_insert(indent) != indent {
                    return None;
                }
                let item = scalar(rest[1..].trim_start_matches(' '))?;
                if item == Value::Null {
                    return None;
                }
                items.push(item);
                continue;
            }
            if indent > 0 {
                return None;
            }
            close(&mut map, open.take())?;
            let (key, value) = key_line(line)?;
            if value.is_empty() {
                // A duplicate is found when the key is closed.
                open = Some((key, None, Vec::new()));
            } else if map.insert(key, scalar(value)?).is_some() {
                return None;
            }
        }
        close(&mut map, open)?;
        // Without a key the library reads null, not a mapping.
        (!map.is_empty()).then_some(map)
    }

    /// Whether `yaml` holds a character the library rejects or reads as a line break: a control
    /// character other than LF and CR, U+2028, U+2029, or U+FEFF, U+FFFE, U+FFFF. Looked for
    /// in the UTF-8 bytes, which spares decoding the characters of a Chinese title and summary
    /// (a test compares this with a search over the characters).
    pub(super) fn has_unusual_char(yaml: &str) -> bool {
        let bytes = yaml.as_bytes();
        bytes.iter().enumerate().any(|(i, &b)| match b {
            b'\n' | b'\r' => false,
            0..=0x1f | 0x7f => true,
            // U+0080..U+009F
            0xc2 => bytes.get(i + 1).is_some_and(|&next| next < 0xa0),
            // U+2028, U+2029
            0xe2 => {
                bytes.get(i + 1) == Some(&0x80) && matches!(bytes.get(i + 2), Some(0xa8 | 0xa9))
            }
            // U+FEFF, U+FFFE, U+FFFF
            0xef => matches!(
                (bytes.get(i + 1), bytes.get(i + 2)),
                (Some(0xbb), Some(0xbf)) | (Some(0xbf), Some(0xbe | 0xbf))
            ),
            _ => false,
        })
    }

    /// Ends the open key: its list, or null when no item followed it.
    fn close(map: &mut Mapping, open: Option<(Value, Option<usize>, Vec<Value>)>) -> Option<()> {
        if let Some((key, list_indent, items)) = open {
            let value = match list_indent {
                Some(_) => Value::Sequence(items),
                None => Value::Null,
            };
            if map.insert(key, value).is_some() {
                return None;
            }
        }
        Some(())
    }

    /// Splits `key: value` (or `key:`) at column 0: the key as a value, and the value text with
    /// its leading spaces removed. Keys are plain ASCII words that read as strings.
    fn key_line(line: &str) -> Option<(Value, &str)> {
        let colon = line.find(':')?;
        let key = &line[..colon];
        let after = &line[colon + 1..];
        let word = key.len() <= 200
            && key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !word || !(after.is_empty() || after.starts_with(' ')) {
            return None;
        }
        let key = match plain(key)? {
            key @ Value::String(_) => key,
            _ => return None,
        };
        Some((key, after.trim_start_matches(' ')))
    }

    /// A one-line scalar (leading spaces already removed): single-quoted, double-quoted without
    /// escapes, `[]`, or plain.
    fn scalar(text: &str) -> Option<Value> {
        let text = text.trim_end_matches(' ');
        if let Some(quoted) = text.strip_prefix('\'') {
            let inner = quoted.strip_suffix('\'')?;
            if !inner.contains('\'') {
                return Some(Value::String(inner.to_owned()));
            }
            // Every quote inside comes doubled; a lone one would have closed the scalar.
            if inner.replace("''", "").contains('\'') {
                return None;
            }
            return Some(Value::String(inner.replace("''", "'")));
        }
        if let Some(quoted) = text.strip_prefix('"') {
            let inner = quoted.strip_suffix('"')?;
            if inner.contains(['"', '\\']) {
                return None;
            }
            return Some(Value::String(inner.to_owned()));
        }
        if text == "[]" {
            return Some(Value::Sequence(Vec::new()));
        }
        plain(text)
    }

    /// A plain scalar, trimmed: null, a boolean, or a string. Anything that starts like an
    /// indicator, could be a number, or holds `: `, ` #` or a trailing colon, is left to the
    /// library.
    fn plain(text: &str) -> Option<Value> {
        match text {
            "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
            "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
            "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
            _ => {}
        }
        let first = text.chars().next()?;
        if super::PLAIN_INDICATORS.contains(first) {
            return None;
        }
        // Every number the library reads (decimal, `0x`/`0o`/`0b`, float, `.inf`) is made of
        // ASCII letters, digits and `+-._`, and starts with a digit, a sign or a dot; a title
        // like `2026 年度回顾` holds something else and is a string.
        let numeric = first.is_ascii_digit() || matches!(first, '+' | '.');
        if numeric
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.' | b'_'))
        {
            return None;
        }
        if super::breaks_plain(text) {
            return None;
        }
        Some(Value::String(text.to_owned()))
    }
}

/// The characters that cannot start a plain scalar (YAML's indicators): a value starting with one
/// is something else, or an error, unless quoted.
pub(crate) const PLAIN_INDICATORS: &str = "-?:,[]{}#&*!|>'\"%@`";

/// Whether `text` as a plain scalar would not read as itself: `: ` or a final `:` makes a
/// mapping, ` #` starts a comment.
pub(crate) fn breaks_plain(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr2_iter(b':', b'#', bytes).any(|i| match bytes[i] {
        b':' => bytes.get(i + 1).is_none_or(|&next| next == b' '),
        _ => i > 0 && bytes[i - 1] == b' ',
    })
}

/// Parses YAML into `T` with the alias expansion bounded (see [`alias_budget`]); dictionaries and
/// the repo configuration are read through it too.
pub(crate) fn from_yaml_bounded<T: serde::de::DeserializeOwned>(
    yaml: &str,
) -> std::result::Result<T, serde_yaml_ng::Error> {
    alias_budget::check(yaml).and_then(|()| serde_yaml_ng::from_str(yaml))
}

/// Bounds what YAML aliases can expand to. serde_yaml_ng caps alias jumps at 100 per event, which
/// stops the classic nested "billion laughs" but not a wide one: a 5,000-item list aliased 5,000
/// times is 35 kB of text and 25 million values. A first pass walks the document as the parser
/// expands it, counting values, and gives up once they outnumber what the text alone could hold.
mod alias_budget {
    use std::cell::Cell;
    use std::fmt;

    use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess};
    use serde::de::{VariantAccess, Visitor};

    /// Errors when the YAML expands to more values than twice its length plus a margin (without
    /// aliases, a value takes at least one byte of text).
    pub(super) fn check(yaml: &str) -> Result<(), serde_yaml_ng::Error> {
        let budget = Cell::new(yaml.len().saturating_mul(2).saturating_add(10_000));
        // Only the first document: a second one is the parser's error to report, not ours.
        match serde_yaml_ng::Deserializer::from_str(yaml).next() {
            Some(document) => Count(&budget).deserialize(document),
            None => Ok(()),
        }
    }

    /// Visits a value and everything in it, spending one unit of the budget per value.
    #[derive(Clone, Copy)]
    struct Count<'a>(&'a Cell<usize>);

    impl Count<'_> {
        fn spend<E: de::Error>(self) -> Result<(), E> {
            match self.0.get().checked_sub(1) {
                Some(left) => {
                    self.0.set(left);
                    Ok(())
                }
                None => Err(E::custom(
                    "the YAML expands to too many values through aliases",
                )),
            }
        }
    }

    impl<'de> DeserializeSeed<'de> for Count<'_> {
        type Value = ();

        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
            deserializer.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Count<'_> {
        type Value = ();

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any YAML value")
        }

        fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
            self.spend()
        }

        fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
            self.spend()
        }

        fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
            self.spend()
        }

        fn visit_i128<E: de::Error>(self, _: i128) -> Result<(), E> {
            self.spend()
        }

        fn visit_u128<E: de::Error>(self, _: u128) -> Result<(), E> {
            self.spend()
        }

        fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
            self.spend()
        }

        fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
            self.spend()
        }

        fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<(), E> {
            self.spend()
        }

        fn visit_unit<E: de::Error>(self) -> Result<(), E> {
            self.spend()
        }

        fn visit_none<E: de::Error>(self) -> Result<(), E> {
            self.spend()
        }

        fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
            deserializer.deserialize_any(self)
        }

        fn visit_newtype_struct<D: Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> Result<(), D::Error> {
            deserializer.deserialize_any(self)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            self.spend()?;
            while seq.next_element_seed(self)?.is_some() {}
            Ok(())
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            self.spend()?;
            while map.next_key_seed(self)?.is_some() {
                map.next_value_seed(self)?;
            }
            Ok(())
        }

        fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
            // A tagged value (`!tag value`): the tag, then the value under it.
            self.spend()?;
            let ((), variant) = data.variant_seed(self)?;
            variant.newtype_variant_seed(self)
        }
    }
}

/// Whether a value counts as empty for filling: null, `''`, `'[]'`, `[]`, or a list of blanks.
pub fn is_empty_value(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => {
            let s = s.trim();
            s.is_empty() || s == "[]"
        }
        Value::Sequence(items) => items.iter().all(is_empty_value),
        Value::Mapping(map) => map.is_empty(),
        Value::Tagged(tagged) => is_empty_value(&tagged.value),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

/// Finds the top-level entries by their key lines. An entry runs to the line before the next key
/// line, less trailing blank and column-0 comment lines, which belong to no key.
fn scan_entries(text: &str, yaml: Range<usize>, first_line: usize) -> (Vec<Entry>, Option<usize>) {
    let mut entries: Vec<Entry> = Vec::new();
    let mut list_indent = None;
    let mut last_content_end = yaml.start;
    let mut pos = yaml.start;
    let mut line_number = first_line;
    // Inside a block scalar with keep chomping (`|+`, `>+`), blank lines are part of the value.
    let mut keeps_blank_lines = false;
    while pos < yaml.end {
        let end = text[pos..yaml.end]
            .find('\n')
            .map_or(yaml.end, |i| pos + i + 1);
        let line = &text[pos..end];
        let trimmed = line.trim_end_matches(['\r', '\n']);
        if let Some((key, colon)) = key_of_line(trimmed) {
            if let Some(last) = entries.last_mut() {
                last.span.end = last_content_end;
            }
            entries.push(Entry {
                key,
                span: pos..end,
                line: line_number,
                key_end: pos + colon + 1,
            });
            last_content_end = end;
            keeps_blank_lines = is_keep_block_scalar(&trimmed[colon + 1..]);
        } else if trimmed.trim().is_empty() {
            if keeps_blank_lines {
                last_content_end = end;
            }
        } else if trimmed.starts_with('#') {
            keeps_blank_lines = false;
        } else {
            last_content_end = end;
            if list_indent.is_none() {
                let indent = trimmed.len() - trimmed.trim_start_matches(' ').len();
                let rest = &trimmed[indent..];
                if rest == "-" || rest.starts_with("- ") {
                    list_indent = Some(indent);
                }
            }
        }
        pos = end;
        line_number += 1;
    }
    if let Some(last) = entries.last_mut() {
        last.span.end = last_content_end;
    }
    (entries, list_indent)
}

/// Whether a value starts a block scalar that keeps its trailing blank lines (`|+`, `>2+ # c`).
fn is_keep_block_scalar(value: &str) -> bool {
    let header = value.trim_start();
    let header = header.split(" #").next().unwrap_or("").trim_end();
    header.starts_with(['|', '>'])
        && header.contains('+')
        && header[1..].chars().all(|c| c == '+' || c.is_ascii_digit())
}

/// The key of a top-level `key:` line and the offset of its colon, or `None` for anything else.
fn key_of_line(line: &str) -> Option<(String, usize)> {
    let first = line.chars().next()?;
    if matches!(
        first,
        ' ' | '\t' | '#' | '-' | '?' | '[' | '{' | '&' | '*' | '!' | '|' | '>' | '%' | '@' | '`'
    ) {
        return None;
    }
    if first == '"' || first == '\'' {
        let close = closing_quote(line, first)?;
        let after = &line[close + 1..];
        if after.starts_with(':') && (after.len() == 1 || after[1..].starts_with([' ', '\t'])) {
            return Some((line[1..close].replace("''", "'"), close + 1));
        }
        return None;
    }
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b':' && (i + 1 == bytes.len() || matches!(bytes[i + 1], b' ' | b'\t')) {
            let key = line[..i].trim_end();
            return (!key.is_empty()).then(|| (key.to_owned(), i));
        }
        if b == b' ' && bytes.get(i + 1) == Some(&b'#') {
            return None;
        }
    }
    None
}

/// The byte offset of the quote that closes a quoted key starting at offset 0.
fn closing_quote(line: &str, quote: char) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == '"' => i += 2,
            b'\'' if quote == '\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote as u8 => return Some(i),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn parse(text: &str) -> (Document, Result<FrontMatter>) {
        let doc = Document::from_text(Path::new("t.md"), text.to_owned()).unwrap();
        let fm = FrontMatter::parse(&doc);
        (doc, fm)
    }

    #[test]
    fn finds_entries_and_list_style() {
        let text = "---\ntitle: x\ntags:\n  - a\n  - b\n\n# note\npeople: []\nsummary: >\n  long\n  text\n---\n";
        let (doc, fm) = parse(text);
        let fm = fm.unwrap();
        let spans: Vec<_> = fm
            .entries
            .iter()
            .map(|e| (e.key.as_str(), &doc.text[e.span.clone()], e.line))
            .collect();
        assert_eq!(
            spans,
            vec![
                ("title", "title: x\n", 2),
                ("tags", "tags:\n  - a\n  - b\n", 3),
                ("people", "people: []\n", 8),
                ("summary", "summary: >\n  long\n  text\n", 9),
            ]
        );
        assert_eq!(fm.list_indent, Some(2));
        assert!(fm.layout_known);
    }

    #[test]
    fn blank_lines_kept_by_a_block_scalar_belong_to_its_entry() {
        let text = "---\na: |+\n  x\n\n\nb: >-\n  y\n\n# c\n\nc: |2+ # k\n  z\n\n---\n";
        let (doc, fm) = parse(text);
        let fm = fm.unwrap();
        let spans: Vec<_> = fm
            .entries
            .iter()
            .map(|e| &doc.text[e.span.clone()])
            .collect();
        assert_eq!(
            spans,
            vec!["a: |+\n  x\n\n\n", "b: >-\n  y\n", "c: |2+ # k\n  z\n\n"]
        );
    }

    #[test]
    fn empty_values() {
        let (_, fm) = parse("---\na: []\nb: '[]'\nc: ''\nd:\ne: ~\nf: [x]\ng: 0\nh: [\"\"]\n---\n");
        let fm = fm.unwrap();
        for key in ["a", "b", "c", "d", "e", "h", "missing"] {
            assert!(fm.is_empty(key), "{key}");
        }
        assert!(!fm.is_empty("f"));
        assert!(!fm.is_empty("g"));
    }

    #[test]
    fn flush_lists_and_quoted_keys() {
        let (_, fm) = parse("---\n\"tags\":\n- a\n'it''s': 1\n---\n");
        let fm = fm.unwrap();
        assert_eq!(fm.list_indent, Some(0));
        assert_eq!(fm.entries[1].key, "it's");
        assert!(fm.layout_known);
    }

    #[test]
    fn malformed_yaml_names_the_file_line() {
        let (_, fm) = parse("---\ntitle: x\ntags: [a\nb: c\n---\n");
        match fm {
            Err(Error::FrontMatter { line, .. }) => assert!((3..=5).contains(&line), "{line}"),
            other => panic!("{other:?}"),
        }
        let (_, fm) = parse("---\n- a\n- b\n---\n");
        assert!(matches!(fm, Err(Error::FrontMatter { line: 2, .. })));
    }

    #[test]
    fn aliases_are_expanded_within_a_budget() {
        let (_, fm) = parse("---\nbase: &b [x, y]\nref: *b\ntag: !t [*b]\n---\n");
        let fm = fm.unwrap();
        assert_eq!(fm.get("ref"), fm.get("base"));
        let items = vec!["x"; 2_000].join(", ");
        let refs = vec!["*w"; 2_000].join(", ");
        let (_, fm) = parse(&format!("---\na: 1\nw: &w [{items}]\nb: [{refs}]\n---\n"));
        match fm {
            Err(Error::FrontMatter { message, .. }) => {
                assert!(message.contains("through aliases"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn flat_front_matter_reads_as_the_yaml_library_reads_it() {
        let keys = ["a", "title", "b_c", "x-1", "true", "null", "y", "_"];
        let values = [
            "",
            " ",
            " x",
            " 夸克说",
            " 'q'",
            " ''",
            " 'it''s'",
            " '''",
            " 'a' b",
            " \"d\"",
            " \"a\\n\"",
            " \"\"",
            " []",
            " [] ",
            " [ ]",
            " [a]",
            " {}",
            " ~",
            " null",
            " NULL",
            " true",
            " False",
            " yes",
            " 1",
            " 0x1",
            " 01",
            " .5",
            " -1",
            " +1",
            " inf",
            " .inf",
            " nan",
            " a: b",
            " a:",
            " a #c",
            " a#c",
            " http://x.y/#z",
            " 《三体》",
            " a b  ",
            "   spaced",
            " &a x",
            " *a",
            " !t x",
            " |",
            " >",
            " -x",
            " ?x",
            " :x",
            " %x",
            " @x",
            " `x",
            " a'b",
            " a\"b",
            " \u{3000}x",
            " x\u{3000}",
            " é",
            " a,b",
            " [x]y",
            " x\t",
            "\tx",
            "x",
            " -",
            " - a",
            " =",
            " <<",
            " e5",
            " 1e5",
            " 2026-06-06",
            " 2026 VPN",
            " 1 2",
            " +x y",
            " .x y",
            " 3.5折",
            " 1e5 x",
            " 0x1F",
            " 5G网络",
            " +.5",
            " 1_0",
            " 0o7",
            " -.inf",
            " .NaN",
            " 1.",
            " +",
            " .",
            " ...",
            " 1:2",
            " 1: 2",
            " 1 #c",
        ];
        let mut docs: Vec<String> = Vec::new();
        for key in keys {
            for value in values {
                docs.push(format!("{key}:{value}\n"));
                docs.push(format!("{key}:{value}\r\nz: 1\r\n"));
                docs.push(format!("{key}:{value}\r\nz: w\r\n"));
            }
        }
        let lines = [
            "a:", "a: x", "b:", "b: 'y'", "- i", "  - i", " - i", "- 'j'", "-", "- ", "- 1",
            "- a: b", "- - a", "-a", "  - ~", "- []", "", "  ", "# c", "  x", "  y: z", "---",
            "a : b", "a:b", "c: d\re", "- \u{85}", "b: z",
        ];
        for first in lines {
            for second in lines {
                for third in lines {
                    docs.push(format!("{first}\n{second}\n{third}\n"));
                }
            }
        }
        let draft = concat!(
            "author: 夸克说\ndate: '2026-06-06'\nguest: ''\nlayout: post.njk\n",
            "source: https://www.youtube.com/watch?v=--kMncMjFZw\ntags: []\n",
            "title: AI时代的教育黄昏：高考退场与“地零世界”的崛起\ndraft: true\n",
            "people:\n  - 张雪峰\n  - 'O''Brien'\nstatus: evergreen\n",
        );
        docs.push(draft.to_owned());
        let mut read = 0;
        for doc in &docs {
            if let Some(map) = flat::mapping(doc) {
                read += 1;
                let library = serde_yaml_ng::from_str::<Value>(doc);
                assert_eq!(library.ok(), Some(Value::Mapping(map)), "{doc:?}");
            }
        }
        assert!(flat::mapping(draft).is_some());
        assert!(read > 500, "{read} of {}", docs.len());
    }

    proptest::proptest! {
        // Most random documents fall outside the subset; enough cases that a few thousand land
        // in it (it takes well under a second).
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        /// Random front matter built from the lines posts have and the characters YAML treats
        /// specially: whatever the subset reader accepts, the library reads the same way.
        #[test]
        fn flat_reader_never_disagrees_with_the_library(
            lines in proptest::collection::vec(
                proptest::prop_oneof![
                    "[a-c_][a-c0-9_-]{0,2}:( [ -~中“《]{0,10})?",
                    "[a-c]{1,2}: [a-z0-9中 .:#-]{0,8}",
                    "[a-c]{1,2}: ['\"][ -~中]{0,6}['\"]?",
                    " {0,3}-( [ -~中]{0,8})?",
                    "  - [a-z0-9中 .:#'-]{0,6}",
                    "[ #a-c:-]{0,6}",
                ],
                1..8,
            ),
            crlf in proptest::bool::ANY,
        ) {
            let nl = if crlf { "\r\n" } else { "\n" };
            let doc: String = lines.iter().map(|l| format!("{l}{nl}")).collect();
            if let Some(map) = flat::mapping(&doc) {
                let library = serde_yaml_ng::from_str::<Value>(&doc);
                proptest::prop_assert_eq!(library.ok(), Some(Value::Mapping(map)), "{:?}", doc);
            }
        }
    }

    #[test]
    fn unusual_chars_are_found_as_a_search_over_chars_finds_them() {
        let unusual = |c: char| {
            (c.is_control() && c != '\n' && c != '\r')
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                )
        };
        for text in crate::probe::every_string("a\n\r\t\u{7f}\u{80}\u{85}\u{9f}\u{a0}é", 2)
            .into_iter()
            .chain(crate::probe::every_string(
                "\u{2027}\u{2028}\u{2029}\u{202a}中",
                2,
            ))
            .chain(crate::probe::every_string(
                "\u{feff}\u{fffe}\u{ffff}\u{fefe}\u{fffd}\u{ff00}",
                2,
            ))
        {
            assert_eq!(
                flat::has_unusual_char(&text),
                text.chars().any(unusual),
                "{text:?}"
            );
        }
    }

    #[test]
    fn duplicate_keys_are_an_error() {
        let (_, fm) = parse("---\na: 1\na: 2\n---\n");
        assert!(fm.is_err());
    }
}
