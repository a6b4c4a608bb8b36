//! The search for alias keys in lowered text: a hashed index of key prefixes rather than an
//! Aho-Corasick automaton. The automaton stepped byte by byte through a double array of about
//! 1.7 MB for the shipped keys, and those loads missed the CPU caches on most bytes. Here each
//! place a key could start is first tested against a 32 KB bit filter of key prefixes, which stays
//! in the first-level cache; the larger tables are read only where the filter lets a key through,
//! and each candidate key is then compared whole.
//!
//! A key at least as long as the base (8 bytes for a key that starts with ASCII, 6 for one that
//! starts otherwise, two Han characters) is listed under the hash of its first base bytes; one
//! list holds every key with that prefix. A shorter key is listed under the hash of its whole
//! text when it starts with ASCII (`ai`, `openai`: thousands, tried only at the lengths a run of
//! word characters allows), and of its first character otherwise (`小S`, `歼20`: a handful). Keys
//! whose hashes collide share a list, which costs a comparison, never a miss.

use std::ops::Range;

use super::is_word_char;
use crate::segment::utf8_width;

/// log2 of the filter's size in bits: 32 KB, small enough to stay in the first-level cache with
/// the text beside it.
const FILTER_LOG2: u32 = 18;

/// Multiplier that draws a hash's second filter bit from all of its bits, independent of the
/// first (the top bits of the hash itself).
const K2: u64 = 0xc2b2_ae3d_27d4_eb4f;

/// Hash tags: a key's base prefix, or what a key shorter than the base is listed under.
const PREFIX: u64 = 0;
const SHORT: u64 = 1 << 32;

/// Zero bytes the text must carry after its end: every read takes 8 bytes.
pub(super) const PADDING: usize = 8;

/// Flags per lead byte: some key starts with it; an ASCII byte that is a word character. Bits 1
/// to 7 of an ASCII byte flag the lengths of the keys shorter than the base that start with it;
/// bit 1 of another, that some such key does.
const STARTS_KEY: u16 = 1;
const SHORT_KEYS: u16 = 0xfe;
const ASCII_WORD: u16 = 0x100;
/// Flag of a byte that some key ends with.
const ENDS_KEY: u16 = 0x200;

/// The key search; build it with [`KeyScan::new`], scan with [`KeyScan::scan`].
#[derive(Clone, PartialEq)]
pub(super) struct KeyScan {
    /// The two bits [`filter_bits`] gives are set for the hash `h` each key is listed under: a
    /// clear one proves no key starts there. A place that passes falsely costs a read of the
    /// slot table, which misses the caches; the second bit lets about 40% fewer places through
    /// on the drafts than one did.
    filter: Vec<u64>,
    /// Open addressing by the top bits of the hash, probing linearly.
    slots: Vec<Slot>,
    slot_shift: u32,
    members: Vec<Member>,
    /// The keys' bytes as little-endian words, each key zero-padded to whole words.
    words: Vec<u64>,
    leads: [u16; 256],
    /// The three-byte characters that keys shorter than the base start with, by the low six
    /// bits of their second and third bytes ([`short_han_bit`]): a lead byte's flag stands for
    /// 4,096 characters, nearly every Han one, though only a handful start such keys (`小S`,
    /// `歼20`), and without this every Han character took a second filter test.
    short_han: [u64; 64],
    /// Per run length `r` (1 to 7) and byte `b`: the lengths (bits 1 to 7) of the keys shorter
    /// than the base that begin with exactly `r` ASCII word characters and then `b`, and in bit
    /// 0 whether some key as long as the base does. A word of `r` characters followed by `b` can
    /// start only these keys and those of its own length; few keys hold the space or Han that
    /// follows most words there, which spares most words the other lengths and the base's
    /// lookup.
    runs: [[u8; 256]; 8],
}

/// The keys listed under one hash (an empty slot lists none).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct Slot {
    hash: u64,
    start: u32,
    len: u32,
}

/// A listed key: its last 8 bytes (all of it when shorter, as a masked word), which tell most
/// keys of a list apart in one comparison; the value it reports; where its words start; its
/// length in bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Member {
    last: u64,
    value: u32,
    word: u32,
    len: u32,
}

/// The length of the prefix a key starting with `lead` is listed under, if not shorter.
fn base(lead: u8) -> usize {
    if lead < 0x80 {
        8
    } else {
        6
    }
}

/// The bytes `at..at + 8` (which must exist) as a little-endian word.
fn load(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
}

/// The first `len` bytes of a word.
fn keep(word: u64, len: usize) -> u64 {
    if len >= 8 {
        word
    } else {
        word & ((1 << (8 * len)) - 1)
    }
}

const K: u64 = 0x9e37_79b9_7f4a_7c15;

/// The hash of `len` bytes (at most 8) given as a word holding just them.
fn hash_word(word: u64, len: usize, tag: u64) -> u64 {
    ((tag | len as u64).wrapping_mul(K).rotate_left(23) ^ word).wrapping_mul(K)
}

/// The bit of [`KeyScan::short_han`] for the three-byte character that `word` starts with.
fn short_han_bit(word: u64) -> usize {
    ((word >> 2) & 0xfc0 | (word >> 16) & 0x3f) as usize
}

/// The filter's two bits for the hash `h`.
fn filter_bits(h: u64) -> [usize; 2] {
    [
        (h >> (64 - FILTER_LOG2)) as usize,
        (h.wrapping_mul(K2) >> (64 - FILTER_LOG2)) as usize,
    ]
}

impl KeyScan {
    /// Indexes `keys` (distinct, not empty), each reporting its position in the list.
    pub(super) fn new(keys: &[String]) -> Self {
        let mut filter = vec![0u64; 1 << (FILTER_LOG2 - 6)];
        let mut leads = [0u16; 256];
        for (byte, flags) in (0u8..0x80).zip(&mut leads) {
            if byte.is_ascii_alphanumeric() || byte == b'_' {
                *flags |= ASCII_WORD;
            }
        }
        let mut words = Vec::new();
        let mut members = Vec::with_capacity(keys.len());
        // (hash listed under, value)
        let mut listed: Vec<(u64, u32)> = Vec::with_capacity(keys.len());
        let mut padded = Vec::new();
        let mut short_han = [0u64; 64];
        let mut runs = [[0u8; 256]; 8];
        for (value, key) in (0u32..).zip(keys) {
            let len = key.len();
            let lead = key.as_bytes()[0];
            padded.clear();
            padded.extend_from_slice(key.as_bytes());
            padded.resize(len + PADDING, 0);
            members.push(Member {
                last: if len >= 8 {
                    load(&padded, len - 8)
                } else {
                    keep(load(&padded, 0), len)
                },
                value,
                word: u32::try_from(words.len()).expect("keys under 32 GB"),
                len: u32::try_from(len).expect("keys under 4 GB"),
            });
            for at in (0..len).step_by(8) {
                words.push(keep(load(&padded, at), len - at));
            }
            leads[usize::from(key.as_bytes()[len - 1])] |= ENDS_KEY;
            let run = key
                .bytes()
                .take_while(|&b| leads[usize::from(b)] & ASCII_WORD != 0)
                .count();
            if (1..8).contains(&run) && run < len {
                let bit = if len >= base(lead) { 1 } else { 1 << len };
                runs[run][usize::from(key.as_bytes()[run])] |= bit;
            }
            let flags = &mut leads[usize::from(lead)];
            *flags |= STARTS_KEY;
            let h = if len >= base(lead) {
                hash_word(keep(load(&padded, 0), base(lead)), base(lead), PREFIX)
            } else if lead < 0x80 {
                *flags |= 1 << len;
                hash_word(keep(load(&padded, 0), len), len, SHORT)
            } else {
                *flags |= 2;
                if utf8_width(lead) == 3 {
                    let bit = short_han_bit(load(&padded, 0));
                    short_han[bit / 64] |= 1 << (bit % 64);
                }
                hash_word(
                    keep(load(&padded, 0), utf8_width(lead)),
                    utf8_width(lead),
                    SHORT,
                )
            };
            for bit in filter_bits(h) {
                filter[bit / 64] |= 1 << (bit % 64);
            }
            listed.push((h, value));
        }
        listed.sort_unstable();
        let groups = listed.chunk_by(|a, b| a.0 == b.0).count();
        let slot_log2 = (groups * 2).next_power_of_two().trailing_zeros().max(1);
        let slot_shift = 64 - slot_log2;
        let mut slots = vec![Slot::default(); 1 << slot_log2];
        let mut grouped = Vec::with_capacity(keys.len());
        for group in listed.chunk_by(|a, b| a.0 == b.0) {
            let hash = group[0].0;
            let start = u32::try_from(grouped.len()).expect("fewer than 4 billion keys");
            grouped.extend(group.iter().map(|&(_, value)| members[value as usize]));
            let slot = Slot {
                hash,
                start,
                len: u32::try_from(group.len()).expect("fewer than 4 billion keys"),
            };
            let mask = slots.len() - 1;
            let mut at = (hash >> slot_shift) as usize;
            while slots[at].len != 0 {
                at = (at + 1) & mask;
            }
            slots[at] = slot;
        }
        Self {
            filter,
            slots,
            slot_shift,
            members: grouped,
            words,
            leads,
            short_han,
            runs,
        }
    }

    fn passes(&self, h: u64) -> bool {
        let has = |bit: usize| self.filter[bit / 64] >> (bit % 64) & 1 != 0;
        // The second bit only where the first is set: most places fail on the first, so the
        // second costs the scan loop next to nothing.
        let [first, second] = filter_bits(h);
        has(first) && has(second)
    }

    /// Reports the keys listed under `h` that `text` reads at `at`, if the filter lets it by.
    #[inline(always)]
    fn try_list(
        &self,
        h: u64,
        text: &[u8],
        at: usize,
        len: usize,
        hit: &mut impl FnMut(Range<usize>, u32),
    ) {
        if self.passes(h) {
            self.list(h, text, at, len, hit);
        }
    }

    /// [`KeyScan::try_list`] past the filter, apart so that the scan loop stays small.
    #[inline(never)]
    fn list(
        &self,
        h: u64,
        text: &[u8],
        at: usize,
        len: usize,
        hit: &mut impl FnMut(Range<usize>, u32),
    ) {
        let mask = self.slots.len() - 1;
        let mut slot = (h >> self.slot_shift) as usize;
        loop {
            let found = &self.slots[slot];
            if found.len == 0 {
                return;
            }
            if found.hash == h {
                return self.check(found, text, at, len, hit);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Calls `hit` with the span and value of every key in `text[..len]` (`text` is valid UTF-8
    /// up to `len` and holds [`PADDING`] bytes past it), overlapping ones included, by start;
    /// except some that the matcher's alignment check would drop as not word-bounded
    /// ([`is_word_bounded`](super::is_word_bounded)): every key that starts on a word character
    /// after another, and keys shorter than the base that start with ASCII and end between two
    /// ASCII word characters.
    pub(super) fn scan(&self, text: &[u8], len: usize, mut hit: impl FnMut(Range<usize>, u32)) {
        let mut at = 0;
        let mut after_word = false;
        // Most places fail the filter: this loop tests them, `probe` finds what passes.
        while at < len {
            let word = load(text, at);
            let lead = word as u8;
            let flags = self.leads[usize::from(lead)];
            if lead < 0x80 {
                if flags & ASCII_WORD == 0 {
                    after_word = false;
                    if flags & STARTS_KEY != 0 {
                        self.probe_ascii(text, at, len, 0, &mut hit);
                    }
                    at += 1;
                    continue;
                }
                // A run of ASCII word characters: keys start only at its first.
                let start = at;
                at += 1;
                while at < len && self.leads[usize::from(text[at])] & ASCII_WORD != 0 {
                    at += 1;
                }
                if flags & STARTS_KEY != 0 && !after_word {
                    self.probe_ascii(text, start, len, at - start, &mut hit);
                }
                after_word = true;
                continue;
            }
            let width = utf8_width(lead);
            // Only characters below U+2E80, lead bytes up to E2, can be word characters.
            let is_word = lead <= 0xe2
                && std::str::from_utf8(&text[at..at + width])
                    .ok()
                    .and_then(|c| c.chars().next())
                    .is_some_and(is_word_char);
            let glued = is_word && after_word;
            after_word = is_word;
            if flags & STARTS_KEY != 0 && !glued {
                if at + 6 <= len {
                    self.try_list(hash_word(keep(word, 6), 6, PREFIX), text, at, len, &mut hit);
                }
                let short = flags & SHORT_KEYS != 0
                    && (width != 3 || {
                        let bit = short_han_bit(word);
                        self.short_han[bit / 64] >> (bit % 64) & 1 != 0
                    });
                if short {
                    self.try_list(
                        hash_word(keep(word, width), width, SHORT),
                        text,
                        at,
                        len,
                        &mut hit,
                    );
                }
            }
            at += width;
        }
    }

    /// Reports the keys that start at `at`, an ASCII character that starts a run of `run` ASCII
    /// word characters (0 if it is none), inside which no key that [`scan`](Self::scan) must
    /// report ends.
    #[inline(never)]
    fn probe_ascii(
        &self,
        text: &[u8],
        at: usize,
        len: usize,
        run: usize,
        hit: &mut impl FnMut(Range<usize>, u32),
    ) {
        let word = load(text, at);
        let flags = self.leads[usize::from(word as u8)];
        let below = (1u32 << 8.min(len - at + 1)) - 1;
        // A key longer than the run holds the byte after it; one as long is the run itself; none
        // is shorter (the alignment check drops those). A run of 8 or more leaves no length
        // below the base, and only keys whose first 8 bytes are word characters.
        let (mut lengths, long) = match run {
            0 => (u32::from(flags & SHORT_KEYS) & below, true),
            1..=7 => {
                let after = u32::from(self.runs[run][usize::from((word >> (8 * run)) as u8)]);
                let same = u32::from(flags) & (1 << run);
                (
                    (after | same) & u32::from(flags & SHORT_KEYS) & below,
                    after & 1 != 0,
                )
            }
            _ => (0, true),
        };
        while lengths != 0 {
            let key_len = lengths.trailing_zeros() as usize;
            lengths &= lengths - 1;
            // A key only ends on a byte some key ends with, and not between two ASCII word
            // characters (the alignment check drops it there).
            let last = self.leads[usize::from((word >> (8 * (key_len - 1))) as u8)];
            let after = self.leads[usize::from((word >> (8 * key_len)) as u8)];
            if last & ENDS_KEY == 0 || last & after & ASCII_WORD != 0 {
                continue;
            }
            self.try_list(
                hash_word(keep(word, key_len), key_len, SHORT),
                text,
                at,
                len,
                hit,
            );
        }
        if long && at + 8 <= len {
            self.try_list(hash_word(word, 8, PREFIX), text, at, len, hit);
        }
    }

    /// Reports each key listed in `slot` that `text` reads at `at`.
    fn check(
        &self,
        slot: &Slot,
        text: &[u8],
        at: usize,
        len: usize,
        hit: &mut impl FnMut(Range<usize>, u32),
    ) {
        let start = slot.start as usize;
        for member in &self.members[start..start + slot.len as usize] {
            let key_len = member.len as usize;
            if key_len > len - at {
                continue;
            }
            let last = if key_len >= 8 {
                load(text, at + key_len - 8)
            } else {
                keep(load(text, at), key_len)
            };
            if last != member.last {
                continue;
            }
            let words = &self.words[member.word as usize..][..key_len.div_ceil(8)];
            let same = words
                .iter()
                .enumerate()
                .all(|(i, &w)| keep(load(text, at + 8 * i), key_len - 8 * i) == w);
            if same {
                hit(at..at + key_len, member.value);
            }
        }
    }
}

/// Asserts that [`KeyScan::scan`] over each text (ASCII-lowercased) finds what daachorse's
/// overlapping search finds, but for hits that are not word-bounded, which it may leave out:
/// every hit it reports is the automaton's, and every word-bounded hit of the automaton is
/// reported; by start.
#[cfg(test)]
pub(super) fn assert_finds_like_an_automaton(keys: &[String], texts: &[String]) {
    let scan = KeyScan::new(keys);
    let automaton = daachorse::DoubleArrayAhoCorasick::<u32>::with_values(keys.iter().zip(0u32..))
        .expect("distinct keys");
    for text in texts {
        let lowered = text.to_ascii_lowercase();
        let expected: Vec<(Range<usize>, u32)> = automaton
            .find_overlapping_iter(&lowered)
            .map(|m| (m.start()..m.end(), m.value()))
            .collect();
        let mut padded = lowered.clone().into_bytes();
        padded.resize(lowered.len() + PADDING, 0);
        let mut found = Vec::new();
        scan.scan(&padded, lowered.len(), |span, value| {
            found.push((span, value));
        });
        assert!(
            found.windows(2).all(|w| w[0].0.start <= w[1].0.start),
            "{text:?}: {found:?}"
        );
        for hit in &found {
            assert!(expected.contains(hit), "{text:?}: {hit:?} is no key");
        }
        for hit in &expected {
            if super::is_word_bounded(&lowered, &hit.0) {
                assert!(found.contains(hit), "{text:?}: {hit:?} missed");
            }
            let count = found.iter().filter(|h| *h == hit).count();
            assert!(count <= 1, "{text:?}: {hit:?} found {count} times");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_an_automaton_finds_for_keys_that_share_prefixes() {
        let mut keys: Vec<String> = crate::probe::every_string("ab中", 4)
            .into_iter()
            .filter(|k| !k.is_empty())
            .collect();
        keys.extend(
            [
                "abababab",
                "ababababa",
                "abababab中",
                "中中中中a",
                "a-b",
                "《中》",
                "é",
                "éa",
                "a b",
            ]
            .map(str::to_owned),
        );
        keys.sort();
        keys.dedup();
        let texts = crate::probe::every_string("aAb中 é-", 5);
        assert_finds_like_an_automaton(&keys, &texts);
        let long: Vec<String> = texts
            .iter()
            .map(|t| format!("ABABABAB中{t}abababa{}{t}", "a".repeat(40)))
            .collect();
        assert_finds_like_an_automaton(&keys, &long);
    }

    #[test]
    fn word_characters_are_told_by_lead_byte_like_by_char() {
        // The scan decodes only characters whose lead byte is below E3 to ask whether they
        // continue a word.
        for c in (0x80..=0x10ffff).filter_map(char::from_u32) {
            let lead = c.encode_utf8(&mut [0; 4]).as_bytes()[0];
            if lead > 0xe2 {
                assert!(!is_word_char(c), "{c:?}");
            }
        }
        for b in 0..0x80u8 {
            assert_eq!(
                b.is_ascii_alphanumeric() || b == b'_',
                is_word_char(char::from(b))
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn finds_what_an_automaton_finds_for_any_keys(
            keys in proptest::collection::btree_set("[ab1_ 中国《》é.-]{1,12}", 1..16),
            texts in proptest::collection::vec("[abAB1_ 中国《》é.-]{0,40}", 1..6),
        ) {
            let keys: Vec<String> = keys.into_iter().collect();
            assert_finds_like_an_automaton(&keys, &texts);
        }
    }
}
