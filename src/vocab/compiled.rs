//! Reads the shipped dictionaries in the compact binary form that `src/build.rs` compiles from
//! `dictionaries/*.yaml`, so start-up decodes a table instead of parsing YAML: the entries, their
//! search keys, and the matcher's patterns and distinct keys. The entries are exactly what
//! the YAML loader reads and the keys exactly what it indexes (tests compare them), so none of the
//! loader's checks, alias collisions included, are repeated at start-up; `tests/dictionaries.rs`
//! runs them on the YAML.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::keys::{PatternSpec, SearchSpec};
use super::{Alias, Entry, EntryId, FileCounts, Origin, Vocabulary};
use crate::field::Field;

/// Must match `MAGIC` in `src/build.rs`.
const MAGIC: &[u8; 8] = b"FFVOCAB3";

static TABLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/shipped_vocabulary.bin"));
static MATCHER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/shipped_matcher.bin"));
static LOOKUP: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/shipped_lookup.bin"));

/// jieba's dictionary with the shipped Han aliases added: dictionary lines, a blank line, then
/// `word<TAB>frequency` for the words with a space (see `merge_jieba` in `src/build.rs`).
pub(crate) static JIEBA: &str = include_str!(concat!(env!("OUT_DIR"), "/shipped_jieba.txt"));

/// The shipped vocabulary alone, decoded from the table, or `None` when the build could not
/// compile it.
pub fn shipped_vocabulary() -> Option<Vocabulary> {
    let mut reader = Reader {
        bytes: TABLE.strip_prefix(MAGIC)?,
    };
    let mut files = Vec::with_capacity(super::SHIPPED.len());
    let mut entries = Vec::new();
    for (field, name, _) in super::SHIPPED {
        let path = PathBuf::from(format!("<built-in>/{name}"));
        let file = reader.file(field, &path)?;
        files.push(FileCounts {
            path,
            field,
            entries: file.len(),
            aliases: file.iter().map(|e| e.surface_forms().count()).sum(),
            replaced: 0,
        });
        entries.extend(file);
    }
    let aliases = reader.aliases()?;
    reader.is_done().then_some(Vocabulary {
        entries,
        aliases,
        files,
        index: OnceLock::new(),
        shipped: true,
    })
}

/// The search of the shipped vocabulary's matcher (patterns with their case keys and the key
/// groups and the distinct keys; see [`super::keys::search_spec`]).
pub(crate) fn shipped_search() -> Option<SearchSpec> {
    let mut reader = Reader {
        bytes: MATCHER.strip_prefix(MAGIC)?,
    };
    let search = reader.search()?;
    reader.is_done().then_some(search)
}

/// The entries of each shipped file, in the order of [`super::SHIPPED`], or `None` when the build
/// could not compile them (the YAML loader then reports why).
pub fn shipped_entries() -> Option<Vec<Vec<Entry>>> {
    let mut reader = Reader {
        bytes: TABLE.strip_prefix(MAGIC)?,
    };
    let mut files = Vec::with_capacity(super::SHIPPED.len());
    for (field, name, _) in super::SHIPPED {
        let path = PathBuf::from(format!("<built-in>/{name}"));
        files.push(reader.file(field, &path)?);
    }
    // The keys that follow are those of the built-in layer alone; a layered run indexes anew.
    reader.aliases()?;
    reader.is_done().then_some(files)
}

/// The shipped entries an ASCII-lowercased normalized key names, by binary search in the
/// embedded index (`u32` count, a `u32` offset per key into the records that follow, each record
/// a key and its entry ids, sorted by key), so the shipped vocabulary builds no index.
pub(crate) fn shipped_lookup(key: &str) -> Vec<EntryId> {
    let Some(table) = LOOKUP.strip_prefix(MAGIC) else {
        return Vec::new();
    };
    let mut head = Reader { bytes: table };
    let Some(n) = head.u32() else {
        return Vec::new();
    };
    let Some(offsets) = head.take(n * 4) else {
        return Vec::new();
    };
    let records = head.bytes;
    let record = |i: usize| -> Option<Reader<'static>> {
        let at = offsets.get(i * 4..i * 4 + 4)?;
        let at = u32::from_le_bytes(at.try_into().ok()?) as usize;
        Some(Reader {
            bytes: records.get(at..)?,
        })
    };
    let key_at = |i: usize| -> Option<&'static [u8]> {
        let mut reader = record(i)?;
        let len = reader.u32()?;
        reader.take(len)
    };
    let (mut low, mut high) = (0, n);
    while low < high {
        let mid = low + (high - low) / 2;
        match key_at(mid).map(|k| k.cmp(key.as_bytes())) {
            Some(std::cmp::Ordering::Less) => low = mid + 1,
            Some(std::cmp::Ordering::Greater) => high = mid,
            Some(std::cmp::Ordering::Equal) => {
                let ids = record(mid).and_then(|mut reader| {
                    let len = reader.u32()?;
                    reader.take(len)?;
                    let count = reader.u32()?;
                    (0..count)
                        .map(|_| reader.u32().and_then(|id| u32::try_from(id).ok()))
                        .map(|id| id.map(EntryId))
                        .collect::<Option<Vec<EntryId>>>()
                });
                return ids.unwrap_or_default();
            }
            None => return Vec::new(),
        }
    }
    Vec::new()
}

/// Reads the little-endian records `src/build.rs` writes. Every read past the end gives `None`,
/// so a table that does not decode leaves the caller to the YAML loader. The topic model's
/// table (`crate::topic::compiled`) is read with it too.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.bytes.len() < n {
            return None;
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Some(head)
    }

    pub(crate) fn u32(&mut self) -> Option<usize> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?) as usize)
    }

    pub(crate) fn f32(&mut self) -> Option<f32> {
        Some(f32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    /// Whether every byte was read.
    pub(crate) fn is_done(&self) -> bool {
        self.bytes.is_empty()
    }

    /// A length-prefixed UTF-8 string, borrowed from the table.
    pub(crate) fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()?;
        std::str::from_utf8(self.take(n)?).ok()
    }

    fn string(&mut self) -> Option<String> {
        self.str().map(str::to_owned)
    }
    fn aliases(&mut self) -> Option<Vec<Alias>> {
        let n = self.u32()?;
        let mut aliases = Vec::with_capacity(n);
        for _ in 0..n {
            let key = self.string()?;
            let entry = EntryId(u32::try_from(self.u32()?).ok()?);
            let flags = *self.take(1)?.first()?;
            aliases.push(Alias {
                key,
                entry,
                exact: flags & 1 != 0,
                han: flags & 2 != 0,
                ambiguous: flags & 4 != 0,
            });
        }
        Some(aliases)
    }

    fn search(&mut self) -> Option<SearchSpec> {
        let n = self.u32()?;
        let mut patterns = Vec::with_capacity(n);
        for _ in 0..n {
            let flags = *self.take(1)?.first()?;
            let case = if flags & 4 != 0 {
                Some(self.string()?)
            } else {
                None
            };
            let entries = self.ids()?;
            patterns.push((
                PatternSpec {
                    entries,
                    han: flags & 1 != 0,
                    ambiguous: flags & 2 != 0,
                },
                case,
            ));
        }
        let group_starts = self.ids()?;
        let group_ids = self.ids()?;
        let keys = self.list()?;
        Some(SearchSpec {
            keys,
            group_starts,
            group_ids,
            patterns,
        })
    }

    /// A count, then that many `u32`s.
    fn ids(&mut self) -> Option<Vec<u32>> {
        let count = self.u32()?;
        let bytes = self.take(count.checked_mul(4)?)?;
        Some(
            bytes
                .chunks_exact(4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
        )
    }

    fn list(&mut self) -> Option<Vec<String>> {
        let n = self.u32()?;
        (0..n).map(|_| self.string()).collect()
    }

    fn file(&mut self, field: Field, path: &Path) -> Option<Vec<Entry>> {
        let n = self.u32()?;
        let mut entries = Vec::with_capacity(n);
        for _ in 0..n {
            let name = self.string()?;
            let aliases = self.list()?;
            let ambiguous = self.list()?;
            let flags = *self.take(1)?.first()?;
            let prior = if flags & 1 != 0 {
                Some(f64::from_bits(self.u64()?))
            } else {
                None
            };
            let count = if flags & 2 != 0 {
                Some(self.u64()?)
            } else {
                None
            };
            let note = if flags & 8 != 0 {
                Some(self.string()?)
            } else {
                None
            };
            let line = self.u32()?;
            entries.push(Entry {
                field,
                name,
                aliases,
                ambiguous,
                prior,
                count,
                case_sensitive: flags & 4 != 0,
                note,
                origin: Origin {
                    path: path.to_path_buf(),
                    line,
                },
            });
        }
        Some(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Vocabulary;

    #[test]
    fn table_holds_exactly_what_the_yaml_says() {
        let compiled = shipped_entries().expect("build.rs compiled the shipped dictionaries");
        let yaml = Vocabulary::load_layers_from_yaml(true, &[]).expect("valid dictionaries");
        let compiled: Vec<Entry> = compiled.into_iter().flatten().collect();
        assert_eq!(compiled.len(), yaml.entries().len());
        for (a, b) in compiled.iter().zip(yaml.entries()) {
            assert_eq!(a, b);
        }
        let fast = Vocabulary::shipped().expect("valid dictionaries");
        assert!(fast.is_shipped());
        assert_eq!(fast.entries(), yaml.entries());
        assert_eq!(fast.aliases(), yaml.aliases());
        assert_eq!(fast.files(), yaml.files());
        assert_eq!(fast.lookup("openai"), yaml.lookup("OpenAI"));
        assert!(fast.lookup("no such name at all").is_empty());
        for alias in yaml.aliases() {
            assert_eq!(
                fast.lookup(&alias.key),
                yaml.lookup(&alias.key),
                "{}",
                alias.key
            );
        }
    }
}
