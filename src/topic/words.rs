//! Words to dense ids, for a post's feature keys and the model's trigger keywords: an
//! open-addressing table that tells words of up to 16 bytes (most Chinese words and English ones)
//! apart by two machine words and a length, so a lookup hashes and compares a few numbers instead
//! of the text; longer words are compared byte by byte.

/// A word's bytes packed for the table: its first and last eight bytes (or four, or the bytes
/// themselves when shorter), which with its length are the whole word up to 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Packed {
    head: u64,
    tail: u64,
    /// As wide as the words it packs, so that packing one copies its length as it is.
    len: usize,
}

impl Packed {
    #[inline]
    pub(super) fn new(word: &[u8]) -> Self {
        let n = word.len();
        let (head, tail) = if let (Some(first), Some(last)) =
            (word.first_chunk::<8>(), word.last_chunk::<8>())
        {
            (u64::from_le_bytes(*first), u64::from_le_bytes(*last))
        } else if let (Some(first), Some(last)) = (word.first_chunk::<4>(), word.last_chunk::<4>())
        {
            (
                u64::from(u32::from_le_bytes(*first)),
                u64::from(u32::from_le_bytes(*last)),
            )
        } else {
            let head = word
                .iter()
                .enumerate()
                .fold(0u64, |v, (i, &b)| v | u64::from(b) << (8 * i));
            (head, 0)
        };
        Self { head, tail, len: n }
    }

    /// The word's first eight bytes as a big-endian number (zero-padded): ordering by it, then by
    /// the whole word, is the words' byte order. Read from the packed form: a word of four to
    /// seven bytes is its first four bytes then its last four, which overlap where they agree.
    #[inline]
    pub(super) fn prefix(&self) -> u64 {
        match self.len {
            4..=7 => {
                let first = u64::from((self.head as u32).swap_bytes()) << 32;
                first | u64::from((self.tail as u32).swap_bytes()) << (64 - 8 * self.len)
            }
            _ => self.head.swap_bytes(),
        }
    }

    /// Two multiply rounds; the table takes the top bits, which depend on every input bit.
    #[inline]
    fn hash(&self) -> u64 {
        ((self.head ^ self.len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ self.tail)
            .wrapping_mul(0xD6E8_FEB8_6659_FD93)
    }
}

const EMPTY: u32 = u32::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slot {
    word: Packed,
    id: u32,
}

/// Words (by their packed form) to ids given by the caller, who keeps the words themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct WordTable {
    slots: Vec<Slot>,
    /// 64 minus the log of the number of slots: a hash's top bits pick the first slot.
    shift: u32,
    len: usize,
}

/// Where a word is, or where it would go.
pub(super) enum Place {
    Found(u32),
    Vacant(usize),
}

impl WordTable {
    /// A table for about `words` words before it grows.
    pub(super) fn with_capacity(words: usize) -> Self {
        let size = (words * 2).max(16).next_power_of_two();
        Self {
            slots: vec![
                Slot {
                    word: Packed::default(),
                    id: EMPTY,
                };
                size
            ],
            shift: 64 - size.trailing_zeros(),
            len: 0,
        }
    }

    /// Finds `word` (packed as `packed`); `stored` gives the word of an id, to tell apart words
    /// longer than 16 bytes. Always inlined: a call would cost a third of a lookup.
    #[inline(always)]
    pub(super) fn find<'w>(
        &self,
        word: &[u8],
        packed: &Packed,
        stored: impl Fn(u32) -> &'w [u8],
    ) -> Place {
        let mask = self.slots.len() - 1;
        let mut i = (packed.hash() >> self.shift) as usize;
        loop {
            let slot = &self.slots[i];
            if slot.id == EMPTY {
                return Place::Vacant(i);
            }
            if slot.word == *packed && (packed.len <= 16 || stored(slot.id) == word) {
                return Place::Found(slot.id);
            }
            i = (i + 1) & mask;
        }
    }

    /// Puts a word that [`Self::find`] did not find at the place it gave.
    #[inline]
    pub(super) fn insert(&mut self, place: usize, packed: Packed, id: u32) {
        self.slots[place] = Slot { word: packed, id };
        self.len += 1;
        if self.len * 2 > self.slots.len() {
            self.grow();
        }
    }

    /// Out of line, so that inserting inlines to a few instructions.
    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        let mut bigger = Self::with_capacity(self.slots.len());
        let mask = bigger.slots.len() - 1;
        for slot in self.slots.iter().filter(|s| s.id != EMPTY) {
            let mut i = (slot.word.hash() >> bigger.shift) as usize;
            while bigger.slots[i].id != EMPTY {
                i = (i + 1) & mask;
            }
            bigger.slots[i] = *slot;
        }
        bigger.len = self.len;
        *self = bigger;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_apart_words_of_every_length() {
        let mut words: Vec<String> = Vec::new();
        for n in 0..40 {
            words.push("a".repeat(n));
            words.push(format!("{}b", "a".repeat(n)));
            words.push(format!("b{}", "a".repeat(n)));
            words.push(format!("{}b{}", "a".repeat(n / 2), "a".repeat(n - n / 2)));
        }
        words.extend(["智能体", "人工智能", "美联储加息", "ai", "AI", "x"].map(str::to_owned));
        words.sort();
        words.dedup();
        let mut table = WordTable::with_capacity(4);
        let stored = |id: u32| words[id as usize].as_bytes();
        for (id, word) in words.iter().enumerate() {
            let packed = Packed::new(word.as_bytes());
            match table.find(word.as_bytes(), &packed, stored) {
                Place::Found(other) => panic!("{word} found as {}", words[other as usize]),
                Place::Vacant(at) => table.insert(at, packed, id as u32),
            }
        }
        for (id, word) in words.iter().enumerate() {
            let packed = Packed::new(word.as_bytes());
            assert!(matches!(
                table.find(word.as_bytes(), &packed, stored),
                Place::Found(found) if found == id as u32
            ));
            let mut prefix = [0u8; 8];
            let n = word.len().min(8);
            prefix[..n].copy_from_slice(&word.as_bytes()[..n]);
            assert_eq!(packed.prefix(), u64::from_be_bytes(prefix));
        }
    }
}
