//! A dictionary entry exactly as written in a file, before any check, and the lines entries start on. Shared by the loader and by
//! the build script that precompiles the shipped dictionaries (`src/build.rs` includes this file),
//! so the two can never disagree on what an entry may hold.

use serde::Deserialize;

/// An entry as written in a file; unknown keys are an error.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEntry {
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
    #[serde(default)]
    pub(crate) ambiguous: Vec<String>,
    #[serde(default)]
    pub(crate) prior: Option<f64>,
    #[serde(default)]
    pub(crate) count: Option<u64>,
    #[serde(default)]
    pub(crate) case_sensitive: bool,
    #[serde(default)]
    pub(crate) note: Option<String>,
}

/// The 1-based lines of the top-level sequence items (`- name: …` at column 0), in order; serde
/// gives no positions, so this is how an entry's error finds its line.
pub(crate) fn item_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            line.starts_with('-') && (line.len() == 1 || line[1..].starts_with([' ', '\t']))
        })
        .map(|(i, _)| i + 1)
        .collect()
}
