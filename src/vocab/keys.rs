//! The search keys of dictionary names: how a surface form is normalized, when it matches with
//! its exact case, and how keys group into the patterns of the matcher's search. Shared by the
//! loader, the matcher and the build script (`src/build.rs` includes this file), so the search
//! precompiled for the shipped dictionaries and the one built at run time for `--dictionaries`
//! layers cannot disagree.

use std::borrow::Cow;
use std::collections::BTreeMap;

use unicode_normalization::UnicodeNormalization;

/// Whether a character is a Han ideograph.
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{2ebef}' | '〇')
}

/// Whether text holds a Han character.
pub fn has_han(text: &str) -> bool {
    text.chars().any(is_han)
}

/// Normalizes text for matching: NFKC (full-width to half-width), one kind of middle dot and of
/// apostrophe, inner whitespace collapsed to one space, trimmed.
pub fn normalize(text: &str) -> String {
    normalized(text).into_owned()
}

/// [`normalize`], borrowing `text` when it is already normal, as most names and labels are: a
/// post's bold spans and looked-up names are normalized only to be read.
pub fn normalized(text: &str) -> Cow<'_, str> {
    if is_normal(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_folded(c, &mut out);
    }
    let mut collapsed = String::with_capacity(out.len());
    for word in out.split_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    Cow::Owned(collapsed)
}

/// Whether [`normalize`] leaves `text` as it is, by a cheap test that holds for most names and
/// labels: every character is its own normal form (ASCII, Han, common CJK punctuation), and
/// the only whitespace is single spaces between other characters.
pub(crate) fn is_normal(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') {
        return false;
    }
    let mut after_space = false;
    text.chars().all(|c| {
        let space = c == ' ';
        let ok = if space {
            !after_space
        } else {
            (c.is_ascii() && !c.is_ascii_whitespace() && c != '\x0b')
                || ('\u{4e00}'..='\u{9fff}').contains(&c)
                || is_stable_punctuation(c)
        };
        after_space = space;
        ok
    })
}

/// Appends the normalized form of one character (NFKC plus the dot and apostrophe folds); the
/// matcher calls this per character so it can map positions back to the original text.
pub fn push_folded(c: char, out: &mut String) {
    // ASCII, the CJK Unified Ideographs block and the common CJK punctuation are their own NFKC
    // form, and the full-width forms of ASCII (`，`, `：`, `（`) are ASCII shifted; they are
    // nearly all of a post, so they skip the decomposition tables (`folds_match_nfkc` checks).
    if c.is_ascii() || ('\u{4e00}'..='\u{9fff}').contains(&c) || is_stable_punctuation(c) {
        out.push(c);
        return;
    }
    if let Some(ascii) = (c as u32).checked_sub(0xfee0).filter(|_| c <= '\u{ff5e}') {
        if let Some(ascii) = char::from_u32(ascii).filter(char::is_ascii_graphic) {
            out.push(fold_punctuation(ascii));
            return;
        }
    }
    push_folded_nfkc(c, out);
}

/// [`push_folded`] by the decomposition tables, for any character.
fn push_folded_nfkc(c: char, out: &mut String) {
    for n in std::iter::once(c).nfkc() {
        out.push(fold_punctuation(n));
    }
}

/// The folds after NFKC.
fn fold_punctuation(c: char) -> char {
    match c {
        // Chinese names write the middle dot in several ways: 唐纳德·特朗普, 唐纳德•特朗普.
        '•' | '‧' | '・' | '･' | '∙' | '⋅' => '·',
        '’' | '‘' | '`' => '\'',
        other => other,
    }
}

/// Punctuation common in Chinese posts that normalization keeps as it is (`。`, `、`, `“`, `《`,
/// `—`, `·`): not whitespace, not alphanumeric, not a combining mark, so the matcher copies it
/// like ASCII (`stable_punctuation_is_stable` checks).
pub(crate) fn is_stable_punctuation(c: char) -> bool {
    matches!(
        c,
        '\u{b7}'
            | '\u{2010}'
            | '\u{2012}'..='\u{2016}'
            | '\u{201c}'
            | '\u{201d}'
            | '\u{3001}'..='\u{3003}'
            | '\u{3008}'..='\u{3011}'
            | '\u{3014}'..='\u{301f}'
    )
}

/// The fewest ASCII letters an alias that matches ignoring case has; see [`is_exact_case`].
pub(crate) const CASELESS_MIN_LETTERS: usize = 4;

/// Whether an alias must match with its exact case: the entry says so, or the alias has three
/// letters or fewer (`AI`, `US`) or is written in capitals (`NATO`), where case carries meaning.
pub fn is_exact_case(alias: &str, case_sensitive: bool) -> bool {
    let letters = alias.chars().filter(char::is_ascii_alphabetic).count();
    case_sensitive
        || letters < CASELESS_MIN_LETTERS
        || alias
            .chars()
            .filter(char::is_ascii_alphabetic)
            .all(|c| c.is_ascii_uppercase())
}

/// One distinct search key of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EntryKey {
    /// The normalized form; ASCII-lowercased when it matches case-insensitively.
    pub(crate) key: String,
    pub(crate) exact: bool,
    pub(crate) han: bool,
    pub(crate) ambiguous: bool,
}

/// The distinct keys of one entry's surface forms (name first), in order.
pub(crate) fn entry_keys<'a>(
    forms: impl Iterator<Item = &'a str>,
    ambiguous: &[String],
    case_sensitive: bool,
) -> Vec<EntryKey> {
    let ambiguous: Vec<String> = ambiguous.iter().map(|a| normalize(a)).collect();
    let mut keys: Vec<EntryKey> = Vec::new();
    for form in forms {
        let norm = normalize(form);
        let exact = is_exact_case(&norm, case_sensitive);
        let key = if exact {
            norm.clone()
        } else {
            norm.to_ascii_lowercase()
        };
        if keys.iter().any(|k| k.key == key && k.exact == exact) {
            continue;
        }
        keys.push(EntryKey {
            han: has_han(&key),
            ambiguous: ambiguous.contains(&norm),
            key,
            exact,
        });
    }
    keys
}

/// One pattern of the search: the entries its key names and how it must align.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PatternSpec {
    pub(crate) entries: Vec<u32>,
    pub(crate) han: bool,
    pub(crate) ambiguous: bool,
}

/// The matcher's one search, which scans ASCII-lowercased text: its keys (sorted, distinct;
/// a key's index is the value the scan reports), the patterns each key stands for (key `i`
/// stands for `group_ids[group_starts[i]..group_starts[i + 1]]`), and the patterns. A pattern
/// with a `case` key matches only where the text as written reads exactly that (an exact-case
/// alias); the others ignore ASCII case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SearchSpec {
    pub(crate) keys: Vec<String>,
    pub(crate) group_starts: Vec<u32>,
    pub(crate) group_ids: Vec<u32>,
    pub(crate) patterns: Vec<(PatternSpec, Option<String>)>,
}

/// Merges the exact-case and the folded pattern sets of [`pattern_sets`] into one search:
/// exact patterns first, then folded ones, and in a key's group the exact patterns come first.
/// Scanning lowered text once and checking the case of exact hits finds what scanning the text
/// with the exact keys and the lowered text with the folded keys finds, in that order per span.
pub(crate) fn search_spec(sets: [(Vec<String>, Vec<PatternSpec>); 2]) -> SearchSpec {
    let [(exact_keys, exact), (folded_keys, folded)] = sets;
    let mut groups: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut patterns = Vec::with_capacity(exact.len() + folded.len());
    for (key, pattern) in exact_keys.into_iter().zip(exact) {
        let id = u32::try_from(patterns.len()).expect("fewer than 4 billion patterns");
        groups.entry(key.to_ascii_lowercase()).or_default().push(id);
        patterns.push((pattern, Some(key)));
    }
    for (key, pattern) in folded_keys.into_iter().zip(folded) {
        let id = u32::try_from(patterns.len()).expect("fewer than 4 billion patterns");
        groups.entry(key).or_default().push(id);
        patterns.push((pattern, None));
    }
    let mut group_starts = vec![0];
    let mut group_ids = Vec::with_capacity(patterns.len());
    let mut keys = Vec::with_capacity(groups.len());
    for (key, ids) in groups {
        keys.push(key);
        group_ids.extend(ids);
        group_starts.push(u32::try_from(group_ids.len()).expect("fewer than 4 billion patterns"));
    }
    SearchSpec {
        keys,
        group_starts,
        group_ids,
        patterns,
    }
}

/// The keys (sorted) and patterns of the exact-case aliases and of the ASCII-case-folded ones,
/// from `(key, entry, exact, han, ambiguous)` per alias in entry order; a pattern's index in its
/// set is its key's.
pub(crate) fn pattern_sets<'a>(
    aliases: impl Iterator<Item = (&'a str, u32, bool, bool, bool)>,
) -> [(Vec<String>, Vec<PatternSpec>); 2] {
    let mut exact: BTreeMap<&str, PatternSpec> = BTreeMap::new();
    let mut folded: BTreeMap<&str, PatternSpec> = BTreeMap::new();
    for (key, entry, is_exact, han, ambiguous) in aliases {
        let map = if is_exact { &mut exact } else { &mut folded };
        let pattern = map.entry(key).or_insert_with(|| PatternSpec {
            entries: Vec::new(),
            han,
            ambiguous: false,
        });
        if !pattern.entries.contains(&entry) {
            pattern.entries.push(entry);
        }
        pattern.ambiguous |= ambiguous;
    }
    let unzip = |map: BTreeMap<&str, PatternSpec>| {
        map.into_iter()
            .map(|(key, pattern)| (key.to_owned(), pattern))
            .unzip()
    };
    [unzip(exact), unzip(folded)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_match_nfkc() {
        let (mut fast, mut slow) = (String::new(), String::new());
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            fast.clear();
            slow.clear();
            push_folded(c, &mut fast);
            // The fold before the fast paths for punctuation: ASCII and Han as they are.
            if c.is_ascii() || ('\u{4e00}'..='\u{9fff}').contains(&c) {
                slow.push(c);
            } else {
                push_folded_nfkc(c, &mut slow);
            }
            assert_eq!(fast, slow, "{c:?}");
        }
    }

    /// [`normalize`] without the shortcut for text already normal.
    fn normalize_in_full(text: &str) -> String {
        let mut out = String::new();
        for c in text.chars() {
            push_folded(c, &mut out);
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn normal_text_is_recognized_exactly() {
        let texts = crate::probe::every_string(
            " a1Z中。“\t\n\x0b\x0c\r\u{a0}\u{3000}（，’·•é\u{301}\x1f",
            4,
        );
        for text in texts {
            assert_eq!(normalize(&text), normalize_in_full(&text), "{text:?}");
            // Borrowed exactly when the text is normal.
            let cow = normalized(&text);
            assert_eq!(cow, normalize_in_full(&text), "{text:?}");
            assert_eq!(
                matches!(cow, Cow::Borrowed(_)),
                is_normal(&text),
                "{text:?}"
            );
        }
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let text = format!("a{c}b");
            if is_normal(&text) {
                assert_eq!(normalize_in_full(&text), text, "{c:?}");
            }
        }
    }

    #[test]
    fn stable_punctuation_is_stable() {
        let mut out = String::new();
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            if is_stable_punctuation(c) {
                out.clear();
                push_folded_nfkc(c, &mut out);
                assert_eq!(out, c.to_string(), "{c:?}");
                assert!(!c.is_whitespace() && !c.is_alphanumeric(), "{c:?}");
                assert!(!unicode_normalization::char::is_combining_mark(c), "{c:?}");
            }
        }
    }
}
