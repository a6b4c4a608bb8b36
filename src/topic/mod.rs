//! Tags, category and area from a keyword scorer: every vocabulary tag and taxonomy class carries
//! weighted trigger keywords (Chinese and English, learned from tagged posts, editable by people).
//! A post's zoned tokens fire triggers; tags are chosen from the score distribution and the
//! category and area as a consistent pair. Loading reads `tags.yaml` and `taxonomy.yaml`.

mod alias;
mod compiled;
mod entries;
pub mod learn;
mod words;

use alias::AliasScanner;
use entries::trigger_keywords;
pub use entries::{AreaEntry, CategoryEntry, TagEntry, Taxonomy};
use words::{FirstSlot, Packed, Place, WordTable};

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use aho_corasick::{AhoCorasick, MatchKind};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::extract::{TextBlock, Zone};
use crate::segment::{Segmenter, Token, TokenKind};
use crate::window::Window;

/// The shipped `tags.yaml`.
pub const SHIPPED_TAGS: &str = include_str!("../../dictionaries/tags.yaml");
/// Where a run's tag vocabulary and taxonomy come from.
#[derive(Debug)]
pub enum TopicSource {
    /// A content repo's own files, already read and checked.
    Files(Box<TopicModel>),
    /// The shipped files, to be parsed when first needed.
    Shipped,
}

impl TopicSource {
    /// The model, parsing the shipped files if that is where it comes from.
    ///
    /// # Panics
    /// Never for a released build: `tests/dictionaries.rs` checks that the shipped files load.
    pub fn into_model(self) -> TopicModel {
        match self {
            TopicSource::Files(model) => *model,
            TopicSource::Shipped => TopicModel::shipped()
                .expect("the shipped tags.yaml and taxonomy.yaml load (tests/dictionaries.rs)"),
        }
    }
}

/// The shipped `taxonomy.yaml`.
pub const SHIPPED_TAXONOMY: &str = include_str!("../../dictionaries/taxonomy.yaml");

/// The tokens of a post that can fire triggers, with their zone-weighted, damped strength.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Features {
    /// Feature key (Han word, or lowercased Latin word) to strength.
    pub weights: BTreeMap<String, f32>,
    /// The channel the post comes from (its `speaker`, else its `author`): a channel mostly sticks
    /// to a few topics, and the field survives when the topic fields are empty.
    pub channel: Option<String>,
}

/// How much a token counts by zone, in halves (title 3, heading 1.5, body 1, English original
/// 0.5): title and headings say more about the topic than the body. Counted in halves, sums are
/// exact integers whatever their order.
fn zone_halves(zone: Zone) -> u32 {
    match zone {
        Zone::Title => 6,
        Zone::Heading => 3,
        Zone::Paragraph => 2,
        Zone::English => 1,
    }
}

/// A key's strength from its zone-weighted count (in halves), damped as `1 + ln(count)` so a word
/// repeated fifty times does not drown the rest.
fn damped(halves: u32) -> f32 {
    let count = halves as f32 * 0.5;
    if count > 1.0 {
        1.0 + count.ln()
    } else {
        count
    }
}

/// The key a token contributes, if any: Han words of two or more characters, Latin words of three
/// or more letters (two when written in capitals, like `AI`), lowercased.
pub fn feature_key(text: &str, kind: TokenKind) -> Option<String> {
    borrowed_key(text, kind).map(Cow::into_owned)
}

/// [`feature_key`], borrowing the token when it already is its key (most are).
fn borrowed_key(text: &str, kind: TokenKind) -> Option<Cow<'_, str>> {
    let mut lower = String::new();
    let lowered = key_form(text, kind, &mut lower)?;
    Some(if lowered {
        Cow::Owned(lower)
    } else {
        Cow::Borrowed(text)
    })
}

/// Whether a token is a key ([`feature_key`]), and if so whether its key is the lowercased form
/// it wrote to `lower` (`true`) or the token itself.
fn key_form(text: &str, kind: TokenKind, lower: &mut String) -> Option<bool> {
    match kind {
        TokenKind::Han => is_han_key(text).then_some(false),
        // Most Latin words; in ASCII, letters and cases are the ASCII ones.
        TokenKind::Latin if text.is_ascii() => {
            let (mut letters, mut upper, mut capitals) = (0usize, false, true);
            for b in text.bytes() {
                letters += usize::from(b.is_ascii_alphabetic());
                upper |= b.is_ascii_uppercase();
                capitals &= b.is_ascii_uppercase() || b.is_ascii_digit();
            }
            if letters < 2 || (letters == 2 && !capitals) {
                return None;
            }
            if upper {
                lower.clear();
                lower.push_str(text);
                lower.make_ascii_lowercase();
            }
            Some(upper)
        }
        TokenKind::Latin => {
            let letters = text.chars().filter(|c| c.is_alphabetic()).count();
            let keep = letters >= 3
                || (letters == 2
                    && text
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
            if !keep {
                return None;
            }
            let lowered = !text
                .bytes()
                .all(|b| b.is_ascii() && !b.is_ascii_uppercase());
            if lowered {
                *lower = text.to_lowercase();
            }
            Some(lowered)
        }
        TokenKind::Number => None,
    }
}

/// How many keys' keyword-table slots are read ahead of their lookups: enough misses to keep the
/// memory system busy, few enough that the slots are still in the first-level cache when used.
const READ_AHEAD: usize = 16;

/// No key: the token does not count.
const NO_KEY: u32 = u32::MAX;

/// Whether a Han token is a key: two characters or more, that is longer than its first (whose
/// length its leading byte gives, without decoding it).
#[inline]
fn is_han_key(text: &str) -> bool {
    // Most keys: no character is longer than four bytes.
    if text.len() > 4 {
        return true;
    }
    let first = match text.as_bytes().first() {
        None => return false,
        Some(0..=0x7F) => 1,
        Some(0x80..=0xDF) => 2,
        Some(0xE0..=0xEF) => 3,
        Some(_) => 4,
    };
    text.len() > first
}

/// The id of the key `word` (packed as `packed`) in a post's key table, added with the text
/// `owned` gives when new.
#[inline]
fn intern<'a>(
    table: &mut WordTable<u32>,
    keys: &mut Vec<PostKey<'a>>,
    word: &str,
    packed: Packed,
    owned: impl FnOnce() -> Cow<'a, str>,
) -> u32 {
    let same = |id: u32| {
        let key = &keys[id as usize];
        packed.same_word(word.as_bytes(), &key.packed, || key.text.as_bytes())
    };
    match table.find(&packed, same) {
        Place::Found(id) => id,
        Place::Vacant(at) => {
            let id = keys.len() as u32;
            table.insert(at, id);
            keys.push(PostKey {
                text: owned(),
                packed,
                halves: 0,
            });
            id
        }
    }
}

/// One of a post's distinct feature keys.
struct PostKey<'a> {
    text: Cow<'a, str>,
    packed: Packed,
    /// Its zone-weighted count, in halves.
    halves: u32,
}

/// A post's distinct feature keys, and the order of the keys' bytes, in which the norm and the
/// scores are summed.
struct PostKeys<'a> {
    keys: Vec<PostKey<'a>>,
    /// Indexes into `keys` (the bits `low` masks, the rest being the key's first bytes), in key
    /// order.
    order: Vec<u64>,
    low: u64,
}

impl<'a> PostKeys<'a> {
    /// The keys of the blocks the window holds (the others' token lists may be empty).
    fn collect(blocks: &[TextBlock], tokens: &[Vec<Token<'a>>], window: &Window) -> Self {
        let read = |(i, _): &(usize, _)| window.reads(*i);
        // Most posts have a distinct key for every three to five tokens: sized so the tables
        // rarely grow.
        let capacity = tokens.iter().map(Vec::len).sum::<usize>() / 3;
        let mut table = WordTable::with_capacity(capacity);
        // Keys are moved when their list grows, so it is given room for a few more.
        let mut keys: Vec<PostKey<'a>> = Vec::with_capacity(capacity + capacity / 2);
        // A Han token is its own key (or none, which its length tells), so it is hashed once,
        // straight into the key table. Han tokens take their own pass, whose loop is short enough
        // to keep what it needs in registers.
        for (_, (block, tokens)) in blocks.iter().zip(tokens).enumerate().filter(read) {
            let halves = zone_halves(block.zone);
            for token in tokens {
                if token.kind == TokenKind::Han && is_han_key(token.text) {
                    let packed = Packed::new(token.text.as_bytes());
                    let key = intern(&mut table, &mut keys, token.text, packed, || {
                        Cow::Borrowed(token.text)
                    });
                    keys[key as usize].halves += halves;
                }
            }
        }
        // A Latin token's key takes a pass over its letters and may be a lowercased copy, so that
        // is worked out once per distinct Latin token: `latin` holds each one with the index of
        // its key in `keys` (or NO_KEY).
        let mut latin_seen = WordTable::<u32>::with_capacity(capacity / 2);
        let mut latin: Vec<(Packed, &'a str, u32)> = Vec::with_capacity(capacity / 2);
        let mut lower = String::new();
        for (_, (block, tokens)) in blocks.iter().zip(tokens).enumerate().filter(read) {
            let halves = zone_halves(block.zone);
            for token in tokens.iter().filter(|t| t.kind == TokenKind::Latin) {
                let packed = Packed::new(token.text.as_bytes());
                let same = |id: u32| {
                    let (seen, text, _) = &latin[id as usize];
                    packed.same_word(token.text.as_bytes(), seen, || text.as_bytes())
                };
                let key = match latin_seen.find(&packed, same) {
                    Place::Found(id) => latin[id as usize].2,
                    Place::Vacant(at) => {
                        let key = match key_form(token.text, token.kind, &mut lower) {
                            None => NO_KEY,
                            Some(false) => {
                                intern(&mut table, &mut keys, token.text, packed, || {
                                    Cow::Borrowed(token.text)
                                })
                            }
                            Some(true) => {
                                let packed = Packed::new(lower.as_bytes());
                                intern(&mut table, &mut keys, &lower, packed, || {
                                    Cow::Owned(lower.clone())
                                })
                            }
                        };
                        latin_seen.insert(at, latin.len() as u32);
                        latin.push((packed, token.text, key));
                        key
                    }
                };
                if let Some(key) = keys.get_mut(key as usize) {
                    key.halves += halves;
                }
            }
        }
        // One number per key, sorted as plain integers: its first eight bytes (as a big-endian
        // number) above, its index in the low bits that indexes need. Sorting those numbers
        // orders the keys by their first bytes, less the few low bits the index took; keys that
        // share the rest are then put in order among themselves.
        let bits = u32::BITS - (keys.len() as u32).leading_zeros();
        let low = (1u64 << bits) - 1;
        let mut order: Vec<u64> = keys
            .iter()
            .enumerate()
            .map(|(i, key)| (key.packed.prefix() & !low) | i as u64)
            .collect();
        order.sort_unstable();
        let text = |entry: &u64| keys[(entry & low) as usize].text.as_ref();
        for same in order.chunk_by_mut(|a, b| (a ^ b) <= low) {
            if same.len() > 1 {
                same.sort_unstable_by(|a, b| text(a).cmp(text(b)));
            }
        }
        Self { keys, order, low }
    }

    /// The key an entry of `order` stands for.
    #[inline]
    fn key(&self, entry: u64) -> &PostKey<'a> {
        &self.keys[(entry & self.low) as usize]
    }

    /// The keys with their damped strength, in key order.
    fn sorted(&self) -> impl Iterator<Item = (&PostKey<'a>, f32)> + '_ {
        self.order.iter().map(|&entry| {
            let key = self.key(entry);
            (key, damped(key.halves))
        })
    }
}

/// A post's features as the scorer reads them: the trigger keywords among its keys with their
/// damped strength, in key order, and the norm over all of its keys.
#[derive(Debug, Clone, Default)]
pub struct PostFeatures<'a> {
    /// (keyword id, strength); keyword ids are in key order.
    keywords: Vec<(u32, f32)>,
    norm: f32,
    channel: Option<&'a str>,
}

impl<'a> PostFeatures<'a> {
    /// The same features with the post's channel, when it names one.
    pub fn with_channel(mut self, channel: Option<&'a str>) -> Self {
        self.channel = channel.map(str::trim).filter(|c| !c.is_empty());
        self
    }
}

/// The length of a feature vector from its strengths in key order; trigger weights apply to
/// strengths divided by it, so long posts do not win by size alone.
fn norm(strengths: impl Iterator<Item = f32>) -> f32 {
    strengths.map(|s| s * s).sum::<f32>().sqrt().max(1e-6)
}

impl Features {
    /// Collects features from the blocks of a post's [`Window`], as a fill reads them: per key,
    /// the zone-weighted count, damped.
    pub fn from_blocks(blocks: &[TextBlock], segmenter: &Segmenter) -> Self {
        let window = Window::of(blocks);
        let tokens = segmenter.segment_blocks_where(blocks, |i| window.reads(i));
        Self {
            weights: PostKeys::collect(blocks, &tokens, &window)
                .sorted()
                .map(|(k, s)| (k.text.clone().into_owned(), s))
                .collect(),
            channel: None,
        }
    }

    /// The same features with the post's channel, when it names one.
    pub fn with_channel(mut self, channel: Option<&str>) -> Self {
        self.channel = channel
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        self
    }

    /// The length of the post's feature vector; trigger weights apply to strengths divided by it,
    /// so long posts do not win by size alone.
    pub fn norm(&self) -> f32 {
        norm(self.weights.values().copied())
    }
}

/// Thresholds and weights of the topic scorer, in one place.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicWeights {
    /// Score added for a literal alias hit.
    pub alias_hit: f32,
    /// Tags written whatever the relative cut.
    pub min_tags: usize,
    /// Most tags written.
    pub max_tags: usize,
    /// A tag is kept only above this score.
    pub min_score: f32,
    /// Past the first `min_tags`, a tag is kept only when its score reaches this share of the
    /// best tag's score.
    pub relative_cut: f32,
    /// Weight of the area scores when choosing the category and area as a pair.
    pub area_weight: f32,
    /// Weight of the log share of a category's posts in an area, in the same choice.
    pub share_weight: f32,
}

impl Default for TopicWeights {
    /// Tuned on a validation fold (learning from the other posts and the label rows).
    fn default() -> Self {
        Self {
            alias_hit: 0.05,
            min_tags: 3,
            max_tags: 7,
            min_score: -1.0,
            relative_cut: 0.65,
            area_weight: 1.0,
            share_weight: 0.3,
        }
    }
}

/// A scored candidate with the triggers that fired for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicCandidate {
    /// The tag, category or area.
    pub name: String,
    /// Its score.
    pub score: f32,
    /// Whether it is written.
    pub passed: bool,
    /// The strongest triggers that fired: keyword and contribution.
    pub evidence: Vec<(String, f32)>,
}

/// What the scorer suggests for a post.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TopicSuggestion {
    /// Tag candidates, best first.
    pub tags: Vec<TopicCandidate>,
    /// Category candidates, best first.
    pub categories: Vec<TopicCandidate>,
    /// Area candidates, best first.
    pub areas: Vec<TopicCandidate>,
}

impl TopicSuggestion {
    /// The tags to write.
    pub fn chosen_tags(&self) -> Vec<String> {
        self.tags
            .iter()
            .filter(|c| c.passed)
            .map(|c| c.name.clone())
            .collect()
    }

    /// The category to write.
    pub fn chosen_category(&self) -> Option<String> {
        self.categories
            .iter()
            .find(|c| c.passed)
            .map(|c| c.name.clone())
    }

    /// The area to write.
    pub fn chosen_area(&self) -> Option<String> {
        self.areas.iter().find(|c| c.passed).map(|c| c.name.clone())
    }
}

/// Every keyword's trigger hits for the three kinds of label (tags, categories, areas) in one
/// array, the classes of all kinds numbered as one (tags first, then categories, then areas): a
/// post's keywords are sparse among the model's, so each costs its own cache misses, and one walk
/// over a keyword's hits of every kind, side by side, scores the three kinds where three tables
/// of their own cost three sets of misses (and loops) per keyword.
#[derive(Debug, PartialEq)]
struct HitTable {
    /// Per keyword id, where its hits start in `hits`; one more entry than there are keywords.
    offsets: Vec<u32>,
    /// (class number, weight), grouped by keyword, in class order within a keyword.
    hits: Vec<(u32, f32)>,
    /// Where each kind's classes start in the numbering, then their total.
    bases: [u32; KINDS + 1],
    /// Every class's bias, by number.
    biases: Vec<f32>,
}

/// The kinds of label in a [`HitTable`], in its order.
const KINDS: usize = 3;
/// Each kind's place in a [`HitTable`]'s numbering.
const TAGS: usize = 0;
const CATEGORIES: usize = 1;
const AREAS: usize = 2;

impl HitTable {
    fn new(keywords: usize, kinds: [&[ScorerClass<'_>]; KINDS]) -> Self {
        let mut bases = [0u32; KINDS + 1];
        for (kind, classes) in kinds.iter().enumerate() {
            bases[kind + 1] = bases[kind] + classes.len() as u32;
        }
        let classes = || kinds.iter().flat_map(|classes| classes.iter());
        let mut offsets = vec![0u32; keywords + 1];
        for &(keyword, _) in classes().flat_map(|c| &c.triggers) {
            offsets[keyword as usize + 1] += 1;
        }
        for i in 0..keywords {
            offsets[i + 1] += offsets[i];
        }
        let mut next = offsets.clone();
        let mut hits = vec![(0u32, 0f32); offsets[keywords] as usize];
        for (number, class) in classes().enumerate() {
            for &(keyword, weight) in &class.triggers {
                let slot = &mut next[keyword as usize];
                hits[*slot as usize] = (number as u32, weight);
                *slot += 1;
            }
        }
        Self {
            offsets,
            hits,
            bases,
            biases: classes().map(|c| c.bias).collect(),
        }
    }

    /// A keyword's hits of every kind.
    #[inline]
    fn all(&self, keyword: u32) -> &[(u32, f32)] {
        let k = keyword as usize;
        &self.hits[self.offsets[k] as usize..self.offsets[k + 1] as usize]
    }

    /// A keyword's hits of one kind, by class index within the kind.
    fn of(&self, keyword: u32, kind: usize) -> impl ExactSizeIterator<Item = (u32, f32)> + '_ {
        let all = self.all(keyword);
        let (base, end) = (self.bases[kind], self.bases[kind + 1]);
        let from = all.partition_point(|&(class, _)| class < base);
        let to = all.partition_point(|&(class, _)| class < end);
        all[from..to]
            .iter()
            .map(move |&(class, weight)| (class - base, weight))
    }

    /// The kind of a class number, and its index within the kind.
    fn kind_of(&self, number: u32) -> (usize, u32) {
        let kind = self.bases[1..].partition_point(|&end| end <= number);
        (kind, number - self.bases[kind])
    }
}

/// One kind of label (tags, categories or areas) in scoring form.
#[derive(Debug, Clone, PartialEq)]
struct Scorer {
    /// The hits of every kind, shared by the model's three scorers.
    table: Arc<HitTable>,
    /// This scorer's kind in `table`.
    kind: usize,
    /// channel → (class index, weight)
    channels: HashMap<String, Vec<(u32, f32)>>,
    names: Vec<String>,
    /// Per class, its place among the classes ordered by name, then index: ties of score are
    /// broken by comparing these numbers instead of the names.
    rank: Vec<u32>,
    /// The classes by rank.
    by_rank: Vec<u32>,
    /// Per class, where its (keyword id, weight) pairs start in `triggers`; one more entry than
    /// there are classes.
    trigger_offsets: Vec<u32>,
    /// The same pairs as `hits`, grouped by class: the evidence of a few shown classes is
    /// gathered from their own triggers when those are fewer than the post's hits.
    triggers: Vec<(u32, f32)>,
}

/// A tag, category or area as the scorer needs it, from the YAML entries or the precompiled table.
struct ScorerClass<'a> {
    name: &'a str,
    bias: f32,
    channels: Vec<(&'a str, f32)>,
    /// (keyword id, weight)
    triggers: Vec<(u32, f32)>,
}

/// A class's evidence before it is shown: which keyword, alias or channel, and its contribution.
#[derive(Debug, Clone, Copy)]
enum Evidence {
    Keyword(u32),
    Alias(u32),
    Channel,
}

/// What a post brings to a scorer: its keywords (id, strength) in key order, the norm over all
/// of its keys, and its channel.
#[derive(Debug, Clone, Copy)]
struct PostTerms<'p> {
    keywords: &'p [(u32, f32)],
    norm: f32,
    channel: Option<&'p str>,
}

/// Each class's score, and whether anything (a trigger, the channel, an alias) contributed to it.
#[derive(Debug, Default)]
struct Scores {
    score: Vec<f32>,
    fired: Vec<bool>,
}

impl Scores {
    fn add(&mut self, class: u32, contribution: f32) {
        self.score[class as usize] += contribution;
        self.fired[class as usize] = true;
    }

    /// The classes from `at` on, taken off these.
    fn split_off(&mut self, at: u32) -> Scores {
        Scores {
            score: self.score.split_off(at as usize),
            fired: self.fired.split_off(at as usize),
        }
    }
}

impl Scorer {
    fn new(table: Arc<HitTable>, kind: usize, classes: Vec<ScorerClass<'_>>) -> Self {
        let mut channels: HashMap<String, Vec<(u32, f32)>> = HashMap::default();
        let mut names = Vec::with_capacity(classes.len());
        let mut trigger_offsets = vec![0u32];
        let mut triggers = Vec::new();
        for (i, class) in classes.into_iter().enumerate() {
            triggers.extend_from_slice(&class.triggers);
            trigger_offsets.push(triggers.len() as u32);
            names.push(class.name.to_owned());
            for (channel, weight) in class.channels {
                channels
                    .entry(channel.to_owned())
                    .or_default()
                    .push((i as u32, weight));
            }
        }
        let mut by_rank: Vec<u32> = (0..names.len() as u32).collect();
        by_rank.sort_by(|&a, &b| names[a as usize].cmp(&names[b as usize]).then(a.cmp(&b)));
        let mut rank = vec![0u32; names.len()];
        for (r, &class) in by_rank.iter().enumerate() {
            rank[class as usize] = r as u32;
        }
        Self {
            table,
            kind,
            channels,
            names,
            rank,
            by_rank,
            trigger_offsets,
            triggers,
        }
    }

    fn triggers(&self, class: usize) -> &[(u32, f32)] {
        &self.triggers
            [self.trigger_offsets[class] as usize..self.trigger_offsets[class + 1] as usize]
    }

    fn hits(&self, keyword: u32) -> impl ExactSizeIterator<Item = (u32, f32)> + '_ {
        self.table.of(keyword, self.kind)
    }

    /// Each class's score on a walk of its own: its bias, the trigger weights of the post's
    /// keywords (in key order) times their strength divided by the post's norm (as in learning),
    /// then the channel's weights. The reference for [`TopicModel::score_kinds`], which scores
    /// the three kinds on one walk.
    #[cfg(test)]
    fn score(&self, post: PostTerms<'_>) -> Scores {
        let mut scores = self.unscored();
        for &(keyword, strength) in post.keywords {
            for (class, weight) in self.hits(keyword) {
                scores.add(class, weight * strength / post.norm);
            }
        }
        self.add_channel(post.channel, &mut scores);
        scores
    }

    /// Every class at its bias, none fired.
    #[cfg(test)]
    fn unscored(&self) -> Scores {
        let (table, kind) = (&self.table, self.kind);
        let biases = &table.biases[table.bases[kind] as usize..table.bases[kind + 1] as usize];
        Scores {
            score: biases.to_vec(),
            fired: vec![false; biases.len()],
        }
    }

    /// Adds the channel's weights, which come after the keywords'.
    fn add_channel(&self, channel: Option<&str>, scores: &mut Scores) {
        if let Some(channel) = channel {
            for &(class, weight) in self.channels.get(channel).into_iter().flatten() {
                scores.add(class, weight);
            }
        }
    }

    /// Class indexes, best score first (ties by name, then index).
    fn ranked(&self, score: &[f32]) -> Vec<usize> {
        let mut keys: Vec<u64> = (0..score.len()).map(|i| self.order_key(score, i)).collect();
        keys.sort_unstable();
        keys.iter().map(|&key| self.class_of(key)).collect()
    }

    /// A number that orders class `i` best score first, then by name, then by index.
    fn order_key(&self, score: &[f32], i: usize) -> u64 {
        u64::from(!total_order_key(score[i])) << 32 | u64::from(self.rank[i])
    }

    /// The class an [`Self::order_key`] stands for.
    fn class_of(&self, key: u64) -> usize {
        self.by_rank[key as u32 as usize] as usize
    }
}

/// The `n` smallest of `keys`, in order: kept sorted as they come, so that most keys, once `n`
/// are kept, cost one comparison with the largest of them.
fn least(keys: impl Iterator<Item = u64>, n: usize) -> Vec<u64> {
    let mut least = Vec::with_capacity(n + 1);
    for key in keys {
        if least.len() == n && least.last().is_none_or(|&last| key >= last) {
            continue;
        }
        let at = least.partition_point(|&k| k < key);
        least.insert(at, key);
        least.truncate(n);
    }
    least
}

/// A number whose order is [`f32::total_cmp`]'s: the sign bit flipped for positive numbers, every
/// bit for negative ones.
fn total_order_key(x: f32) -> u32 {
    let bits = x.to_bits();
    if bits & 0x8000_0000 == 0 {
        bits | 0x8000_0000
    } else {
        !bits
    }
}

/// The number whose [`total_order_key`] is `key`: the bits it was made from.
fn from_total_order_key(key: u32) -> f32 {
    f32::from_bits(if key & 0x8000_0000 != 0 {
        key & !0x8000_0000
    } else {
        !key
    })
}

/// The loaded tag vocabulary and taxonomy, ready to score posts.
#[derive(Debug, Clone)]
pub struct TopicModel {
    /// Every trigger keyword, sorted; a keyword's id is its index.
    keywords: Vec<Cow<'static, str>>,
    /// Keyword to id.
    keyword_table: WordTable<Packed>,
    tags: Scorer,
    tag_aliases: Vec<(String, u32)>,
    alias_matcher: AliasMatcher,
    categories: Scorer,
    category_areas: Vec<Vec<(String, f32)>>,
    areas: Scorer,
    /// Scoring weights.
    pub weights: TopicWeights,
}

impl PartialEq for TopicModel {
    /// The alias matcher is built from `tag_aliases`, so comparing those compares it.
    fn eq(&self, other: &Self) -> bool {
        self.keywords == other.keywords
            && self.tags == other.tags
            && self.tag_aliases == other.tag_aliases
            && self.categories == other.categories
            && self.category_areas == other.category_areas
            && self.areas == other.areas
            && self.weights == other.weights
    }
}

/// What a model is assembled from, whether it was read from YAML or from the precompiled table.
struct ModelParts<'a> {
    keywords: Vec<Cow<'static, str>>,
    tags: Vec<ScorerClass<'a>>,
    tag_aliases: Vec<Vec<&'a str>>,
    categories: Vec<ScorerClass<'a>>,
    category_areas: Vec<Vec<(&'a str, f32)>>,
    areas: Vec<ScorerClass<'a>>,
}

impl TopicModel {
    /// Builds a model from parsed tag entries and taxonomy.
    pub fn new(tags: &[TagEntry], taxonomy: &Taxonomy) -> Self {
        let keywords = trigger_keywords(tags, taxonomy);
        let ids: HashMap<&str, u32> = keywords
            .iter()
            .enumerate()
            .map(|(i, k)| (*k, i as u32))
            .collect();
        let class =
            |name, bias, channels, triggers| yaml_class(&ids, name, bias, channels, triggers);
        Self::assemble(ModelParts {
            keywords: keywords
                .iter()
                .map(|k| Cow::Owned((*k).to_owned()))
                .collect(),
            tags: tags
                .iter()
                .map(|t| class(&t.name, t.bias, &t.channels, &t.triggers))
                .collect(),
            tag_aliases: tags
                .iter()
                .map(|t| t.aliases.iter().map(String::as_str).collect())
                .collect(),
            categories: taxonomy
                .categories
                .iter()
                .map(|c| class(&c.name, c.bias, &c.channels, &c.triggers))
                .collect(),
            category_areas: taxonomy
                .categories
                .iter()
                .map(|c| c.areas.iter().map(|(a, s)| (a.as_str(), *s)).collect())
                .collect(),
            areas: taxonomy
                .areas
                .iter()
                .map(|a| class(&a.name, a.bias, &a.channels, &a.triggers))
                .collect(),
        })
    }

    fn assemble(parts: ModelParts<'_>) -> Self {
        let mut tag_aliases = Vec::new();
        for (i, (tag, aliases)) in parts.tags.iter().zip(&parts.tag_aliases).enumerate() {
            // The tag itself, spaced out, is a literal form too when it is specific enough.
            let spaced = tag.name.replace('-', " ");
            let implicit = (spaced.contains(' ') || spaced.len() >= 8).then_some(spaced);
            for alias in aliases.iter().map(|a| (*a).to_owned()).chain(implicit) {
                tag_aliases.push((alias.to_lowercase(), i as u32));
            }
        }
        let alias_matcher = AliasMatcher::new(tag_aliases.iter().map(|(a, _)| a.as_str()));
        // Evidence compares keywords by id, which must then be their order.
        debug_assert!(parts.keywords.windows(2).all(|w| w[0] < w[1]));
        let n = parts.keywords.len();
        let table = Arc::new(HitTable::new(
            n,
            [&parts.tags, &parts.categories, &parts.areas],
        ));
        let mut keyword_table = WordTable::with_capacity(n);
        for (id, keyword) in parts.keywords.iter().enumerate() {
            let packed = Packed::new(keyword.as_bytes());
            // Keywords are distinct (a sorted set), so each is new here.
            if let Place::Vacant(at) = keyword_table.find(&packed, |_| false) {
                keyword_table.insert(at, id as u32);
            }
        }
        Self {
            keyword_table,
            keywords: parts.keywords,
            tags: Scorer::new(Arc::clone(&table), TAGS, parts.tags),
            tag_aliases,
            alias_matcher,
            categories: Scorer::new(Arc::clone(&table), CATEGORIES, parts.categories),
            category_areas: parts
                .category_areas
                .into_iter()
                .map(|areas| areas.into_iter().map(|(a, s)| (a.to_owned(), s)).collect())
                .collect(),
            areas: Scorer::new(table, AREAS, parts.areas),
            weights: TopicWeights::default(),
        }
    }

    /// Reads `tags.yaml` and `taxonomy.yaml` from text.
    ///
    /// # Errors
    /// Malformed YAML or unknown keys, naming the file and line.
    pub fn from_yaml(
        tags_path: &Path,
        tags_yaml: &str,
        taxonomy_path: &Path,
        taxonomy_yaml: &str,
    ) -> Result<Self> {
        let tags = parse_tags(tags_path, tags_yaml)?;
        let taxonomy = parse_taxonomy(taxonomy_path, taxonomy_yaml)?;
        Ok(Self::new(&tags, &taxonomy))
    }

    /// The shipped tag vocabulary and taxonomy (learned from the whole corpus), from the table
    /// the build precompiled from them, else from their YAML.
    ///
    /// # Errors
    /// Only if the shipped files are malformed, which the tests rule out.
    pub fn shipped() -> Result<Self> {
        if let Some(parts) = compiled::shipped_parts() {
            return Ok(Self::assemble(parts));
        }
        Self::from_yaml(
            Path::new("dictionaries/tags.yaml"),
            SHIPPED_TAGS,
            Path::new("dictionaries/taxonomy.yaml"),
            SHIPPED_TAXONOMY,
        )
    }

    /// Reads `tags.yaml` and `taxonomy.yaml` from the last of `dirs` that has a `tags.yaml`
    /// (checked now), else names the shipped ones when `builtin` holds (parsed when first used),
    /// else none.
    ///
    /// # Errors
    /// A file cannot be read or does not follow the format.
    pub fn locate_layers(builtin: bool, dirs: &[PathBuf]) -> Result<Option<TopicSource>> {
        if !dirs.iter().any(|d| d.join("tags.yaml").is_file()) {
            return Ok(builtin.then_some(TopicSource::Shipped));
        }
        Ok(Self::load_layers(false, dirs)?.map(|m| TopicSource::Files(Box::new(m))))
    }

    /// Loads `tags.yaml` and `taxonomy.yaml` from the last of `dirs` that has a `tags.yaml`, else
    /// the shipped ones when `builtin` holds, else none.
    ///
    /// # Errors
    /// An unreadable or malformed file, naming the file and line.
    pub fn load_layers(builtin: bool, dirs: &[PathBuf]) -> Result<Option<Self>> {
        let Some(dir) = dirs.iter().rev().find(|d| d.join("tags.yaml").is_file()) else {
            return if builtin {
                Self::shipped().map(Some)
            } else {
                Ok(None)
            };
        };
        let (tags, taxonomy) = (dir.join("tags.yaml"), dir.join("taxonomy.yaml"));
        let read = |path: &Path| {
            std::fs::read_to_string(path).map_err(|source| Error::Read {
                path: path.to_path_buf(),
                source,
            })
        };
        Self::from_yaml(&tags, &read(&tags)?, &taxonomy, &read(&taxonomy)?).map(Some)
    }

    /// Pairs of tags that stem alike (`ai-agent`/`ai-agents`): learning merges these, so a pair
    /// here was added by hand and should become one tag with the other as an alias.
    pub fn near_duplicate_tags(&self) -> Vec<(String, String)> {
        let mut by_stem: BTreeMap<String, &str> = BTreeMap::new();
        let mut pairs = Vec::new();
        for name in &self.tags.names {
            match by_stem.entry(learn::tag_stem(name)) {
                std::collections::btree_map::Entry::Occupied(first) => {
                    pairs.push(((*first.get()).to_owned(), name.clone()));
                }
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(name);
                }
            }
        }
        pairs
    }

    /// A post's features from the blocks its window holds, already segmented
    /// ([`Segmenter::segment_blocks_where`]): the norm over all of their keys, and the strengths
    /// of those that are trigger keywords.
    pub fn post_features<'a>(
        &self,
        blocks: &[TextBlock],
        tokens: &[Vec<Token<'_>>],
        window: &Window,
    ) -> PostFeatures<'a> {
        let keys = PostKeys::collect(blocks, tokens, window);
        let mut strengths = Vec::with_capacity(keys.order.len());
        let mut keywords = Vec::new();
        // The keyword table's first slots of a batch of keys are read before any of them is
        // looked up, so that their cache misses overlap (`WordTable::first_slot`).
        let mut firsts = [FirstSlot::default(); READ_AHEAD];
        for batch in keys.order.chunks(READ_AHEAD) {
            for (first, &entry) in firsts.iter_mut().zip(batch) {
                *first = self.keyword_table.first_slot(&keys.key(entry).packed);
            }
            for (&entry, &first) in batch.iter().zip(&firsts) {
                let key = keys.key(entry);
                let strength = damped(key.halves);
                strengths.push(strength);
                if let Some(id) = self.keyword_id(&key.text, &key.packed, Some(first)) {
                    keywords.push((id, strength));
                }
            }
        }
        PostFeatures {
            keywords,
            norm: norm(strengths.into_iter()),
            channel: None,
        }
    }

    /// Scores a post from its collected features, each shown candidate with its strongest
    /// pieces of evidence.
    pub fn suggest_post(&self, features: &PostFeatures<'_>, body: &str) -> TopicSuggestion {
        self.score_post(
            &features.keywords,
            features.norm,
            features.channel,
            body,
            true,
        )
    }

    /// What [`Self::suggest_post`] suggests, without the evidence (every candidate's list is
    /// empty): the same candidates, scores and choices, for a caller that writes the choices and
    /// shows no reasons, at the cost of the scores alone.
    pub fn choose_post(&self, features: &PostFeatures<'_>, body: &str) -> TopicSuggestion {
        self.score_post(
            &features.keywords,
            features.norm,
            features.channel,
            body,
            false,
        )
    }

    /// Scores a post.
    pub fn suggest(&self, features: &Features, body: &str) -> TopicSuggestion {
        let keywords: Vec<(u32, f32)> = features
            .weights
            .iter()
            .filter_map(|(k, s)| {
                self.keyword_id(k, &Packed::new(k.as_bytes()), None)
                    .map(|id| (id, *s))
            })
            .collect();
        self.score_post(
            &keywords,
            features.norm(),
            features.channel.as_deref(),
            body,
            true,
        )
    }

    /// A trigger keyword's id, from the table's first slot for it when that was read ahead.
    #[inline]
    fn keyword_id(&self, word: &str, packed: &Packed, first: Option<FirstSlot>) -> Option<u32> {
        let same = |id: u32| packed.is_whole() || self.keywords[id as usize] == word;
        match self.keyword_table.find_from(packed, first, same) {
            Place::Found(id) => Some(id),
            Place::Vacant(_) => None,
        }
    }

    /// Which aliases occur in a post's text (the body text of its window,
    /// [`crate::window::Window::body_text`]) as whole words, by index in `tag_aliases`, in order
    /// and once each: a post holds a few, so they are gathered from the matches rather than
    /// marked among every alias of the model.
    fn alias_hits(&self, body: &str) -> Vec<u32> {
        let mut hit = Vec::new();
        let bytes = body.as_bytes();
        let bounded = |i: Option<&u8>| i.is_none_or(|b| !b.is_ascii_alphanumeric());
        let mut record = |start: usize, end: usize, alias: u32| {
            let before = start.checked_sub(1).and_then(|i| bytes.get(i));
            if bounded(before) && bounded(bytes.get(end)) {
                hit.push(alias);
            }
        };
        match &self.alias_matcher {
            AliasMatcher::Scanner(scanner) => {
                for (start, end, alias) in scanner.find(body) {
                    record(start, end, alias);
                }
            }
            AliasMatcher::General(Some(matcher)) => {
                for m in matcher.find_iter(body) {
                    record(m.start(), m.end(), m.pattern().as_u32());
                }
            }
            AliasMatcher::General(None) => {}
        }
        hit.sort_unstable();
        hit.dedup();
        hit
    }

    /// The tag, category and area scores of a post, in that order, on one walk over its keywords'
    /// hits: each class's sum takes the same terms in the same order as [`Scorer::score`]'s walk
    /// of its own kind. `note` is told each keyword's contribution to a class (class number in
    /// the [`HitTable`], keyword, contribution) as it is added.
    #[inline]
    fn score_kinds(
        &self,
        post: PostTerms<'_>,
        mut note: impl FnMut(u32, u32, f32),
    ) -> [Scores; KINDS] {
        let table = &self.tags.table;
        let mut all = Scores {
            score: table.biases.clone(),
            fired: vec![false; table.biases.len()],
        };
        for &(keyword, strength) in post.keywords {
            for &(class, weight) in table.all(keyword) {
                let contribution = weight * strength / post.norm;
                all.add(class, contribution);
                note(class, keyword, contribution);
            }
        }
        let areas = all.split_off(table.bases[AREAS]);
        let categories = all.split_off(table.bases[CATEGORIES]);
        let mut scores = [all, categories, areas];
        for (scorer, scores) in [&self.tags, &self.categories, &self.areas]
            .into_iter()
            .zip(&mut scores)
        {
            scorer.add_channel(post.channel, scores);
        }
        scores
    }

    /// Scores a post from its keywords (id, strength) in key order, its norm over all of its
    /// keys, and its channel. Contributions are added in key order, as learning assumes. Without
    /// `evidence` the candidates are the same but their evidence lists stay empty: no score or
    /// choice reads evidence.
    fn score_post(
        &self,
        keywords: &[(u32, f32)],
        post_norm: f32,
        channel: Option<&str>,
        body: &str,
        evidence: bool,
    ) -> TopicSuggestion {
        let w = &self.weights;
        let post = PostTerms {
            keywords,
            norm: post_norm,
            channel,
        };
        let speaker = channel
            .filter(|_| evidence)
            .map(|c| format!("speaker: {c}"));
        let shown = evidence.then(|| EvidenceNames {
            model: self,
            speaker: speaker.as_deref().unwrap_or_default(),
            post,
        });
        // Every area is shown and any category may be, so their evidence is gathered on the
        // scoring walk rather than by walking the post's hits again.
        let ([mut tag_scores, category_scores, area_scores], [category_evidence, area_evidence]) =
            match &shown {
                Some(shown) => {
                    let (scores, [categories, areas]) = shown.score_with_evidence();
                    (scores, [Some(categories), Some(areas)])
                }
                None => (self.score_kinds(post, |_, _, _| {}), [None, None]),
            };
        let aliases: Vec<(u32, Evidence, f32)> = (self.alias_hits(body).into_iter())
            .map(|i| {
                (
                    self.tag_aliases[i as usize].1,
                    Evidence::Alias(i),
                    w.alias_hit,
                )
            })
            .collect();
        for &(tag, _, contribution) in &aliases {
            tag_scores.add(tag, contribution);
        }
        let candidates = |scorer: &Scorer,
                          score: &[f32],
                          classes: &[usize],
                          extra: &[(u32, Evidence, f32)],
                          collected: Option<&KeywordTops>| match &shown {
            Some(shown) => shown.candidates(scorer, score, classes, extra, collected),
            None => (classes.iter())
                .map(|&class| TopicCandidate {
                    name: scorer.names[class].clone(),
                    score: score[class],
                    passed: false,
                    evidence: Vec::new(),
                })
                .collect(),
        };
        // Only the best tags are shown, so only they become candidates with named evidence.
        let score = &tag_scores.score;
        // Best first, ties by name, then by index (as a stable sort would leave them), as one
        // number per tag: only the first twenty are kept.
        let keys = least(
            (0..score.len())
                .filter(|&i| tag_scores.fired[i] && score[i] >= w.min_score)
                .map(|i| self.tags.order_key(score, i)),
            20,
        );
        let order: Vec<usize> = keys.iter().map(|&key| self.tags.class_of(key)).collect();
        let best = order.first().map_or(0.0, |&i| score[i]);
        let tags = candidates(&self.tags, score, &order, &aliases, None)
            .into_iter()
            .enumerate()
            .map(|(rank, mut tag)| {
                tag.passed =
                    rank < w.max_tags && (rank < w.min_tags || tag.score >= best * w.relative_cut);
                tag
            })
            .collect();

        let mut areas = candidates(
            &self.areas,
            &area_scores.score,
            &self.areas.ranked(&area_scores.score),
            &[],
            area_evidence.as_ref(),
        );
        let area_score: BTreeMap<&str, f32> =
            areas.iter().map(|a| (a.name.as_str(), a.score)).collect();
        let mut categories = self.categories.ranked(&category_scores.score);
        // Category and area are chosen as a pair: the category's score, the area's, and how often
        // the category's posts are in that area (most categories belong to one area only).
        let mut best: Option<(f32, usize, &str)> = None;
        // Biases alone are no reason: a post where no trigger or channel fired (an empty one)
        // gets no category rather than the commonest.
        let fired = category_scores.fired.iter().any(|&f| f);
        for (rank, &category) in categories.iter().enumerate().filter(|_| fired) {
            let name = &self.categories.names[category];
            let Some(index) = self.categories.names.iter().position(|n| n == name) else {
                continue;
            };
            for (area, share) in &self.category_areas[index] {
                let Some(area_score) = area_score.get(area.as_str()) else {
                    continue;
                };
                let s = category_scores.score[category]
                    + w.area_weight * area_score
                    + w.share_weight * share.max(1e-3).ln();
                if best.is_none_or(|(b, _, _)| s > b) {
                    best = Some((s, rank, area.as_str()));
                }
            }
        }
        let chosen_area = best.map(|(_, _, a)| a.to_owned());
        if let Some((_, rank, _)) = best {
            // The written category goes first, so it survives the cut below.
            let chosen = categories.remove(rank);
            categories.insert(0, chosen);
        }
        categories.truncate(5);
        let mut categories = candidates(
            &self.categories,
            &category_scores.score,
            &categories,
            &[],
            category_evidence.as_ref(),
        );
        if let Some(chosen) = categories.first_mut().filter(|_| best.is_some()) {
            chosen.passed = true;
        }
        for area in &mut areas {
            area.passed = chosen_area.as_deref() == Some(area.name.as_str());
        }
        TopicSuggestion {
            tags,
            categories,
            areas,
        }
    }
}

/// How a model finds the literal aliases of its tags.
#[derive(Debug, Clone)]
enum AliasMatcher {
    /// The usual case.
    Scanner(Box<AliasScanner>),
    /// When an alias is empty (it matches everywhere, as the general matcher says where).
    General(Option<AhoCorasick>),
}

impl AliasMatcher {
    fn new<'s>(aliases: impl Iterator<Item = &'s str> + Clone) -> Self {
        match AliasScanner::new(aliases.clone()) {
            Some(scanner) => Self::Scanner(Box::new(scanner)),
            None => Self::General(
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(aliases)
                    .ok(),
            ),
        }
    }
}

/// A post's keywords by id, to look up the strength of a class's trigger: a small open-addressing
/// table sized to the post rather than an array over every keyword of the model.
struct KeywordPlaces {
    /// (keyword id, strength); [`NO_KEY`] marks an empty slot.
    slots: Vec<(u32, f32)>,
    shift: u32,
}

impl KeywordPlaces {
    fn new(keywords: &[(u32, f32)]) -> Self {
        let size = (keywords.len() * 2).max(8).next_power_of_two();
        let mut places = Self {
            slots: vec![(NO_KEY, 0.0); size],
            shift: 64 - size.trailing_zeros(),
        };
        let mask = size - 1;
        for &(keyword, strength) in keywords {
            let mut i = places.first_slot(keyword);
            while places.slots[i].0 != NO_KEY && places.slots[i].0 != keyword {
                i = (i + 1) & mask;
            }
            places.slots[i] = (keyword, strength);
        }
        places
    }

    fn first_slot(&self, keyword: u32) -> usize {
        (u64::from(keyword).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// The strength of `keyword` in the post, if it has it.
    fn strength(&self, keyword: u32) -> Option<f32> {
        let mask = self.slots.len() - 1;
        let mut i = self.first_slot(keyword);
        loop {
            match self.slots[i] {
                (NO_KEY, _) => return None,
                (k, strength) if k == keyword => return Some(strength),
                _ => i = (i + 1) & mask,
            }
        }
    }
}

/// Each class's five strongest keywords so far, gathered while the classes are scored: per class
/// five order keys, best first, in one flat array. A key is the contribution's
/// [`total_order_key`] inverted above the keyword id, so that one integer comparison orders two
/// pieces of keyword evidence as [`EvidenceNames::order`] does (stronger first, then by id, which
/// is the keywords' order); [`NO_EVIDENCE`] marks an empty place (no keyword id is `u32::MAX`).
struct KeywordTops {
    keys: Vec<[u64; 5]>,
}

/// An empty place in [`KeywordTops`]: every key of real evidence is smaller.
const NO_EVIDENCE: u64 = u64::MAX;

impl KeywordTops {
    fn new(classes: usize) -> Self {
        Self {
            keys: vec![[NO_EVIDENCE; 5]; classes],
        }
    }

    /// Offers a keyword's contribution to a class; most lose to its fifth and stop there.
    #[inline]
    fn offer(&mut self, class: usize, keyword: u32, contribution: f32) {
        let key = u64::from(!total_order_key(contribution)) << 32 | u64::from(keyword);
        let top = &mut self.keys[class];
        if key >= top[4] {
            return;
        }
        let mut at = 4;
        while at > 0 && top[at - 1] > key {
            top[at] = top[at - 1];
            at -= 1;
        }
        top[at] = key;
    }

    /// A class's keyword evidence, best first.
    fn evidence(&self, class: usize) -> Vec<(Evidence, f32)> {
        (self.keys[class].iter())
            .take_while(|&&key| key != NO_EVIDENCE)
            .map(|&key| {
                let contribution = from_total_order_key(!((key >> 32) as u32));
                (Evidence::Keyword(key as u32), contribution)
            })
            .collect()
    }
}

/// Turns a post's evidence into the keywords, aliases and channel it names.
struct EvidenceNames<'m> {
    model: &'m TopicModel,
    speaker: &'m str,
    post: PostTerms<'m>,
}

impl EvidenceNames<'_> {
    fn name(&self, evidence: Evidence) -> &str {
        match evidence {
            Evidence::Keyword(id) => &self.model.keywords[id as usize],
            Evidence::Alias(i) => &self.model.tag_aliases[i as usize].0,
            Evidence::Channel => self.speaker,
        }
    }

    /// The post's scores of every kind ([`TopicModel::score_kinds`]) and, per category and per
    /// area, its five strongest keywords (what [`Self::keyword_evidence`] finds), gathered on the
    /// one walk over the post's hits.
    fn score_with_evidence(&self) -> ([Scores; KINDS], [KeywordTops; 2]) {
        let model = self.model;
        let mut tops = [&model.categories, &model.areas].map(|s| KeywordTops::new(s.names.len()));
        let table = &model.tags.table;
        let scores = model.score_kinds(self.post, |number, keyword, contribution| {
            let (kind, class) = table.kind_of(number);
            if let Some(tops) = kind.checked_sub(CATEGORIES).and_then(|k| tops.get_mut(k)) {
                tops.offer(class as usize, keyword, contribution);
            }
        });
        (scores, tops)
    }

    /// The given classes of a scorer as candidates, none yet written, each with its five
    /// strongest pieces of evidence (ties by name), gathered from each class's own triggers and
    /// the channel. `extra` adds contributions the scorer does not know (aliases); `collected`
    /// is every class's keyword evidence when [`Self::score_with_evidence`] gathered it already
    /// (the given classes' lists are read from it).
    fn candidates(
        &self,
        scorer: &Scorer,
        score: &[f32],
        classes: &[usize],
        extra: &[(u32, Evidence, f32)],
        collected: Option<&KeywordTops>,
    ) -> Vec<TopicCandidate> {
        let mut slot = vec![usize::MAX; score.len()];
        for (k, &class) in classes.iter().enumerate() {
            slot[class] = k;
        }
        let mut strongest = match collected {
            Some(collected) => (classes.iter())
                .map(|&class| collected.evidence(class))
                .collect(),
            None => {
                // The post's keywords fire the classes' triggers: walked from whichever side is
                // shorter, the shown classes' triggers (a few tags) or the post's hits (thousands
                // of triggers for an area).
                // The hits are counted only until they outnumber the triggers.
                let by_class: usize = classes.iter().map(|&c| scorer.triggers(c).len()).sum();
                let mut by_keyword = 0;
                let from_classes = self.post.keywords.iter().any(|&(k, _)| {
                    by_keyword += scorer.hits(k).len();
                    by_class < by_keyword
                });
                self.keyword_evidence(scorer, classes, &slot, from_classes)
            }
        };
        let channel = self.post.channel.and_then(|c| scorer.channels.get(c));
        let channel = channel
            .into_iter()
            .flatten()
            .map(|&(class, weight)| (class, Evidence::Channel, weight));
        for (class, evidence, contribution) in channel.chain(extra.iter().copied()) {
            if let Some(shown) = strongest.get_mut(slot[class as usize]) {
                self.offer(shown, evidence, contribution);
            }
        }
        classes
            .iter()
            .zip(strongest)
            .map(|(&class, evidence)| TopicCandidate {
                name: scorer.names[class].clone(),
                score: score[class],
                passed: false,
                evidence: evidence
                    .into_iter()
                    .map(|(e, c)| (self.name(e).to_owned(), c))
                    .collect(),
            })
            .collect()
    }

    /// Per class of `classes` (whose index in it `slot` gives), the five strongest keywords that
    /// fired it, walked from the classes' triggers or from the post's keywords: keywords are
    /// distinct, so the five do not depend on the order of offers.
    fn keyword_evidence(
        &self,
        scorer: &Scorer,
        classes: &[usize],
        slot: &[usize],
        by_class: bool,
    ) -> Vec<Vec<(Evidence, f32)>> {
        // By place in `classes`.
        let mut tops = KeywordTops::new(classes.len());
        if by_class {
            let places = KeywordPlaces::new(self.post.keywords);
            for (k, &class) in classes.iter().enumerate() {
                for &(keyword, weight) in scorer.triggers(class) {
                    if let Some(strength) = places.strength(keyword) {
                        let contribution = weight * strength / self.post.norm;
                        tops.offer(k, keyword, contribution);
                    }
                }
            }
        } else {
            for &(keyword, strength) in self.post.keywords {
                for (class, weight) in scorer.hits(keyword) {
                    let k = slot[class as usize];
                    if k != usize::MAX {
                        let contribution = weight * strength / self.post.norm;
                        tops.offer(k, keyword, contribution);
                    }
                }
            }
        }
        (0..classes.len()).map(|k| tops.evidence(k)).collect()
    }

    /// Best first, ties by name; keyword ids are in the keywords' order, so two keywords compare
    /// by id.
    fn order(&self, a: &(Evidence, f32), b: &(Evidence, f32)) -> std::cmp::Ordering {
        b.1.total_cmp(&a.1).then_with(|| match (a.0, b.0) {
            (Evidence::Keyword(x), Evidence::Keyword(y)) => x.cmp(&y),
            _ => self.name(a.0).cmp(self.name(b.0)),
        })
    }

    /// Offers a piece of evidence to a class's list, kept sorted and at most five long.
    #[inline]
    fn offer(&self, shown: &mut Vec<(Evidence, f32)>, evidence: Evidence, contribution: f32) {
        let entry = (evidence, contribution);
        // Most entries lose to the fifth, many by a plain comparison (which, when it holds,
        // `total_cmp` agrees with).
        if shown.len() == 5 && (contribution < shown[4].1 || self.order(&entry, &shown[4]).is_ge())
        {
            return;
        }
        let at = shown.partition_point(|e| self.order(e, &entry).is_le());
        shown.insert(at, entry);
        shown.truncate(5);
    }
}

fn yaml_class<'a>(
    ids: &HashMap<&str, u32>,
    name: &'a str,
    bias: f32,
    channels: &'a BTreeMap<String, f32>,
    triggers: &BTreeMap<String, f32>,
) -> ScorerClass<'a> {
    ScorerClass {
        name,
        bias,
        channels: channels.iter().map(|(c, w)| (c.as_str(), *w)).collect(),
        triggers: triggers
            .iter()
            .map(|(k, w)| (ids[k.as_str()], *w))
            .collect(),
    }
}

/// Parses the text of a `tags.yaml`.
///
/// # Errors
/// Malformed YAML or unknown keys, naming the file and line.
pub fn parse_tags(path: &Path, text: &str) -> Result<Vec<TagEntry>> {
    parse_yaml(path, text)
}

/// Parses the text of a `taxonomy.yaml`.
///
/// # Errors
/// Malformed YAML or unknown keys, naming the file and line.
pub fn parse_taxonomy(path: &Path, text: &str) -> Result<Taxonomy> {
    parse_yaml(path, text)
}

fn parse_yaml<T: for<'de> Deserialize<'de>>(path: &Path, text: &str) -> Result<T> {
    serde_yaml_ng::from_str(text).map_err(|err| Error::Dictionary {
        path: PathBuf::from(path),
        line: err.location().map_or(1, |l| l.line()),
        message: err
            .to_string()
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weights(pairs: &[(&str, f32)]) -> BTreeMap<String, f32> {
        pairs.iter().map(|(k, w)| ((*k).to_owned(), *w)).collect()
    }

    fn tag(name: &str, triggers: &[(&str, f32)]) -> TagEntry {
        TagEntry {
            name: name.to_owned(),
            aliases: Vec::new(),
            count: 3,
            bias: 0.0,
            channels: BTreeMap::new(),
            triggers: weights(triggers),
            note: None,
        }
    }

    fn model() -> TopicModel {
        let tags = vec![
            tag("ai-agent", &[("智能体", 1.0)]),
            tag("ai-agents", &[("agent", 1.0)]),
            tag("monetary-policy", &[("美联储", 1.0)]),
        ];
        let taxonomy = Taxonomy {
            areas: ["finance-wealth", "tech-engineering"]
                .iter()
                .map(|a| AreaEntry {
                    name: (*a).to_owned(),
                    count: 5,
                    bias: 0.0,
                    channels: BTreeMap::new(),
                    triggers: BTreeMap::new(),
                })
                .collect(),
            categories: vec![
                CategoryEntry {
                    name: "macro-economy".to_owned(),
                    count: 5,
                    areas: weights(&[("finance-wealth", 1.0)]),
                    bias: 0.0,
                    channels: weights(&[("财经频道", 2.0)]),
                    triggers: weights(&[("美联储", 1.0)]),
                },
                CategoryEntry {
                    name: "ai-ml".to_owned(),
                    count: 5,
                    areas: weights(&[("tech-engineering", 1.0)]),
                    bias: 0.0,
                    channels: BTreeMap::new(),
                    triggers: weights(&[("智能体", 1.0)]),
                },
            ],
        };
        TopicModel::new(&tags, &taxonomy)
    }

    #[test]
    fn post_keys_are_counted_once_per_key_and_sorted_by_bytes() {
        let words = [
            ("人工智能", TokenKind::Han),
            ("人工智", TokenKind::Han),
            ("人工智慧", TokenKind::Han),
            ("人", TokenKind::Han),
            ("abcdefghij", TokenKind::Latin),
            ("abcdefgh", TokenKind::Latin),
            ("abcdefghi", TokenKind::Latin),
            ("AI", TokenKind::Latin),
            ("ai", TokenKind::Latin),
            ("Ai", TokenKind::Latin),
            ("2024", TokenKind::Number),
            ("人工智能", TokenKind::Han),
            ("ABCDEFGHIJKLMNOPQRSTU", TokenKind::Latin),
            ("abcdefghijklmnopqrstu", TokenKind::Latin),
        ];
        let text: String = words.iter().map(|(w, _)| *w).collect();
        let mut at = 0;
        let tokens: Vec<Token<'_>> = words
            .iter()
            .map(|&(w, kind)| {
                at += w.len();
                Token {
                    text: &text[at - w.len()..at],
                    span: at - w.len()..at,
                    kind,
                }
            })
            .collect();
        let block = TextBlock {
            zone: Zone::Paragraph,
            text: text.clone(),
            line: 1,
            bold: Vec::new(),
            speaker: None,
        };
        let keys = PostKeys::collect(
            std::slice::from_ref(&block),
            std::slice::from_ref(&tokens),
            &Window::whole(1),
        );
        let sorted: Vec<(&str, u32)> = keys.sorted().map(|(k, _)| (&*k.text, k.halves)).collect();
        let mut expected: BTreeMap<String, u32> = BTreeMap::new();
        for token in &tokens {
            if let Some(key) = feature_key(token.text, token.kind) {
                *expected.entry(key).or_default() += 2;
            }
        }
        let expected: Vec<(&str, u32)> = expected.iter().map(|(k, h)| (k.as_str(), *h)).collect();
        assert_eq!(sorted, expected);
        assert!(sorted.contains(&("ai", 2)) && sorted.contains(&("人工智能", 4)));
    }

    #[test]
    fn han_keys_are_longer_than_their_first_character() {
        for text in crate::probe::every_string("a\u{e9}中\u{20000}", 3) {
            let decoded = text
                .chars()
                .next()
                .is_some_and(|c| text.len() > c.len_utf8());
            assert_eq!(is_han_key(&text), decoded, "{text}");
        }
    }

    #[test]
    fn post_keys_equal_feature_keys_counted_in_a_sorted_map() {
        let words = crate::probe::every_string("aA中文éÉ1", 3);
        let zones = [Zone::Title, Zone::Heading, Zone::Paragraph, Zone::English];
        let kinds = [TokenKind::Han, TokenKind::Latin, TokenKind::Number];
        // Every word of every kind, twice, spread over blocks of every zone.
        let tokens: Vec<Vec<Token<'_>>> = (0..8)
            .map(|b| {
                words
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| (i + b) % 3 != 0)
                    .flat_map(|(i, w)| {
                        kinds.iter().map(move |&kind| Token {
                            text: w,
                            span: i..i,
                            kind,
                        })
                    })
                    .collect()
            })
            .collect();
        let blocks: Vec<TextBlock> = (0..8)
            .map(|b| TextBlock {
                zone: zones[b % 4],
                text: String::new(),
                line: 1,
                bold: Vec::new(),
                speaker: None,
            })
            .collect();
        let mut expected: BTreeMap<String, u32> = BTreeMap::new();
        for (block, tokens) in blocks.iter().zip(&tokens) {
            for token in tokens {
                if let Some(key) = feature_key(token.text, token.kind) {
                    *expected.entry(key).or_default() += zone_halves(block.zone);
                }
            }
        }
        let keys = PostKeys::collect(&blocks, &tokens, &Window::whole(blocks.len()));
        let sorted: Vec<(&str, u32)> = keys.sorted().map(|(k, _)| (&*k.text, k.halves)).collect();
        let expected: Vec<(&str, u32)> = expected.iter().map(|(k, h)| (k.as_str(), *h)).collect();
        assert_eq!(sorted, expected);
    }

    /// Enough keys that their indexes take a byte and more of the sorted numbers, sharing their
    /// first six to eight bytes, so the order among keys that differ only there is the text's.
    #[test]
    fn post_keys_that_differ_where_indexes_go_are_sorted_by_bytes() {
        let mut words: Vec<String> = Vec::new();
        for i in 0..3000u32 {
            let c = char::from_u32(0x4E00 + (i * 7919) % 700).unwrap_or('中');
            words.push(format!("abcdef{}{}", i % 10, i % 7));
            words.push(format!("人工{c}"));
            words.push(format!("人工{c}{}", i % 3));
            words.push(format!("abcdefg{}", (b'a' + (i % 26) as u8) as char));
        }
        let tokens: Vec<Token<'_>> = (words.iter().enumerate())
            .map(|(i, w)| Token {
                text: w,
                span: i..i,
                kind: if w.is_ascii() {
                    TokenKind::Latin
                } else {
                    TokenKind::Han
                },
            })
            .collect();
        let block = TextBlock {
            zone: Zone::Title,
            text: String::new(),
            line: 1,
            bold: Vec::new(),
            speaker: None,
        };
        let mut expected: BTreeMap<String, u32> = BTreeMap::new();
        for token in &tokens {
            if let Some(key) = feature_key(token.text, token.kind) {
                *expected.entry(key).or_default() += zone_halves(block.zone);
            }
        }
        assert!(expected.len() > 1024);
        let keys = PostKeys::collect(
            std::slice::from_ref(&block),
            std::slice::from_ref(&tokens),
            &Window::whole(1),
        );
        let sorted: Vec<(&str, u32)> = keys.sorted().map(|(k, _)| (&*k.text, k.halves)).collect();
        let expected: Vec<(&str, u32)> = expected.iter().map(|(k, h)| (k.as_str(), *h)).collect();
        assert_eq!(sorted, expected);
    }

    #[test]
    fn least_keys_equal_the_first_of_the_sorted_keys() {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        for len in [0, 1, 5, 19, 20, 21, 60, 1500] {
            for spread in [3, 1000, u64::MAX] {
                let keys: Vec<u64> = (0..len)
                    .map(|_| {
                        state = state
                            .wrapping_mul(6_364_136_223_846_793_005)
                            .wrapping_add(1_442_695_040_888_963_407);
                        (state >> 7) % spread
                    })
                    .collect();
                for n in [0, 1, 5, 20, 2000] {
                    let mut sorted = keys.clone();
                    sorted.sort_unstable();
                    sorted.truncate(n);
                    assert_eq!(least(keys.iter().copied(), n), sorted, "{len} {spread} {n}");
                }
            }
        }
    }

    #[test]
    fn order_keys_order_as_total_cmp() {
        let values = [
            f32::NEG_INFINITY,
            -1e30,
            -1.5,
            -1.0,
            -f32::MIN_POSITIVE,
            -0.0,
            0.0,
            f32::MIN_POSITIVE,
            1.0,
            1.5,
            f32::INFINITY,
            f32::NAN,
            -f32::NAN,
        ];
        for a in values {
            for b in values {
                let keys = total_order_key(a).cmp(&total_order_key(b));
                assert_eq!(keys, a.total_cmp(&b), "{a} {b}");
            }
            assert_eq!(
                from_total_order_key(total_order_key(a)).to_bits(),
                a.to_bits()
            );
        }
    }

    /// Evidence walked from the post's keywords equals each shown class's five strongest
    /// triggers (ties by name) read from its own entry, and classes rank as a stable sort by
    /// score then name would.
    #[test]
    fn evidence_and_ranks_equal_the_classes_own_triggers() {
        let pool: Vec<String> = (0..40).map(|i| format!("关键{i}")).collect();
        let triggers = |seed: usize, n: usize| -> BTreeMap<String, f32> {
            (0..n)
                .map(|j| {
                    let k = (seed * 7 + j * 13) % pool.len();
                    (pool[k].clone(), ((seed + j) % 5) as f32 * 0.25 - 0.25)
                })
                .collect()
        };
        // Names repeat, so ties of score and name are broken by index.
        let tags: Vec<TagEntry> = (0..30)
            .map(|i| TagEntry {
                triggers: triggers(i, 3 + i % 9),
                ..tag(&format!("tag-{}", i % 12), &[])
            })
            .collect();
        let class = |i: usize| (format!("class-{i}"), triggers(i + 100, 30));
        let taxonomy = Taxonomy {
            areas: (0..3)
                .map(|i| AreaEntry {
                    name: class(i).0,
                    count: 5,
                    bias: 0.0,
                    channels: BTreeMap::new(),
                    triggers: class(i).1,
                })
                .collect(),
            categories: (3..9)
                .map(|i| CategoryEntry {
                    name: class(i).0,
                    count: 5,
                    areas: weights(&[("class-0", 1.0)]),
                    bias: 0.0,
                    channels: BTreeMap::new(),
                    triggers: class(i).1,
                })
                .collect(),
        };
        let model = TopicModel::new(&tags, &taxonomy);
        let features = Features {
            weights: (0..40)
                .step_by(3)
                .map(|k| (pool[k].clone(), (k % 4) as f32 * 0.5 + 0.5))
                .collect(),
            channel: None,
        };
        let norm = features.norm();
        let strongest = |triggers: &BTreeMap<String, f32>| {
            let mut evidence: Vec<(String, f32)> = triggers
                .iter()
                .filter_map(|(k, w)| features.weights.get(k).map(|s| (k.clone(), w * s / norm)))
                .collect();
            evidence.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            evidence.truncate(5);
            evidence
        };
        let suggestion = model.suggest(&features, "");
        assert!(suggestion.tags.len() > 5);
        for candidate in &suggestion.tags {
            let own = tags.iter().filter(|t| t.name == candidate.name);
            assert!(own
                .map(|t| strongest(&t.triggers))
                .any(|e| e == candidate.evidence));
        }
        let mut ranked: Vec<(f32, &str)> = suggestion
            .tags
            .iter()
            .map(|c| (c.score, c.name.as_str()))
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let shown: Vec<(f32, &str)> = suggestion
            .tags
            .iter()
            .map(|c| (c.score, c.name.as_str()))
            .collect();
        assert_eq!(shown, ranked);
        for (candidates, entries) in [
            (
                &suggestion.areas,
                &taxonomy
                    .areas
                    .iter()
                    .map(|a| (&a.name, &a.triggers))
                    .collect::<Vec<_>>(),
            ),
            (
                &suggestion.categories,
                &taxonomy
                    .categories
                    .iter()
                    .map(|c| (&c.name, &c.triggers))
                    .collect(),
            ),
        ] {
            assert!(!candidates.is_empty());
            for candidate in candidates {
                let (_, triggers) = entries.iter().find(|(n, _)| **n == candidate.name).unwrap();
                assert_eq!(
                    candidate.evidence,
                    strongest(triggers),
                    "{}",
                    candidate.name
                );
            }
        }
    }

    #[test]
    fn evidence_walked_from_classes_equals_evidence_walked_from_keywords() {
        let model = model();
        for weights in [
            &[("智能体", 1.0), ("美联储", 2.0), ("agent", 0.5)][..],
            &[("美联储", 1.0)],
            &[],
        ] {
            let features = Features {
                weights: weights.iter().map(|(k, s)| ((*k).to_owned(), *s)).collect(),
                channel: None,
            };
            let keywords: Vec<(u32, f32)> = features
                .weights
                .iter()
                .filter_map(|(k, s)| {
                    model
                        .keyword_id(k, &Packed::new(k.as_bytes()), None)
                        .map(|id| (id, *s))
                })
                .collect();
            let shown = EvidenceNames {
                model: &model,
                speaker: "",
                post: PostTerms {
                    keywords: &keywords,
                    norm: features.norm(),
                    channel: None,
                },
            };
            let (scores, collected) = shown.score_with_evidence();
            for (kind, scorer) in [&model.tags, &model.categories, &model.areas]
                .into_iter()
                .enumerate()
            {
                let classes: Vec<usize> = (0..scorer.names.len()).rev().collect();
                let mut slot = vec![usize::MAX; classes.len()];
                for (k, &class) in classes.iter().enumerate() {
                    slot[class] = k;
                }
                let by_class = shown.keyword_evidence(scorer, &classes, &slot, true);
                let by_keyword = shown.keyword_evidence(scorer, &classes, &slot, false);
                let named = |evidence: Vec<Vec<(Evidence, f32)>>| -> Vec<Vec<(String, f32)>> {
                    (evidence.into_iter())
                        .map(|e| {
                            e.into_iter()
                                .map(|(e, c)| (shown.name(e).to_owned(), c))
                                .collect()
                        })
                        .collect()
                };
                assert_eq!(scores[kind].score, scorer.score(shown.post).score);
                assert_eq!(scores[kind].fired, scorer.score(shown.post).fired);
                // Tags' evidence is gathered later, from the few shown tags' own triggers.
                if let Some(collected) = kind.checked_sub(CATEGORIES).map(|k| &collected[k]) {
                    let on_the_walk: Vec<Vec<(Evidence, f32)>> = (classes.iter())
                        .map(|&class| collected.evidence(class))
                        .collect();
                    assert_eq!(named(on_the_walk), named(by_class.clone()));
                }
                assert_eq!(named(by_class), named(by_keyword));
            }
        }
    }

    /// A post's keywords for the scoring tests: up to `size` distinct pseudo-random ids below
    /// `n` (the next draw from `state`), in order, with strengths 1 to 4 that tie often, as damped
    /// counts do.
    fn tying_keywords(state: &mut u64, size: u64, n: u64) -> Vec<(u32, f32)> {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        let mut ids: Vec<u32> = (0..size)
            .map(|i| ((*state >> 11).wrapping_add(i * 7_919) % n) as u32)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        (ids.iter()).map(|&id| (id, (id % 4 + 1) as f32)).collect()
    }

    #[test]
    fn evidence_on_the_scoring_walk_equals_evidence_walked_again_for_the_shipped_model() {
        let model = TopicModel::shipped().unwrap();
        let n = model.keywords.len() as u64;
        // Posts of pseudo-random distinct keywords, few to many, with strengths that tie often.
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        for size in [1, 3, 10, 40, 200, 1000] {
            let keywords = tying_keywords(&mut state, size, n);
            let shown = EvidenceNames {
                model: &model,
                speaker: "",
                post: PostTerms {
                    keywords: &keywords,
                    norm: 3.0,
                    channel: None,
                },
            };
            let (scores, tops) = shown.score_with_evidence();
            for (kind, scorer) in [(1, &model.categories), (2, &model.areas)] {
                let classes: Vec<usize> = (0..scorer.names.len()).collect();
                let slot = classes.clone();
                let walked = shown.keyword_evidence(scorer, &classes, &slot, false);
                assert_eq!(scores[kind].score, scorer.score(shown.post).score);
                let collected = &tops[kind - 1];
                let collected: Vec<Vec<(Evidence, f32)>> =
                    (classes.iter()).map(|&c| collected.evidence(c)).collect();
                let key = |e: &Vec<Vec<(Evidence, f32)>>| format!("{e:?}");
                assert!(size < 200 || collected.iter().any(|e| !e.is_empty()));
                assert_eq!(key(&collected), key(&walked), "{size} keywords");
            }
        }
    }

    #[test]
    fn scoring_every_kind_on_one_walk_equals_each_kind_on_its_own_to_the_bit() {
        let model = TopicModel::shipped().unwrap();
        let n = model.keywords.len() as u64;
        let mut channels: Vec<Option<&str>> = (model.categories.channels.keys())
            .map(|c| Some(c.as_str()))
            .take(3)
            .collect();
        channels.extend([Some("no such channel"), None]);
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state >> 33
        };
        for size in [0, 1, 2, 5, 30, 300, 3000] {
            let mut ids: Vec<u32> = (0..size).map(|_| (next() % n) as u32).collect();
            ids.sort_unstable();
            ids.dedup();
            // Strengths as damping makes them (1 + ln of a count in halves), norms as posts have.
            let keywords: Vec<(u32, f32)> = (ids.iter())
                .map(|&id| (id, damped(1 + (next() % 40) as u32)))
                .collect();
            let post_norm = norm(keywords.iter().map(|&(_, s)| s).chain([1.5, 0.5]));
            for &channel in &channels {
                let post = PostTerms {
                    keywords: &keywords,
                    norm: post_norm,
                    channel,
                };
                let mut noted = 0;
                let together = model.score_kinds(post, |_, _, _| noted += 1);
                let mut hits = 0;
                for (kind, scorer) in [&model.tags, &model.categories, &model.areas]
                    .into_iter()
                    .enumerate()
                {
                    let alone = scorer.score(post);
                    let bits = |s: &Scores| s.score.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&together[kind]), bits(&alone), "{size} {channel:?}");
                    assert_eq!(together[kind].fired, alone.fired);
                    hits += ids.iter().map(|&k| scorer.hits(k).len()).sum::<usize>();
                }
                assert_eq!(noted, hits);
            }
        }
    }

    #[test]
    fn choosing_without_evidence_equals_suggesting_with_the_evidence_dropped() {
        let model = TopicModel::shipped().unwrap();
        let n = model.keywords.len() as u64;
        let channels: Vec<&str> = (model.categories.channels.keys())
            .chain(model.areas.channels.keys())
            .chain(model.tags.channels.keys())
            .map(String::as_str)
            .collect();
        let aliases: Vec<&str> = (model.tag_aliases.iter())
            .map(|(alias, _)| alias.as_str())
            .collect();
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        for (round, size) in [0, 1, 3, 10, 40, 200, 1000, 3000].into_iter().enumerate() {
            let keywords = tying_keywords(&mut state, size, n);
            let channel = (round % 3 != 0 && !channels.is_empty())
                .then(|| channels[(state >> 33) as usize % channels.len()]);
            let body: String = (0..round * 3)
                .map(|i| {
                    format!(
                        "{} 和 ",
                        aliases[(state as usize + i * 131) % aliases.len()]
                    )
                })
                .collect();
            let suggested = model.score_post(&keywords, 3.0, channel, &body, true);
            let chosen = model.score_post(&keywords, 3.0, channel, &body, false);
            let mut dropped = suggested.clone();
            for list in [
                &mut dropped.tags,
                &mut dropped.categories,
                &mut dropped.areas,
            ] {
                for candidate in list.iter_mut() {
                    candidate.evidence.clear();
                }
            }
            assert_eq!(chosen, dropped, "{size} keywords, channel {channel:?}");
            assert!(size < 40 || suggested.tags.iter().any(|t| !t.evidence.is_empty()));
            assert_eq!(chosen.chosen_tags(), suggested.chosen_tags());
            assert_eq!(chosen.chosen_category(), suggested.chosen_category());
            assert_eq!(chosen.chosen_area(), suggested.chosen_area());
        }
    }

    #[test]
    fn finds_near_duplicate_tags() {
        assert_eq!(
            model().near_duplicate_tags(),
            vec![("ai-agent".to_owned(), "ai-agents".to_owned())]
        );
    }

    #[test]
    fn channel_and_triggers_choose_a_consistent_pair_with_evidence() {
        let features = Features {
            weights: weights(&[("智能体", 1.0), ("美联储", 1.0)]),
            channel: None,
        }
        .with_channel(Some("财经频道"));
        let suggestion = model().suggest(&features, "");
        assert_eq!(
            suggestion.chosen_category().as_deref(),
            Some("macro-economy")
        );
        assert_eq!(suggestion.chosen_area().as_deref(), Some("finance-wealth"));
        let evidence = &suggestion.categories[0].evidence;
        assert_eq!(evidence[0], ("speaker: 财经频道".to_owned(), 2.0));
        assert!(suggestion
            .chosen_tags()
            .contains(&"monetary-policy".to_owned()));
    }
}
