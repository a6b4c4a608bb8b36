//! Precompiles the shipped dictionaries (`dictionaries/*.yaml`, the human-edited source of truth)
//! into a compact binary table that the binary embeds, so a run does not parse 700 KB of YAML at
//! every start. `src/vocab/compiled.rs` reads the table; a test checks it against the YAML loader.
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
const MAGIC: &[u8; 8] = b"FFVOCAB1";

#[path = "vocab/raw.rs"]
mod raw;
use raw::{item_lines, RawEntry};

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    println!("cargo:rerun-if-changed=src/build.rs");
    println!("cargo:rerun-if-changed=src/vocab/raw.rs");
    let mut table = MAGIC.to_vec();
    for name in FILES {
        let path = root.join("dictionaries").join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        let compiled = fs::read_to_string(&path)
            .ok()
            .and_then(|text| compile(&text, &mut table));
        if compiled.is_none() {
            table.clear();
            break;
        }
    }
    fs::write(out.join("shipped_vocabulary.bin"), table).expect("OUT_DIR is writable");
    compile_topics(&root, &out);
}

/// Appends one file's entries; `None` when the file does not parse.
fn compile(text: &str, table: &mut Vec<u8>) -> Option<()> {
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
    Some(())
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
    use std::collections::{BTreeMap, BTreeSet};
    use topic_entries::{TagEntry, Taxonomy};

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
    let keywords: BTreeSet<&str> = tags
        .iter()
        .flat_map(|t| t.triggers.keys())
        .chain(taxonomy.categories.iter().flat_map(|c| c.triggers.keys()))
        .chain(taxonomy.areas.iter().flat_map(|a| a.triggers.keys()))
        .map(String::as_str)
        .collect();
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
