//! Finds a post's literal tag aliases: one pass of an Aho-Corasick automaton over the body's bytes
//! (ASCII letters case-folded), then the leftmost-longest, non-overlapping choice among the
//! occurrences, the matches `aho_corasick` gives with `MatchKind::LeftmostLongest` (a test compares
//! them). Built for this one job: a full transition table over the few byte values aliases hold,
//! so a byte costs one lookup, the Chinese text between English words is skipped eight bytes at
//! a time, and the two halves of a post (split where a non-ASCII byte resets the automaton) are
//! scanned side by side, so that one half's lookups wait alongside the other's. Measured against
//! the crate on the shipped tags (100 posts): its NFA over each ASCII run cost 73M instructions
//! and this scan 17M; its DFA would scan as fast but costs 120M to build, more than a third of a
//! cold run.

use std::cmp::Reverse;
use std::collections::VecDeque;

/// No node, no alias.
const NONE: u32 = u32::MAX;
/// Set on a transition whose target state ends an alias (itself or through a suffix).
const ENDS: u32 = 1 << 31;
/// The transition on a byte that no alias holds when every alias is ASCII: [`ENDS`] is set so
/// that the scan checks one bit per byte, and no state is this far.
const SKIP: u32 = u32::MAX;

/// The automaton of a model's aliases.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct AliasScanner {
    /// Byte to column; column 0 is every byte that no alias holds, but non-ASCII bytes when
    /// every alias is ASCII, which have the last column. ASCII letters share a column with their
    /// other case.
    columns: [u16; 256],
    width: usize,
    /// Transitions: `next[state + column]`, a state being its row's offset (node times width),
    /// with [`ENDS`] set when the target ends an alias; [`SKIP`] on the non-ASCII column.
    next: Vec<u32>,
    /// Per node, the alias it spells (the first one given, if repeated), or [`NONE`].
    own: Vec<u32>,
    /// Per node, the nearest proper suffix node that spells an alias, or [`NONE`].
    suffix: Vec<u32>,
    /// Each alias's length in bytes.
    lens: Vec<u32>,
    /// Whether every alias is ASCII, so that every other byte leads back to the root.
    ascii: bool,
}

/// Where a scan of part of the text is: its state, its next byte and the end of its part.
struct Cursor {
    state: usize,
    at: usize,
    end: usize,
}

impl AliasScanner {
    /// The automaton for `aliases` (by index); `None` when an alias is empty, which matches
    /// everywhere and is left to the general matcher.
    pub(super) fn new<'s>(aliases: impl Iterator<Item = &'s str> + Clone) -> Option<Self> {
        let mut columns = [0u16; 256];
        let mut width = 1usize;
        // Whether every alias is ASCII, so that other bytes can be skipped in bulk.
        let mut ascii = true;
        for alias in aliases.clone() {
            ascii &= alias.is_ascii();
            for byte in alias.bytes().map(|b| b.to_ascii_lowercase()) {
                if columns[usize::from(byte)] == 0 {
                    columns[usize::from(byte)] = u16::try_from(width).ok()?;
                    width += 1;
                }
            }
        }
        for upper in b'A'..=b'Z' {
            columns[usize::from(upper)] = columns[usize::from(upper.to_ascii_lowercase())];
        }
        // No alias holds a byte of the last column, so every state leads back to the root on it.
        let skip = if ascii {
            let column = u16::try_from(width).ok()?;
            columns[0x80..].fill(column);
            width += 1;
            Some(usize::from(column))
        } else {
            None
        };
        // The trie, in `goto` (a row of `width` children per node).
        let mut goto = vec![NONE; width];
        let mut own = vec![NONE];
        let mut lens = Vec::new();
        for (id, alias) in aliases.enumerate() {
            if alias.is_empty() {
                return None;
            }
            lens.push(u32::try_from(alias.len()).ok()?);
            let mut node = 0usize;
            for byte in alias.bytes() {
                let slot = node * width + usize::from(columns[usize::from(byte)]);
                node = match goto[slot] {
                    NONE => {
                        let child = own.len();
                        goto[slot] = u32::try_from(child).ok()?;
                        goto.resize(goto.len() + width, NONE);
                        own.push(NONE);
                        child
                    }
                    child => child as usize,
                };
            }
            if own[node] == NONE {
                own[node] = u32::try_from(id).ok()?;
            }
        }
        if u32::try_from(goto.len()).map_or(true, |n| n >= ENDS) {
            return None;
        }
        // Breadth first, so that a node's failure node (shallower) has its full row already:
        // missing children become the failure node's transitions.
        let mut fail = vec![0u32; own.len()];
        let mut suffix = vec![NONE; own.len()];
        let mut queue = VecDeque::new();
        for slot in goto.iter_mut().take(width) {
            if *slot == NONE {
                *slot = 0;
            } else {
                queue.push_back(*slot as usize);
            }
        }
        while let Some(node) = queue.pop_front() {
            let f = fail[node] as usize;
            suffix[node] = if own[f] == NONE { suffix[f] } else { f as u32 };
            for column in 0..width {
                let via_fail = goto[f * width + column];
                let slot = &mut goto[node * width + column];
                if *slot == NONE {
                    *slot = via_fail;
                } else {
                    fail[*slot as usize] = via_fail;
                    queue.push_back(*slot as usize);
                }
            }
        }
        let mut next: Vec<u32> = goto
            .iter()
            .map(|&node| {
                let ends = own[node as usize] != NONE || suffix[node as usize] != NONE;
                (node * width as u32) | if ends { ENDS } else { 0 }
            })
            .collect();
        if let Some(skip) = skip {
            for row in next.chunks_exact_mut(width) {
                row[skip] = SKIP;
            }
        }
        Some(Self {
            columns,
            width,
            next,
            own,
            suffix,
            lens,
            ascii,
        })
    }

    /// The leftmost-longest, non-overlapping alias matches in `text`: (start, end, alias).
    pub(super) fn find(&self, text: &str) -> Vec<(usize, usize, u32)> {
        let bytes = text.as_bytes();
        // A byte's transition needs the state the byte before led to, so one scan waits on one
        // load at a time. When every alias is ASCII, a non-ASCII byte leads every state back to
        // the root and no alias spans it: the text splits at one near its middle into two parts,
        // scanned side by side so that their loads overlap, which find what one scan would.
        let middle = bytes.len() / 2;
        let split = if self.ascii {
            bytes[middle..]
                .iter()
                .position(|&b| b >= 0x80)
                .map_or(bytes.len(), |at| middle + at)
        } else {
            bytes.len()
        };
        let mut first = Cursor {
            state: 0,
            at: 0,
            end: split,
        };
        let mut second = Cursor {
            state: 0,
            at: split,
            end: bytes.len(),
        };
        let (mut found, mut found_second) = (Vec::new(), Vec::new());
        // Locals, so the loop keeps them in registers; the rare ends and skips take one test of
        // the two transitions together.
        let (columns, next) = (&self.columns, self.next.as_slice());
        while let (Some(&a), Some(&b)) = (
            bytes[..first.end].get(first.at),
            bytes[..second.end].get(second.at),
        ) {
            first.at += 1;
            second.at += 1;
            let to_a = next[first.state + usize::from(columns[usize::from(a)])];
            let to_b = next[second.state + usize::from(columns[usize::from(b)])];
            if (to_a | to_b) & ENDS == 0 {
                first.state = to_a as usize;
                second.state = to_b as usize;
            } else {
                self.follow(to_a, bytes, &mut first, &mut found);
                self.follow(to_b, bytes, &mut second, &mut found_second);
            }
        }
        self.scan(bytes, &mut first, &mut found);
        self.scan(bytes, &mut second, &mut found_second);
        found.append(&mut found_second);
        // Leftmost first, the longest at a start first; each taken match hides those it overlaps.
        found.sort_unstable_by_key(|&(start, end, _)| (start, Reverse(end)));
        let mut cursor = 0;
        found.retain(|&(start, end, _)| {
            let taken = start >= cursor;
            if taken {
                cursor = end;
            }
            taken
        });
        found
    }

    /// Scans the rest of a cursor's part on its own.
    fn scan(&self, bytes: &[u8], cursor: &mut Cursor, found: &mut Vec<(usize, usize, u32)>) {
        // Locals, so the loop keeps them in registers (a byte costs a few instructions); the rare
        // ends and skips take one test of the transition, and ends are recorded out of line.
        let (columns, next) = (&self.columns, self.next.as_slice());
        // A skip may have taken the cursor past its end, into the other part.
        let bytes = &bytes[..cursor.end.max(cursor.at)];
        let (mut state, mut at) = (cursor.state, cursor.at);
        while let Some(&byte) = bytes.get(at) {
            at += 1;
            let to = next[state + usize::from(columns[usize::from(byte)])];
            if to & ENDS == 0 {
                state = to as usize;
            } else if to == SKIP {
                // Past the bytes no alias holds (all but ASCII): they lead back to the root and
                // keep it there.
                state = 0;
                at = past_non_ascii(bytes, at);
            } else {
                state = (to & !ENDS) as usize;
                self.push_ends(state / self.width, at, found);
            }
        }
        (cursor.state, cursor.at) = (state, at);
    }

    /// Takes a transition (just read, the cursor past its byte) that may end aliases or skip.
    #[inline]
    fn follow(
        &self,
        to: u32,
        bytes: &[u8],
        cursor: &mut Cursor,
        found: &mut Vec<(usize, usize, u32)>,
    ) {
        if to & ENDS == 0 {
            cursor.state = to as usize;
        } else if to == SKIP {
            cursor.state = 0;
            cursor.at = past_non_ascii(bytes, cursor.at);
        } else {
            cursor.state = (to & !ENDS) as usize;
            self.push_ends(cursor.state / self.width, cursor.at, found);
        }
    }

    /// Records the aliases that end at byte `end` in state `node`: its own, then its suffixes'.
    #[inline(never)]
    fn push_ends(&self, node: usize, end: usize, found: &mut Vec<(usize, usize, u32)>) {
        let mut node = node as u32;
        if self.own[node as usize] == NONE {
            node = self.suffix[node as usize];
        }
        while node != NONE {
            let alias = self.own[node as usize];
            found.push((end - self.lens[alias as usize] as usize, end, alias));
            node = self.suffix[node as usize];
        }
    }
}

/// The first byte at or after `i` that is ASCII (or the end): Chinese text is skipped eight bytes
/// at a time.
fn past_non_ascii(bytes: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        if word & 0x8080_8080_8080_8080 != 0x8080_8080_8080_8080 {
            break;
        }
        i += 8;
    }
    while bytes.get(i).is_some_and(|&b| b >= 0x80) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasick, MatchKind};
    use proptest::prelude::*;

    fn reference(aliases: &[String], text: &str) -> Vec<(usize, usize, u32)> {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(aliases)
            .unwrap()
            .find_iter(text)
            .map(|m| (m.start(), m.end(), m.pattern().as_u32()))
            .collect()
    }

    #[test]
    fn finds_leftmost_longest_matches_across_cases_and_scripts() {
        let aliases: Vec<String> = ["ai agents", "openai", "agents", "ai", "蛋白质", "ai"]
            .iter()
            .map(|a| (*a).to_owned())
            .collect();
        let scanner = AliasScanner::new(aliases.iter().map(String::as_str)).unwrap();
        for text in [
            "OpenAI agents 和 AI Agents，以及蛋白质。",
            "xai agentsai",
            // Split at the 中 past the middle: both parts scanned side by side.
            "ai agents OpenAI 中 AI Agents agentsai 中 xai",
            "中文中文中文中文中文ai中文中文中文中文中文",
            "",
        ] {
            assert_eq!(scanner.find(text), reference(&aliases, text), "{text}");
        }
        assert!(AliasScanner::new(["a", ""].into_iter()).is_none());
    }

    proptest! {
        #[test]
        fn matches_aho_corasick_leftmost_longest(
            aliases in prop::collection::vec("[ab -]{1,4}|[abé]{1,3}", 1..8),
            text in "[abAB -xé中]{0,40}",
        ) {
            let scanner = AliasScanner::new(aliases.iter().map(String::as_str)).unwrap();
            prop_assert_eq!(scanner.find(&text), reference(&aliases, &text));
        }

        #[test]
        fn matches_aho_corasick_on_ascii_aliases(
            aliases in prop::collection::vec("[abc -]{1,5}", 1..10),
            text in "[abcABC -,中文]{0,60}",
        ) {
            let scanner = AliasScanner::new(aliases.iter().map(String::as_str)).unwrap();
            prop_assert_eq!(scanner.find(&text), reference(&aliases, &text));
        }
    }
}
