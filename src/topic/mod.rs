//! Tags, category and area from a keyword scorer: every vocabulary tag and taxonomy class carries
//! weighted trigger keywords (Chinese and English, learned from tagged posts, editable by people).
//! A post's zoned tokens fire triggers; tags are chosen from the score distribution and the
//! category and area as a consistent pair. Loading reads `tags.yaml` and `taxonomy.yaml`.

pub mod learn;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, MatchKind};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::extract::{TextBlock, Zone};
use crate::segment::{Segmenter, TokenKind};

/// The tokens of a post that can fire triggers, with their zone-weighted, damped strength.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Features {
    /// Feature key (Han word, or lowercased Latin word) to strength.
    pub weights: BTreeMap<String, f32>,
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
    match kind {
        TokenKind::Han => (text.chars().count() >= 2).then(|| text.to_owned()),
        TokenKind::Latin => {
            let letters = text.chars().filter(|c| c.is_alphabetic()).count();
            let caps = text
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
            (letters >= 3 || (letters == 2 && caps)).then(|| text.to_lowercase())
        }
        TokenKind::Number => None,
    }
}

impl Features {
    /// Collects features from text blocks. Per key: the zone-weighted count, damped as
    /// `1 + ln(count)` so a word repeated fifty times does not drown the rest.
    pub fn from_blocks(blocks: &[TextBlock], segmenter: &Segmenter) -> Self {
        let mut raw: HashMap<String, f32> = HashMap::new();
        for block in blocks {
            let weight = zone_weight(block.zone);
            for token in segmenter.segment(&block.text) {
                if let Some(key) = feature_key(token.text, token.kind) {
                    *raw.entry(key).or_default() += weight;
                }
            }
        }
        let weights = raw
            .into_iter()
            .map(|(k, v)| (k, if v > 1.0 { 1.0 + v.ln() } else { v }))
            .collect();
        Self { weights }
    }
}

/// A tag in the vocabulary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagEntry {
    /// The canonical tag, written verbatim.
    pub name: String,
    /// Literal forms in either language (other spellings merged into this tag, `monetary policy`, `货币政策`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Posts labelled with the tag in the learning corpus.
    #[serde(default)]
    pub count: u32,
    /// Trigger keyword to weight.
    #[serde(default)]
    pub triggers: BTreeMap<String, f32>,
    /// Free text for curators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// An area of the taxonomy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaEntry {
    /// The area, written verbatim.
    pub name: String,
    /// Posts in this area in the learning corpus.
    #[serde(default)]
    pub count: u32,
    /// Trigger keyword to weight.
    #[serde(default)]
    pub triggers: BTreeMap<String, f32>,
}

/// A category of the taxonomy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryEntry {
    /// The category, written verbatim.
    pub name: String,
    /// Posts in this category in the learning corpus.
    #[serde(default)]
    pub count: u32,
    /// The areas it belongs to, with the share of its posts in each.
    pub areas: BTreeMap<String, f32>,
    /// Trigger keyword to weight.
    #[serde(default)]
    pub triggers: BTreeMap<String, f32>,
}

/// `taxonomy.yaml`: areas and categories.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Taxonomy {
    /// The areas.
    pub areas: Vec<AreaEntry>,
    /// The categories.
    pub categories: Vec<CategoryEntry>,
}

/// Thresholds and weights of the topic scorer, in one place.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicWeights {
    /// Weight of a tag's log prior (how common it is).
    pub tag_prior: f32,
    /// Score added for a literal alias hit.
    pub alias_hit: f32,
    /// Fewest and most tags written.
    pub min_tags: usize,
    /// Most tags written.
    pub max_tags: usize,
    /// A tag is kept only when its score reaches this share of the best tag's score.
    pub relative_cut: f32,
    /// A tag is kept only above this absolute score.
    pub min_score: f32,
    /// Weight of a class's log prior for category and area.
    pub class_prior: f32,
    /// Weight of the area triggers when choosing among a category's areas.
    pub area_weight: f32,
}

impl Default for TopicWeights {
    fn default() -> Self {
        let env = |k: &str, d: f32| {
            std::env::var(k)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(d)
        };
        Self {
            tag_prior: env("FF_TAG_PRIOR", 0.02),
            alias_hit: env("FF_ALIAS", 0.05),
            min_tags: env("FF_MIN_TAGS", 3.0) as usize,
            max_tags: env("FF_MAX_TAGS", 5.0) as usize,
            relative_cut: env("FF_REL", 0.5),
            min_score: env("FF_MIN", -1.0),
            class_prior: env("FF_CLASS_PRIOR", 0.02),
            area_weight: env("FF_AREA_W", 1.0),
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

/// One class's triggers in scoring form.
#[derive(Debug, Clone)]
struct Scorer {
    /// keyword → (class index, weight)
    index: HashMap<String, Vec<(u32, f32)>>,
    priors: Vec<f32>,
    names: Vec<String>,
}

impl Scorer {
    fn new<'a>(classes: impl Iterator<Item = (&'a str, u32, &'a BTreeMap<String, f32>)>) -> Self {
        let mut index: HashMap<String, Vec<(u32, f32)>> = HashMap::new();
        let mut counts = Vec::new();
        let mut names = Vec::new();
        for (i, (name, count, triggers)) in classes.enumerate() {
            names.push(name.to_owned());
            counts.push(count.max(1) as f32);
            for (keyword, weight) in triggers {
                index
                    .entry(keyword.clone())
                    .or_default()
                    .push((i as u32, *weight));
            }
        }
        let total: f32 = counts.iter().sum::<f32>().max(1.0);
        let priors = counts.iter().map(|c| (c / total).ln()).collect();
        Self {
            index,
            priors,
            names,
        }
    }

    /// The post's unit feature vector dotted with each class's trigger weights (already unit
    /// profiles scaled by rarity), with the evidence behind each. Normalizing the post keeps long
    /// posts from winning by size alone.
    fn score(&self, features: &Features) -> Vec<(f32, Vec<(String, f32)>)> {
        let post_norm = features
            .weights
            .values()
            .map(|s| s * s)
            .sum::<f32>()
            .sqrt()
            .max(1e-6);
        let mut scores: Vec<(f32, Vec<(String, f32)>)> = vec![(0.0, Vec::new()); self.names.len()];
        for (keyword, strength) in &features.weights {
            if let Some(hits) = self.index.get(keyword) {
                for &(class, weight) in hits {
                    let contribution = weight * strength / post_norm;
                    let slot = &mut scores[class as usize];
                    slot.0 += contribution;
                    slot.1.push((keyword.clone(), contribution));
                }
            }
        }
        scores
    }
}

/// The loaded tag vocabulary and taxonomy, ready to score posts.
#[derive(Debug, Clone)]
pub struct TopicModel {
    tags: Scorer,
    tag_aliases: Vec<(String, u32)>,
    alias_matcher: Option<AhoCorasick>,
    categories: Scorer,
    category_areas: Vec<BTreeMap<String, f32>>,
    areas: Scorer,
    /// Scoring weights.
    pub weights: TopicWeights,
}

impl TopicModel {
    /// Builds a model from parsed tag entries and taxonomy.
    pub fn new(tags: &[TagEntry], taxonomy: &Taxonomy) -> Self {
        let mut tag_aliases = Vec::new();
        for (i, tag) in tags.iter().enumerate() {
            // The tag itself, spaced out, is a literal form too when it is specific enough.
            let spaced = tag.name.replace('-', " ");
            let implicit = (spaced.contains(' ') || spaced.len() >= 8).then_some(spaced);
            for alias in tag.aliases.iter().cloned().chain(implicit) {
                tag_aliases.push((alias.to_lowercase(), i as u32));
            }
        }
        let alias_matcher = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(tag_aliases.iter().map(|(a, _)| a.as_str()))
            .ok();
        Self {
            tags: Scorer::new(tags.iter().map(|t| (t.name.as_str(), t.count, &t.triggers))),
            tag_aliases,
            alias_matcher,
            categories: Scorer::new(
                taxonomy
                    .categories
                    .iter()
                    .map(|c| (c.name.as_str(), c.count, &c.triggers)),
            ),
            category_areas: taxonomy
                .categories
                .iter()
                .map(|c| c.areas.clone())
                .collect(),
            areas: Scorer::new(
                taxonomy
                    .areas
                    .iter()
                    .map(|a| (a.name.as_str(), a.count, &a.triggers)),
            ),
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
        let tags: Vec<TagEntry> = parse_yaml(tags_path, tags_yaml)?;
        let taxonomy: Taxonomy = parse_yaml(taxonomy_path, taxonomy_yaml)?;
        Ok(Self::new(&tags, &taxonomy))
    }

    /// Loads `tags.yaml` and `taxonomy.yaml` from the last of `dirs` that has them, if any.
    ///
    /// # Errors
    /// An unreadable or malformed file, naming the file and line.
    pub fn load_dirs(dirs: &[PathBuf]) -> Result<Option<Self>> {
        let Some(dir) = dirs.iter().rev().find(|d| d.join("tags.yaml").is_file()) else {
            return Ok(None);
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

    /// Scores a post.
    pub fn suggest(&self, features: &Features, body: &str) -> TopicSuggestion {
        let w = &self.weights;
        let mut tag_scores = self.tags.score(features);
        let mut hit = vec![false; self.tag_aliases.len()];
        if let Some(matcher) = &self.alias_matcher {
            for m in matcher.find_iter(body) {
                let bytes = body.as_bytes();
                let bounded = |i: Option<&u8>| i.is_none_or(|b| !b.is_ascii_alphanumeric());
                let before = m.start().checked_sub(1).and_then(|i| bytes.get(i));
                if bounded(before) && bounded(bytes.get(m.end())) {
                    hit[m.pattern().as_usize()] = true;
                }
            }
        }
        for (i, (alias, tag)) in self.tag_aliases.iter().enumerate() {
            if hit[i] {
                let slot = &mut tag_scores[*tag as usize];
                slot.0 += w.alias_hit;
                slot.1.push((alias.clone(), w.alias_hit));
            }
        }
        let mut tags: Vec<TopicCandidate> = tag_scores
            .into_iter()
            .enumerate()
            .filter(|(_, (s, _))| *s > 0.0)
            .map(|(i, (s, ev))| {
                candidate(
                    &self.tags.names[i],
                    s + w.tag_prior * self.tags.priors[i],
                    ev,
                )
            })
            .collect();
        sort_candidates(&mut tags);
        let best = tags.first().map_or(0.0, |c| c.score);
        for (rank, tag) in tags.iter_mut().enumerate() {
            tag.passed = rank < w.max_tags
                && tag.score >= w.min_score
                && (rank < w.min_tags || tag.score >= best * w.relative_cut);
        }
        tags.truncate(20);

        let area_scores = self.areas.score(features);
        let mut areas: Vec<TopicCandidate> = area_scores
            .into_iter()
            .enumerate()
            .map(|(i, (s, ev))| {
                candidate(
                    &self.areas.names[i],
                    s + w.class_prior * self.areas.priors[i],
                    ev,
                )
            })
            .collect();
        sort_candidates(&mut areas);
        let area_score: BTreeMap<&str, f32> =
            areas.iter().map(|a| (a.name.as_str(), a.score)).collect();

        let mut categories: Vec<TopicCandidate> = self
            .categories
            .score(features)
            .into_iter()
            .enumerate()
            .map(|(i, (s, ev))| {
                candidate(
                    &self.categories.names[i],
                    s + w.class_prior * self.categories.priors[i],
                    ev,
                )
            })
            .collect();
        sort_candidates(&mut categories);
        // The category decides the area unless it is shared by several; then area triggers break the tie.
        let mut chosen_area = None;
        if let Some(best) = categories.first_mut() {
            best.passed = true;
            let index = self
                .categories
                .names
                .iter()
                .position(|n| *n == best.name)
                .unwrap_or(0);
            chosen_area = self.category_areas[index]
                .iter()
                .map(|(area, share)| {
                    let s = share.max(1e-3).ln()
                        + w.area_weight * area_score.get(area.as_str()).copied().unwrap_or(0.0);
                    (area.clone(), s)
                })
                .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                .map(|(a, _)| a);
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

fn candidate(name: &str, score: f32, mut evidence: Vec<(String, f32)>) -> TopicCandidate {
    evidence.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    evidence.truncate(5);
    TopicCandidate {
        name: name.to_owned(),
        score,
        passed: false,
        evidence,
    }
}

fn sort_candidates(candidates: &mut [TopicCandidate]) {
    candidates.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.name.cmp(&b.name))
    });
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
