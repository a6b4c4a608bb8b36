//! The controlled vocabulary: canonical names for the four entity fields with their aliases in
//! either language, learned priors and curator notes, plus the alias index the matcher is built
//! from. Loading and validation live in [`load`], the normalized file form in [`format`], and
//! learning it from tagged posts in [`learn`].

pub(crate) mod compiled;
pub mod format;
pub(crate) mod keys;
pub mod learn;
pub mod load;
mod raw;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use crate::field::Field;

pub use keys::{has_han, is_exact_case, normalize, normalized, push_folded};
pub use load::{Source, SHIPPED};

/// The prior an entry gets when its file does not give one.
pub const DEFAULT_PRIOR: f64 = 0.5;

/// The four fields a vocabulary fills, in the order their files are read.
pub const FIELDS: [Field; 4] = [
    Field::People,
    Field::CompaniesOrgs,
    Field::ProductsModels,
    Field::MediaBooks,
];

/// The index of an entry in its [`Vocabulary`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntryId(pub u32);

/// Where an entry was read from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The dictionary file.
    pub path: PathBuf,
    /// The 1-based line of the entry's `- name:`.
    pub line: usize,
}

/// One canonical name with everything known about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The field the name is written to.
    pub field: Field,
    /// The canonical name, written verbatim.
    pub name: String,
    /// Other surface forms as written in the file (the name is implicitly one too).
    pub aliases: Vec<String>,
    /// Aliases that other entries may claim too.
    pub ambiguous: Vec<String>,
    /// The learned precision prior, when the file gives one.
    pub prior: Option<f64>,
    /// How many learning posts carried this entry, when the file gives it.
    pub count: Option<u64>,
    /// Whether Latin aliases match only with their exact case.
    pub case_sensitive: bool,
    /// Free text for curators.
    pub note: Option<String>,
    /// Where the entry was read.
    pub origin: Origin,
}

impl Entry {
    /// The learned precision prior, or [`DEFAULT_PRIOR`].
    pub fn prior(&self) -> f64 {
        self.prior.unwrap_or(DEFAULT_PRIOR)
    }

    /// The name followed by the aliases, as written.
    pub fn surface_forms(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// A searchable surface form of one entry, normalized for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    /// The normalized form (NFKC, single spaces); lowercased when it matches case-insensitively.
    pub key: String,
    /// The entry it names.
    pub entry: EntryId,
    /// Whether it must match with its exact case.
    pub exact: bool,
    /// Whether it holds Han characters (matched on jieba token boundaries).
    pub han: bool,
    /// Whether the entry lists it as ambiguous.
    pub ambiguous: bool,
}

/// Counts for one loaded dictionary file (`vocab check`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCounts {
    /// The file.
    pub path: PathBuf,
    /// The field it fills.
    pub field: Field,
    /// Entries read from it.
    pub entries: usize,
    /// Surface forms (names and aliases) read from it.
    pub aliases: usize,
    /// Entries of earlier layers it replaced.
    pub replaced: usize,
}

/// The loaded and validated vocabulary of a run.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    entries: Vec<Entry>,
    aliases: Vec<Alias>,
    files: Vec<FileCounts>,
    /// ASCII-lowercased alias key to the entries claiming it, made on the first lookup.
    index: OnceLock<BTreeMap<String, Vec<EntryId>>>,
    /// Whether this is exactly the shipped vocabulary, whose matcher automata and jieba words
    /// were precompiled by the build.
    shipped: bool,
}

impl Vocabulary {
    /// Every entry, in load order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry with this id.
    pub fn entry(&self, id: EntryId) -> &Entry {
        &self.entries[id.0 as usize]
    }

    /// Every alias (names included), one per entry and normalized form.
    pub fn aliases(&self) -> &[Alias] {
        &self.aliases
    }

    /// Counts per file read, in load order.
    pub fn files(&self) -> &[FileCounts] {
        &self.files
    }

    /// Number of entries per field.
    pub fn counts(&self) -> BTreeMap<Field, usize> {
        let mut counts = BTreeMap::new();
        for entry in &self.entries {
            *counts.entry(entry.field).or_insert(0) += 1;
        }
        counts
    }

    /// The aliases with Han characters, for jieba's user dictionary (sorted, deduplicated).
    pub fn han_words(&self) -> Vec<String> {
        let mut words: Vec<String> = self
            .aliases
            .iter()
            .filter(|a| a.han)
            .map(|a| a.key.clone())
            .collect();
        words.sort();
        words.dedup();
        words
    }

    /// The entries whose normalized name or alias equals `text` (compared case-insensitively).
    pub fn lookup(&self, text: &str) -> Vec<EntryId> {
        if self.shipped {
            return compiled::shipped_lookup(&normalized(text).to_ascii_lowercase());
        }
        let index = self.index.get_or_init(|| {
            let mut index: BTreeMap<String, Vec<EntryId>> = BTreeMap::new();
            for alias in &self.aliases {
                let ids = index.entry(alias.key.to_ascii_lowercase()).or_default();
                if !ids.contains(&alias.entry) {
                    ids.push(alias.entry);
                }
            }
            index
        });
        index
            .get(&normalized(text).to_ascii_lowercase())
            .cloned()
            .unwrap_or_default()
    }

    /// Whether this is exactly the shipped vocabulary (no `--dictionaries` layer), for which the
    /// build precompiled the matcher's automata and jieba's words.
    pub fn is_shipped(&self) -> bool {
        self.shipped
    }

    /// Whether no entry is loaded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_width_dots_and_spaces() {
        assert_eq!(normalize("  ＯｐｅｎＡＩ  "), "OpenAI");
        assert_eq!(normalize("唐纳德•特朗普"), "唐纳德·特朗普");
        assert_eq!(
            normalize("Man’s  Search\tfor Meaning"),
            "Man's Search for Meaning"
        );
    }

    #[test]
    fn case_rules() {
        assert!(is_exact_case("AI", false));
        assert!(is_exact_case("iOS", false));
        assert!(is_exact_case("NATO", false));
        assert!(is_exact_case("GPT-4", false));
        assert!(!is_exact_case("OpenAI", false));
        assert!(!is_exact_case("Meta", false));
        assert!(is_exact_case("Meta", true));
    }
}
