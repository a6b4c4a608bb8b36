//! Words to dense ids, for a post's feature keys and the model's trigger keywords: an
//! open-addressing table of ids, each slot tagged with half its word's hash (a post's tables,
//! small enough to stay in the first-level cache, the caller confirming a word) or with the word
//! packed (the model's keywords, where a second lookup would be a second cache miss). A word of
//! up to 16 bytes (most Chinese words and English ones) packs whole into two machine words and a
//! length, so telling words apart compares a few numbers instead of the text; longer words are
//! compared byte by byte.

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

    /// Whether the word is whole in its packed form (16 bytes or fewer), so that two packed
    /// words that are equal are the same word.
    #[inline(always)]
    pub(super) fn is_whole(&self) -> bool {
        self.len <= 16
    }

    /// Whether `self`, packed from `word`, is the word packed as `other`; `other_word` gives
    /// that word's bytes, needed only past 16 bytes, which packing does not keep whole.
    #[inline(always)]
    pub(super) fn same_word<'w>(
        &self,
        word: &[u8],
        other: &Packed,
        other_word: impl FnOnce() -> &'w [u8],
    ) -> bool {
        self == other && (self.is_whole() || other_word() == word)
    }

    /// Two multiply rounds; the table takes the top bits, which depend on every input bit.
    #[inline]
    fn hash(&self) -> u64 {
        ((self.head ^ self.len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ self.tail)
            .wrapping_mul(0xD6E8_FEB8_6659_FD93)
    }
}

const EMPTY: u32 = u32::MAX;

/// What a table's slot keeps of its word beside the id, to rule out most other words without
/// looking at the word itself.
pub(super) trait Tag: Copy + PartialEq {
    /// The tag of the word packed as `packed`, whose hash is `hash`.
    fn of(packed: &Packed, hash: u64) -> Self;
    /// The top half of the word's hash, whose top bits pick its first slot.
    fn hash_top(&self) -> u32;
}

/// The top half of the hash: eight-byte slots, so that a post's tables mostly stay in the
/// first-level cache, the caller comparing the word itself when the halves agree (which for
/// another word almost never happens).
impl Tag for u32 {
    #[inline(always)]
    fn of(_: &Packed, hash: u64) -> Self {
        (hash >> 32) as u32
    }

    fn hash_top(&self) -> u32 {
        *self
    }
}

/// The whole packed word: 32-byte slots that settle words of up to 16 bytes on their own. The
/// model's keyword table is too large to stay in any cache between posts, and looking a word up
/// elsewhere to confirm it would cost a second miss.
impl Tag for Packed {
    #[inline(always)]
    fn of(packed: &Packed, _: u64) -> Self {
        *packed
    }

    fn hash_top(&self) -> u32 {
        (self.hash() >> 32) as u32
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slot<T> {
    tag: T,
    id: u32,
}

/// A slot read ahead of a lookup ([`WordTable::first_slot`]): where it is and its id.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct FirstSlot {
    at: usize,
    id: u32,
}

/// Words (by their packed form) to ids given by the caller, who keeps the words themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct WordTable<T> {
    slots: Vec<Slot<T>>,
    /// 64 minus the log of the number of slots: a hash's top bits pick the first slot.
    shift: u32,
    len: usize,
}

/// Where a word is, or where it would go.
pub(super) enum Place<T> {
    Found(u32),
    Vacant(Vacancy<T>),
}

/// The slot a word would take, with its tag.
pub(super) struct Vacancy<T> {
    at: usize,
    tag: T,
}

impl<T: Tag + Default> WordTable<T> {
    /// A table for about `words` words before it grows.
    pub(super) fn with_capacity(words: usize) -> Self {
        let size = (words * 2).max(16).next_power_of_two();
        Self {
            slots: vec![
                Slot {
                    tag: T::default(),
                    id: EMPTY
                };
                size
            ],
            shift: 64 - size.trailing_zeros(),
            len: 0,
        }
    }

    /// Finds the word packed as `packed`; `same` tells whether the word of an id whose tag
    /// agrees is the one sought. Always inlined: a call would cost a third of a lookup.
    #[inline(always)]
    pub(super) fn find(&self, packed: &Packed, same: impl Fn(u32) -> bool) -> Place<T> {
        self.find_from(packed, None, same)
    }

    /// A copy of the first slot the word packed as `packed` probes, for [`Self::find_from`].
    /// Reading the first slots of many words before looking any of them up lets their cache
    /// misses overlap: in a table too large to stay cached between posts, each lookup's branch
    /// on found or not, which the processor cannot foresee, otherwise makes every miss wait for
    /// the one before.
    #[inline(always)]
    pub(super) fn first_slot(&self, packed: &Packed) -> FirstSlot {
        let at = (packed.hash() >> self.shift) as usize;
        FirstSlot {
            at,
            id: self.slots[at].id,
        }
    }

    /// [`Self::find`], starting from its first slot when that was read ahead.
    #[inline(always)]
    pub(super) fn find_from(
        &self,
        packed: &Packed,
        first: Option<FirstSlot>,
        same: impl Fn(u32) -> bool,
    ) -> Place<T> {
        let mask = self.slots.len() - 1;
        let hash = packed.hash();
        let tag = T::of(packed, hash);
        let (mut at, mut id) = match first {
            Some(first) => (first.at, first.id),
            None => {
                let at = (hash >> self.shift) as usize;
                (at, self.slots[at].id)
            }
        };
        loop {
            if id == EMPTY {
                return Place::Vacant(Vacancy { at, tag });
            }
            if self.slots[at].tag == tag && same(id) {
                return Place::Found(id);
            }
            at = (at + 1) & mask;
            id = self.slots[at].id;
        }
    }

    /// Puts a word that [`Self::find`] did not find at the place it gave.
    #[inline]
    pub(super) fn insert(&mut self, place: Vacancy<T>, id: u32) {
        self.slots[place.at] = Slot { tag: place.tag, id };
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
            let mut at = ((u64::from(slot.tag.hash_top()) << 32) >> bigger.shift) as usize;
            while bigger.slots[at].id != EMPTY {
                at = (at + 1) & mask;
            }
            bigger.slots[at] = *slot;
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
        // As the post's tables confirm a word (its packed form, then its bytes past 16), and as
        // the keyword table does (the tag is the packed form, so only the bytes past 16).
        tells_apart::<u32>(&words, |packed, word, other| {
            packed.same_word(word, &Packed::new(other.as_bytes()), || other.as_bytes())
        });
        tells_apart::<Packed>(&words, |packed, word, other| {
            packed.is_whole() || word == other.as_bytes()
        });
    }

    fn tells_apart<T: Tag + Default>(words: &[String], confirm: fn(&Packed, &[u8], &str) -> bool) {
        let mut table = WordTable::<T>::with_capacity(4);
        let same = |word| {
            let packed = Packed::new(word);
            move |id: u32| confirm(&packed, word, &words[id as usize])
        };
        for (id, word) in words.iter().enumerate() {
            let packed = Packed::new(word.as_bytes());
            match table.find(&packed, same(word.as_bytes())) {
                Place::Found(other) => panic!("{word} found as {}", words[other as usize]),
                Place::Vacant(at) => table.insert(at, id as u32),
            }
        }
        for (id, word) in words.iter().enumerate() {
            let packed = Packed::new(word.as_bytes());
            assert!(matches!(
                table.find(&packed, same(word.as_bytes())),
                Place::Found(found) if found == id as u32
            ));
            // The same lookup from its first slot read ahead.
            let first = Some(table.first_slot(&packed));
            assert!(matches!(
                table.find_from(&packed, first, same(word.as_bytes())),
                Place::Found(found) if found == id as u32
            ));
            let mut prefix = [0u8; 8];
            let n = word.len().min(8);
            prefix[..n].copy_from_slice(&word.as_bytes()[..n]);
            assert_eq!(packed.prefix(), u64::from_be_bytes(prefix));
        }
    }
}
