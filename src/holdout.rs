//! The learning/evaluation split: `--holdout K/N` picks the posts whose file name hashes (FNV-1a,
//! 64 bits, over the UTF-8 bytes of the name alone) to K modulo N. `vocab learn` leaves those posts
//! out and `eval` scores only them, so reported accuracy is always on posts the vocabulary never
//! saw. The same split is one line of Python:
//! `h=0xcbf29ce484222325; [h:=((h^b)*0x100000001b3)%2**64 for b in name.encode()]; h%N==K`.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// A `K/N` split of posts by file-name hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holdout {
    /// The residue that is held out.
    pub k: u64,
    /// The modulus (number of folds).
    pub n: u64,
}

impl Holdout {
    /// Whether the post at `path` is in the held-out fold (judged by its file name only).
    pub fn contains(&self, path: &Path) -> bool {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        self.contains_name(&name)
    }

    /// Whether a file name is in the held-out fold.
    pub fn contains_name(&self, name: &str) -> bool {
        fnv1a64(name.as_bytes()) % self.n == self.k
    }
}

/// FNV-1a, 64 bits.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV_OFFSET, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(FNV_PRIME)
    })
}

impl FromStr for Holdout {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("invalid holdout `{s}`: expected K/N with 0 <= K < N, e.g. 0/5");
        let (k, n) = s.trim().split_once('/').ok_or_else(bad)?;
        let k: u64 = k.trim().parse().map_err(|_| bad())?;
        let n: u64 = n.trim().parse().map_err(|_| bad())?;
        if n == 0 || k >= n {
            return Err(bad());
        }
        Ok(Self { k, n })
    }
}

impl fmt::Display for Holdout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_the_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn parses_and_selects_by_file_name_only() {
        let h: Holdout = "0/5".parse().unwrap();
        assert_eq!(h, Holdout { k: 0, n: 5 });
        assert_eq!(h.to_string(), "0/5");
        let name = "foobar.md";
        let expected = fnv1a64(name.as_bytes()) % 5 == 0;
        assert_eq!(h.contains(Path::new("/x/y").join(name).as_path()), expected);
        assert_eq!(h.contains_name(name), expected);
        for bad in ["5/5", "1", "a/b", "0/0", "-1/5"] {
            assert!(bad.parse::<Holdout>().is_err(), "{bad}");
        }
    }
}
