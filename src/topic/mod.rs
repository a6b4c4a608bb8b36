//! Tags, category and area from a keyword scorer: every vocabulary tag and taxonomy class carries
//! weighted trigger keywords (Chinese and English, learned from tagged posts, editable by people).
//! A post's zoned tokens fire triggers; tags are chosen from the score distribution and the
//! category and area as a consistent pair. Loading reads `tags.yaml` and `taxonomy.yaml`.

mod compiled;
mod entries;
pub mod learn;

use entries::trigger_keywords;
pub use entries::{AreaEntry, CategoryEntry, TagEntry, Taxonomy};

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, Input, MatchKind};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::extract::{TextBlock, Zone};
use crate::segment::{Segmenter, Token, TokenKind};

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

/// How much a token counts by zone; title and headings say more about the topic than the body.
fn zone_weight(zone: Zone) -> f32 {
    match zone {
        Zone::Title => 3.0,
        Zone::Heading => 1.5,
        Zone::Paragraph => 1.0,
        Zone::English => 0.5,
    }
}

/// The key a token contributes, if any: Han words of two or more characters, Latin words of three
/// or more letters (two when written in capitals, like `AI`), lowercased.
pub fn feature_key(text: &str, kind: TokenKind) -> Option<String> {
    borrowed_key(text, kind).map(Cow::into_owned)
}

/// [`feature_key`], borrowing the token when it already is its key (most are).
fn borrowed_key(text: &str, kind: TokenKind) -> Option<Cow<'_, str>> {
    match kind {
        TokenKind::Han => (text.chars().nth(1).is_some()).then_some(Cow::Borrowed(text)),
        TokenKind::Latin => {
            let letters = text.chars().filter(|c| c.is_alphabetic()).count();
            let keep = letters >= 3
                || (letters == 2
                    && text
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
            if !keep {
                None
            } else if text
                .bytes()
                .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
            {
                Some(Cow::Borrowed(text))
            } else {
                Some(Cow::Owned(text.to_lowercase()))
            }
        }
        TokenKind::Number => None,
    }
}

/// A post's features as the scorer reads them: (key, damped strength) in key order, with their
/// norm. Keys borrow the post's text, so collecting them allocates little.
#[derive(Debug, Clone, Default)]
pub struct PostFeatures<'a> {
    entries: Vec<(Cow<'a, str>, f32)>,
    norm: f32,
    channel: Option<&'a str>,
}

impl<'a> PostFeatures<'a> {
    /// Collects features from text blocks. Per key: the zone-weighted count, damped as
    /// `1 + ln(count)` so a word repeated fifty times does not drown the rest.
    pub fn from_blocks(blocks: &'a [TextBlock], segmenter: &Segmenter) -> Self {
        Self::from_tokens(blocks, &segmenter.segment_blocks(blocks))
    }

    /// The same from blocks already segmented ([`Segmenter::segment_blocks`]).
    pub fn from_tokens(blocks: &[TextBlock], tokens: &[Vec<Token<'a>>]) -> Self {
        // Most posts have a distinct key for every few tokens: sized so the map rarely regrows.
        let capacity = tokens.iter().map(Vec::len).sum::<usize>() / 4;
        let mut raw: FxHashMap<Cow<'a, str>, f32> =
            FxHashMap::with_capacity_and_hasher(capacity, Default::default());
        for (block, tokens) in blocks.iter().zip(tokens) {
            let weight = zone_weight(block.zone);
            for token in tokens {
                if let Some(key) = borrowed_key(token.text, token.kind) {
                    *raw.entry(key).or_default() += weight;
                }
            }
        }
        let mut sorted: Vec<(u64, Cow<'a, str>, f32)> = raw
            .into_iter()
            .map(|(k, v)| (key_prefix(&k), k, if v > 1.0 { 1.0 + v.ln() } else { v }))
            .collect();
        // Key order, as in `Features`: the norm and the scores are sums in that order. The keys'
        // first bytes, compared as one number, settle most comparisons.
        sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        let entries: Vec<(Cow<'a, str>, f32)> =
            sorted.into_iter().map(|(_, k, s)| (k, s)).collect();
        let norm = entries
            .iter()
            .map(|(_, s)| s * s)
            .sum::<f32>()
            .sqrt()
            .max(1e-6);
        Self {
            entries,
            norm,
            channel: None,
        }
    }

    /// The same features with the post's channel, when it names one.
    pub fn with_channel(mut self, channel: Option<&'a str>) -> Self {
        self.channel = channel.map(str::trim).filter(|c| !c.is_empty());
        self
    }
}

/// A key's first eight bytes as a big-endian number (zero-padded): ordering by it, then by the
/// whole key, is the keys' byte order.
fn key_prefix(key: &str) -> u64 {
    let mut prefix = [0u8; 8];
    let n = key.len().min(8);
    prefix[..n].copy_from_slice(&key.as_bytes()[..n]);
    u64::from_be_bytes(prefix)
}

impl Features {
    /// Collects features from text blocks, as [`PostFeatures::from_blocks`] does.
    pub fn from_blocks(blocks: &[TextBlock], segmenter: &Segmenter) -> Self {
        let post = PostFeatures::from_blocks(blocks, segmenter);
        Self {
            weights: post
                .entries
                .into_iter()
                .map(|(k, s)| (k.into_owned(), s))
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
        self.weights
            .values()
            .map(|s| s * s)
            .sum::<f32>()
            .sqrt()
            .max(1e-6)
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

/// One kind of label (tags, categories or areas) in scoring form.
#[derive(Debug, Clone, PartialEq)]
struct Scorer {
    /// Per keyword id, where its (class index, weight) pairs start in `hits`; one more entry
    /// than there are keywords.
    offsets: Vec<u32>,
    /// (class index, weight), grouped by keyword, in class order within a keyword.
    hits: Vec<(u32, f32)>,
    /// channel → (class index, weight)
    channels: HashMap<String, Vec<(u32, f32)>>,
    biases: Vec<f32>,
    names: Vec<String>,
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

/// Each class's score, and the evidence of all classes as (class index, evidence, contribution)
/// in one list, so a post allocates once per label kind rather than once per class.
#[derive(Debug, Default)]
struct Scores {
    score: Vec<f32>,
    evidence: Vec<(u32, Evidence, f32)>,
}

impl Scores {
    fn add(&mut self, class: u32, evidence: Evidence, contribution: f32) {
        self.score[class as usize] += contribution;
        self.evidence.push((class, evidence, contribution));
    }

    /// Each class's evidence as a range of `evidence`, which this groups by class (a counting
    /// sort: the order within a class does not matter, the candidate sorts it).
    fn evidence_ranges(&mut self) -> Vec<std::ops::Range<usize>> {
        let mut starts = vec![0usize; self.score.len() + 1];
        for e in &self.evidence {
            starts[e.0 as usize + 1] += 1;
        }
        for i in 0..self.score.len() {
            starts[i + 1] += starts[i];
        }
        let mut next = starts.clone();
        let mut grouped = vec![(0, Evidence::Channel, 0.0); self.evidence.len()];
        for &e in &self.evidence {
            grouped[next[e.0 as usize]] = e;
            next[e.0 as usize] += 1;
        }
        self.evidence = grouped;
        starts.windows(2).map(|w| w[0]..w[1]).collect()
    }
}

impl Scorer {
    fn new(keywords: usize, classes: Vec<ScorerClass<'_>>) -> Self {
        let mut offsets = vec![0u32; keywords + 1];
        for class in &classes {
            for &(keyword, _) in &class.triggers {
                offsets[keyword as usize + 1] += 1;
            }
        }
        for i in 0..keywords {
            offsets[i + 1] += offsets[i];
        }
        let mut next = offsets.clone();
        let mut hits = vec![(0u32, 0f32); offsets[keywords] as usize];
        let mut channels: HashMap<String, Vec<(u32, f32)>> = HashMap::default();
        let mut biases = Vec::with_capacity(classes.len());
        let mut names = Vec::with_capacity(classes.len());
        for (i, class) in classes.into_iter().enumerate() {
            names.push(class.name.to_owned());
            biases.push(class.bias);
            for (keyword, weight) in class.triggers {
                let slot = &mut next[keyword as usize];
                hits[*slot as usize] = (i as u32, weight);
                *slot += 1;
            }
            for (channel, weight) in class.channels {
                channels
                    .entry(channel.to_owned())
                    .or_default()
                    .push((i as u32, weight));
            }
        }
        Self {
            offsets,
            hits,
            channels,
            biases,
            names,
        }
    }

    fn hits(&self, keyword: u32) -> &[(u32, f32)] {
        let k = keyword as usize;
        &self.hits[self.offsets[k] as usize..self.offsets[k + 1] as usize]
    }

    fn start(&self) -> Scores {
        Scores {
            score: self.biases.clone(),
            evidence: Vec::new(),
        }
    }

    /// Adds a keyword's contributions: its trigger weights times the post's strength, divided by
    /// the post's norm (as in learning).
    fn add_keyword(&self, scores: &mut Scores, keyword: u32, strength: f32, post_norm: f32) {
        for &(class, weight) in self.hits(keyword) {
            scores.add(
                class,
                Evidence::Keyword(keyword),
                weight * strength / post_norm,
            );
        }
    }

    fn add_channel(&self, scores: &mut Scores, channel: Option<&str>) {
        if let Some(channel) = channel {
            for &(class, weight) in self.channels.get(channel).into_iter().flatten() {
                scores.add(class, Evidence::Channel, weight);
            }
        }
    }
}

/// The loaded tag vocabulary and taxonomy, ready to score posts.
#[derive(Debug, Clone)]
pub struct TopicModel {
    /// Every trigger keyword, sorted; a keyword's id is its index.
    keywords: Vec<Cow<'static, str>>,
    keyword_ids: FxHashMap<Cow<'static, str>, u32>,
    tags: Scorer,
    tag_aliases: Vec<(String, u32)>,
    alias_matcher: Option<AhoCorasick>,
    /// Whether every alias is ASCII (and not empty), so a search can skip all other text.
    aliases_ascii: bool,
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
        let alias_matcher = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(tag_aliases.iter().map(|(a, _)| a.as_str()))
            .ok();
        let aliases_ascii = tag_aliases
            .iter()
            .all(|(a, _)| !a.is_empty() && a.is_ascii());
        let n = parts.keywords.len();
        let keyword_ids = parts
            .keywords
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), i as u32))
            .collect();
        Self {
            keyword_ids,
            keywords: parts.keywords,
            tags: Scorer::new(n, parts.tags),
            tag_aliases,
            alias_matcher,
            aliases_ascii,
            categories: Scorer::new(n, parts.categories),
            category_areas: parts
                .category_areas
                .into_iter()
                .map(|areas| areas.into_iter().map(|(a, s)| (a.to_owned(), s)).collect())
                .collect(),
            areas: Scorer::new(n, parts.areas),
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

    /// Scores a post from its collected features.
    pub fn suggest_post(&self, features: &PostFeatures<'_>, body: &str) -> TopicSuggestion {
        self.suggest_sorted(
            features.entries.iter().map(|(k, s)| (k.as_ref(), *s)),
            features.norm,
            features.channel,
            body,
        )
    }

    /// Scores a post.
    pub fn suggest(&self, features: &Features, body: &str) -> TopicSuggestion {
        self.suggest_sorted(
            features.weights.iter().map(|(k, s)| (k.as_str(), *s)),
            features.norm(),
            features.channel.as_deref(),
            body,
        )
    }

    /// Which aliases occur in a post's body as whole words, by index in `tag_aliases`.
    fn alias_hits(&self, body: &str) -> Vec<bool> {
        let mut hit = vec![false; self.tag_aliases.len()];
        let Some(matcher) = &self.alias_matcher else {
            return hit;
        };
        let bytes = body.as_bytes();
        let bounded = |i: Option<&u8>| i.is_none_or(|b| !b.is_ascii_alphanumeric());
        let mut record = |m: aho_corasick::Match| {
            let before = m.start().checked_sub(1).and_then(|i| bytes.get(i));
            if bounded(before) && bounded(bytes.get(m.end())) {
                hit[m.pattern().as_usize()] = true;
            }
        };
        if !self.aliases_ascii {
            matcher.find_iter(body).for_each(record);
            return hit;
        }
        // An ASCII alias can only match inside a run of ASCII bytes, and a match cannot reach
        // across runs, so searching run by run finds the same matches while the automaton skips
        // the Chinese text (most of a post's bytes).
        let mut at = 0;
        while let Some(start) = bytes[at..].iter().position(u8::is_ascii).map(|i| at + i) {
            let end = bytes[start..]
                .iter()
                .position(|b| !b.is_ascii())
                .map_or(bytes.len(), |i| start + i);
            if end - start >= matcher.min_pattern_len() {
                matcher
                    .find_iter(Input::new(bytes).span(start..end))
                    .for_each(&mut record);
            }
            at = end;
        }
        hit
    }

    /// Scores a post from its features: (key, strength) in key order, the norm over all of
    /// them, and its channel. Contributions are added in key order, as learning assumes.
    fn suggest_sorted<'k>(
        &self,
        features: impl Iterator<Item = (&'k str, f32)>,
        post_norm: f32,
        channel: Option<&str>,
        body: &str,
    ) -> TopicSuggestion {
        let w = &self.weights;
        let mut tag_scores = self.tags.start();
        let mut category_scores = self.categories.start();
        let mut area_scores = self.areas.start();
        for (key, strength) in features {
            if let Some(&id) = self.keyword_ids.get(key) {
                self.tags
                    .add_keyword(&mut tag_scores, id, strength, post_norm);
                self.categories
                    .add_keyword(&mut category_scores, id, strength, post_norm);
                self.areas
                    .add_keyword(&mut area_scores, id, strength, post_norm);
            }
        }
        self.tags.add_channel(&mut tag_scores, channel);
        self.categories.add_channel(&mut category_scores, channel);
        self.areas.add_channel(&mut area_scores, channel);
        let hit = self.alias_hits(body);
        for (i, (_, tag)) in self.tag_aliases.iter().enumerate() {
            if hit[i] {
                tag_scores.add(*tag, Evidence::Alias(i as u32), w.alias_hit);
            }
        }
        let speaker = channel.map(|c| format!("speaker: {c}"));
        let shown = EvidenceNames {
            model: self,
            speaker: speaker.as_deref().unwrap_or_default(),
        };
        // Only the best tags are shown, so only they become candidates with named evidence.
        let mut fired = vec![false; tag_scores.score.len()];
        for &(class, _, _) in &tag_scores.evidence {
            fired[class as usize] = true;
        }
        let mut order: Vec<usize> = (0..tag_scores.score.len())
            .filter(|&i| fired[i] && tag_scores.score[i] >= w.min_score)
            .collect();
        order.sort_by(|&a, &b| {
            let names = &self.tags.names;
            let score = &tag_scores.score;
            score[b]
                .total_cmp(&score[a])
                .then_with(|| names[a].cmp(&names[b]))
        });
        order.truncate(20);
        // Each shown tag's evidence, gathered in one pass (its order does not matter: the
        // candidate sorts it).
        let mut slot = vec![u8::MAX; tag_scores.score.len()];
        for (k, &i) in order.iter().enumerate() {
            slot[i] = k as u8;
        }
        let mut evidence = vec![Vec::new(); order.len()];
        for &entry in &tag_scores.evidence {
            if let Some(list) = evidence.get_mut(usize::from(slot[entry.0 as usize])) {
                list.push(entry);
            }
        }
        let best = order.first().map_or(0.0, |&i| tag_scores.score[i]);
        let tags: Vec<TopicCandidate> = order
            .into_iter()
            .zip(&mut evidence)
            .enumerate()
            .map(|(rank, (i, evidence))| {
                let score = tag_scores.score[i];
                let mut tag = shown.candidate(&self.tags.names[i], score, evidence);
                tag.passed =
                    rank < w.max_tags && (rank < w.min_tags || score >= best * w.relative_cut);
                tag
            })
            .collect();

        let mut areas = shown.classes(&self.areas, area_scores);
        let area_score: BTreeMap<&str, f32> =
            areas.iter().map(|a| (a.name.as_str(), a.score)).collect();
        let mut categories = shown.classes(&self.categories, category_scores);
        // Category and area are chosen as a pair: the category's score, the area's, and how often
        // the category's posts are in that area (most categories belong to one area only).
        let mut best: Option<(f32, usize, &str)> = None;
        // Biases alone are no reason: a post where no trigger or channel fired (an empty one)
        // gets no category rather than the commonest.
        let fired = categories.iter().any(|c| !c.evidence.is_empty());
        for (rank, category) in categories.iter().enumerate().filter(|_| fired) {
            let Some(index) = self
                .categories
                .names
                .iter()
                .position(|n| *n == category.name)
            else {
                continue;
            };
            for (area, share) in &self.category_areas[index] {
                let Some(area_score) = area_score.get(area.as_str()) else {
                    continue;
                };
                let s = category.score
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
            let mut chosen = categories.remove(rank);
            chosen.passed = true;
            categories.insert(0, chosen);
        }
        for area in &mut areas {
            area.passed = chosen_area.as_deref() == Some(area.name.as_str());
        }
        categories.truncate(5);
        TopicSuggestion {
            tags,
            categories,
            areas,
        }
    }
}

/// Turns a post's evidence into the keywords, aliases and channel it names.
struct EvidenceNames<'m> {
    model: &'m TopicModel,
    speaker: &'m str,
}

impl EvidenceNames<'_> {
    fn name(&self, evidence: Evidence) -> &str {
        match evidence {
            Evidence::Keyword(id) => &self.model.keywords[id as usize],
            Evidence::Alias(i) => &self.model.tag_aliases[i as usize].0,
            Evidence::Channel => self.speaker,
        }
    }

    /// Every class of a scorer as a candidate, best first, none yet written.
    fn classes(&self, scorer: &Scorer, mut scores: Scores) -> Vec<TopicCandidate> {
        let ranges = scores.evidence_ranges();
        let mut classes: Vec<TopicCandidate> = (0..scores.score.len())
            .map(|i| {
                let evidence = &mut scores.evidence[ranges[i].clone()];
                self.candidate(&scorer.names[i], scores.score[i], evidence)
            })
            .collect();
        sort_candidates(&mut classes);
        classes
    }

    /// A candidate with its five strongest pieces of evidence (ties by name).
    fn candidate(
        &self,
        name: &str,
        score: f32,
        evidence: &mut [(u32, Evidence, f32)],
    ) -> TopicCandidate {
        let order = |a: &(u32, Evidence, f32), b: &(u32, Evidence, f32)| {
            b.2.total_cmp(&a.2)
                .then_with(|| self.name(a.1).cmp(self.name(b.1)))
        };
        // Only the five strongest are shown: select them, then sort just those.
        let shown = evidence.len().min(5);
        if evidence.len() > shown {
            evidence.select_nth_unstable_by(shown - 1, order);
        }
        let evidence = &mut evidence[..shown];
        evidence.sort_by(order);
        TopicCandidate {
            name: name.to_owned(),
            score,
            passed: false,
            evidence: evidence
                .iter()
                .map(|&(_, e, c)| (self.name(e).to_owned(), c))
                .collect(),
        }
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

fn sort_candidates(candidates: &mut [TopicCandidate]) {
    candidates.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.name.cmp(&b.name))
    });
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
