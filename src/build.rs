//! Precompiles the shipped dictionaries (`dictionaries/*.yaml`, the human-edited source of truth)
//! into a compact binary table that the binary embeds, so a run does not parse 700 KB of YAML at
//! every start: the entries, their search keys, and the matcher's patterns and distinct keys, so a
//! run with the shipped vocabulary parses and groups none of them. It also
//! writes jieba's dictionary with the shipped Han aliases already added (`shipped_jieba.txt`), at
//! the frequencies `Jieba::add_word` gives them, so the segmenter adds no words at start-up.
//! `src/vocab/compiled.rs` reads the table; tests check it against the YAML loader and the
//! matcher and the dictionary against those built at run time.
//!
//! A file that does not parse here produces no table at all: the binary then falls back to the
//! YAML loader, which reports the error with its file and line (`tests/dictionaries.rs`), rather
//! than the build failing with a less helpful message.

use std::fs;
use std::path::PathBuf;

/// The shipped files, in the order of `vocab::load::SHIPPED`.
const FILES: [&str; 4] = [
    "people.yaml",
    "companies_orgs.yaml",
    "products_models.yaml",
    "media_books.yaml",
];

/// Bumped with any change to the layout below; `src/vocab/compiled.rs` checks it.
const MAGIC: &[u8; 8] = b"FFVOCAB3";

#[path = "vocab/raw.rs"]
mod raw;
use raw::{item_lines, RawEntry};

#[path = "vocab/keys.rs"]
#[allow(dead_code)]
mod keys;
use keys::{entry_keys, pattern_sets, search_spec};

use jieba_rs::Jieba;

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    println!("cargo:rerun-if-changed=src/build.rs");
    println!("cargo:rerun-if-changed=src/vocab/raw.rs");
    println!("cargo:rerun-if-changed=src/vocab/keys.rs");
    let jieba_path = root.join("dictionaries/jieba/dict.txt");
    println!("cargo:rerun-if-changed={}", jieba_path.display());
    let mut table = MAGIC.to_vec();
    let mut all: Vec<RawEntry> = Vec::new();
    for name in FILES {
        let path = root.join("dictionaries").join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        let compiled = fs::read_to_string(&path)
            .ok()
            .and_then(|text| compile(&text, &mut table));
        match compiled {
            Some(entries) => all.extend(entries),
            None => {
                table.clear();
                all.clear();
                break;
            }
        }
    }
    let mut han_words = Vec::new();
    let mut matcher = Vec::new();
    let mut lookup = Vec::new();
    if !table.is_empty() {
        matcher.extend_from_slice(MAGIC);
        lookup.extend_from_slice(MAGIC);
        han_words = compile_keys(&all, &mut table, &mut matcher, &mut lookup);
    }
    fs::write(out.join("shipped_vocabulary.bin"), table).expect("OUT_DIR is writable");
    fs::write(out.join("shipped_matcher.bin"), matcher).expect("OUT_DIR is writable");
    fs::write(out.join("shipped_lookup.bin"), lookup).expect("OUT_DIR is writable");
    let trimmed = fs::read_to_string(&jieba_path).expect("dictionaries/jieba/dict.txt is readable");
    fs::write(
        out.join("shipped_jieba.txt"),
        merge_jieba(&trimmed, &han_words),
    )
    .expect("OUT_DIR is writable");
    compile_topics(&root, &out);
}

/// Appends the search keys of every shipped entry (the built-in layer alone, so ids are
/// positions) to the vocabulary table, the patterns, key groups and distinct keys of the
/// matcher's one search (see `keys::search_spec`) to the matcher table, and the lookup index to
/// its own;
/// returns the Han keys, sorted and
/// deduplicated (jieba's extra words).
fn compile_keys(
    entries: &[RawEntry],
    table: &mut Vec<u8>,
    matcher: &mut Vec<u8>,
    lookup: &mut Vec<u8>,
) -> Vec<String> {
    let mut aliases = Vec::new();
    for (id, entry) in entries.iter().enumerate() {
        let forms =
            std::iter::once(entry.name.as_str()).chain(entry.aliases.iter().map(String::as_str));
        for key in entry_keys(forms, &entry.ambiguous, entry.case_sensitive) {
            aliases.push((
                key,
                u32::try_from(id).expect("fewer than 4 billion entries"),
            ));
        }
    }
    put_u32(table, aliases.len());
    for (key, id) in &aliases {
        put_str(table, &key.key);
        table.extend_from_slice(&id.to_le_bytes());
        table.push(u8::from(key.exact) | u8::from(key.han) << 1 | u8::from(key.ambiguous) << 2);
    }
    // `Vocabulary::lookup`: ASCII-lowercased key to its entries, sorted for a binary search
    // straight in the embedded bytes.
    let mut index: std::collections::BTreeMap<String, Vec<u32>> = Default::default();
    for (key, id) in &aliases {
        let ids = index.entry(key.key.to_ascii_lowercase()).or_default();
        if !ids.contains(id) {
            ids.push(*id);
        }
    }
    let mut records = Vec::new();
    put_u32(lookup, index.len());
    for (key, ids) in &index {
        put_u32(lookup, records.len());
        put_str(&mut records, key);
        put_u32(&mut records, ids.len());
        for id in ids {
            records.extend_from_slice(&id.to_le_bytes());
        }
    }
    lookup.extend_from_slice(&records);
    let search = search_spec(pattern_sets(
        aliases
            .iter()
            .map(|(k, id)| (k.key.as_str(), *id, k.exact, k.han, k.ambiguous)),
    ));
    put_u32(matcher, search.patterns.len());
    for (pattern, case) in &search.patterns {
        matcher.push(
            u8::from(pattern.han)
                | u8::from(pattern.ambiguous) << 1
                | u8::from(case.is_some()) << 2,
        );
        if let Some(case) = case {
            put_str(matcher, case);
        }
        put_u32(matcher, pattern.entries.len());
        for id in &pattern.entries {
            matcher.extend_from_slice(&id.to_le_bytes());
        }
    }
    for list in [&search.group_starts, &search.group_ids] {
        put_u32(matcher, list.len());
        for n in list {
            matcher.extend_from_slice(&n.to_le_bytes());
        }
    }
    put_u32(matcher, search.keys.len());
    for key in &search.keys {
        put_str(matcher, key);
    }
    let mut han: Vec<String> = aliases
        .into_iter()
        .filter(|(k, _)| k.han)
        .map(|(k, _)| k.key)
        .collect();
    han.sort();
    han.dedup();
    han
}

/// jieba's trimmed dictionary after `add_word(word, None, None)` for each Han word in order, as a
/// dictionary text: words it had keep their line with the new frequency, new words follow. A word
/// with a space cannot be a dictionary line; those come last as `word<TAB>frequency` after a
/// `\n\n` separator, for `add_word` with that frequency at run time.
fn merge_jieba(trimmed: &str, words: &[String]) -> String {
    let mut jieba =
        Jieba::with_dict(&mut trimmed.as_bytes()).expect("the trimmed dictionary loads");
    let mut freqs: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut added: Vec<&str> = Vec::new();
    for word in words {
        let known = jieba.has_word(word);
        let freq = jieba.add_word(word, None, None);
        if freqs.insert(word.as_str(), freq).is_none() && !known {
            added.push(word);
        }
    }
    let mut out = String::with_capacity(trimmed.len() + words.len() * 16);
    for line in trimmed.lines() {
        let mut parts = line.split_whitespace();
        let Some(word) = parts.next() else { continue };
        match freqs.get(word) {
            Some(freq) => {
                let _freq = parts.next();
                out.push_str(word);
                out.push(' ');
                out.push_str(&freq.to_string());
                for rest in parts {
                    out.push(' ');
                    out.push_str(rest);
                }
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    let spaced: Vec<&&str> = added
        .iter()
        .filter(|w| w.contains(char::is_whitespace))
        .collect();
    for word in added.iter().filter(|w| !w.contains(char::is_whitespace)) {
        out.push_str(&format!("{word} {}\n", freqs[word]));
    }
    out.push('\n');
    for word in spaced {
        out.push_str(&format!("{word}\t{}\n", freqs[*word]));
    }
    out
}

/// Appends one file's entries and returns them; `None` when the file does not parse.
fn compile(text: &str, table: &mut Vec<u8>) -> Option<Vec<RawEntry>> {
    let entries: Option<Vec<RawEntry>> = serde_yaml_ng::from_str(text).ok()?;
    let entries = entries.unwrap_or_default();
    let lines = item_lines(text);
    if lines.len() != entries.len() {
        return None;
    }
    put_u32(table, entries.len());
    for (entry, line) in entries.iter().zip(lines) {
        put_str(table, &entry.name);
        put_list(table, &entry.aliases);
        put_list(table, &entry.ambiguous);
        let flags = u8::from(entry.prior.is_some())
            | u8::from(entry.count.is_some()) << 1
            | u8::from(entry.case_sensitive) << 2
            | u8::from(entry.note.is_some()) << 3;
        table.push(flags);
        if let Some(prior) = entry.prior {
            table.extend_from_slice(&prior.to_le_bytes());
        }
        if let Some(count) = entry.count {
            table.extend_from_slice(&count.to_le_bytes());
        }
        if let Some(note) = &entry.note {
            put_str(table, note);
        }
        put_u32(table, line);
    }
    Some(entries)
}

fn put_u32(table: &mut Vec<u8>, n: usize) {
    let n = u32::try_from(n).expect("dictionaries are far below 4 GiB");
    table.extend_from_slice(&n.to_le_bytes());
}

fn put_str(table: &mut Vec<u8>, s: &str) {
    put_u32(table, s.len());
    table.extend_from_slice(s.as_bytes());
}

fn put_list(table: &mut Vec<u8>, items: &[String]) {
    put_u32(table, items.len());
    for item in items {
        put_str(table, item);
    }
}

#[path = "topic/entries.rs"]
#[allow(dead_code)]
mod topic_entries;

/// Bumped with any change to the topic layout below; `src/topic/compiled.rs` checks it.
const TOPIC_MAGIC: &[u8; 8] = b"FFTOPIC1";

/// Precompiles `tags.yaml` and `taxonomy.yaml` into `shipped_topics.bin`: every trigger keyword
/// once (sorted, so ids follow the order the scorer adds contributions in), then each tag,
/// category and area with its triggers as keyword ids. What the model does not use (`count`,
/// `note`) is left out. Empty when a file does not parse: the YAML loader then says why.
fn compile_topics(root: &std::path::Path, out: &std::path::Path) {
    use std::collections::BTreeMap;
    use topic_entries::{trigger_keywords, TagEntry, Taxonomy};

    let read = |name: &str| {
        let path = root.join("dictionaries").join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        fs::read_to_string(path).ok()
    };
    println!("cargo:rerun-if-changed=src/topic/entries.rs");
    let tags: Option<Vec<TagEntry>> =
        read("tags.yaml").and_then(|t| serde_yaml_ng::from_str(&t).ok());
    let taxonomy: Option<Taxonomy> =
        read("taxonomy.yaml").and_then(|t| serde_yaml_ng::from_str(&t).ok());
    let (Some(tags), Some(taxonomy)) = (tags, taxonomy) else {
        fs::write(out.join("shipped_topics.bin"), []).expect("OUT_DIR is writable");
        return;
    };
    let keywords = trigger_keywords(&tags, &taxonomy);
    let ids: BTreeMap<&str, usize> = keywords.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let put_f32 = |table: &mut Vec<u8>, x: f32| table.extend_from_slice(&x.to_le_bytes());
    let put_weights = |table: &mut Vec<u8>, weights: &BTreeMap<String, f32>| {
        put_u32(table, weights.len());
        for (key, weight) in weights {
            put_str(table, key);
            put_f32(table, *weight);
        }
    };
    let put_triggers = |table: &mut Vec<u8>, triggers: &BTreeMap<String, f32>| {
        put_u32(table, triggers.len());
        for (key, weight) in triggers {
            put_u32(table, ids[key.as_str()]);
            put_f32(table, *weight);
        }
    };
    let mut table = TOPIC_MAGIC.to_vec();
    put_u32(&mut table, keywords.len());
    for keyword in &keywords {
        put_str(&mut table, keyword);
    }
    put_u32(&mut table, tags.len());
    for tag in &tags {
        put_str(&mut table, &tag.name);
        put_f32(&mut table, tag.bias);
        put_weights(&mut table, &tag.channels);
        put_triggers(&mut table, &tag.triggers);
        put_list(&mut table, &tag.aliases);
    }
    put_u32(&mut table, taxonomy.categories.len());
    for category in &taxonomy.categories {
        put_str(&mut table, &category.name);
        put_f32(&mut table, category.bias);
        put_weights(&mut table, &category.channels);
        put_triggers(&mut table, &category.triggers);
        put_weights(&mut table, &category.areas);
    }
    put_u32(&mut table, taxonomy.areas.len());
    for area in &taxonomy.areas {
        put_str(&mut table, &area.name);
        put_f32(&mut table, area.bias);
        put_weights(&mut table, &area.channels);
        put_triggers(&mut table, &area.triggers);
    }
    fs::write(out.join("shipped_topics.bin"), table).expect("OUT_DIR is writable");
}
