//! Reads the shipped dictionaries in the compact binary form that `src/build.rs` compiles from
//! `dictionaries/*.yaml`, so start-up decodes a table instead of parsing YAML. The entries are
//! exactly what the YAML loader reads (a test compares the two), so the per-entry checks the YAML
//! loader makes are not repeated at start-up; alias collisions are still found while indexing.

use std::path::{Path, PathBuf};

use super::{Entry, Origin};
use crate::field::Field;

/// Must match `MAGIC` in `src/build.rs`.
const MAGIC: &[u8; 8] = b"FFVOCAB1";

static TABLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/shipped_vocabulary.bin"));

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
    reader.bytes.is_empty().then_some(files)
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.bytes.len() < n {
            return None;
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<usize> {
        let b = self.take(4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn string(&mut self) -> Option<String> {
        let n = self.u32()?;
        std::str::from_utf8(self.take(n)?).ok().map(str::to_owned)
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
        assert_eq!(fast.aliases(), yaml.aliases());
        assert_eq!(fast.files(), yaml.files());
    }
}
