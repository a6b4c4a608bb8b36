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
