//! Learns the tag vocabulary and the taxonomy from tagged posts: merges near-duplicate tags, and
//! gives every tag, category and area a bias and trigger keywords. Categories and areas come from
//! a softmax regression over keywords and channels (deterministic SGD), pruned to the strongest
//! keywords so people can read and edit it; tags, too many and too rare for that, from a Rocchio
//! profile (their posts' mean TF-IDF vector minus a share of the others') with their log prior.

use std::collections::{BTreeMap, HashMap};

use serde_yaml_ng::Value;

use rayon::prelude::*;

use crate::app::post_blocks;
use crate::discover::discover;
use crate::document::Document;
use crate::error::{Error, Result};
use crate::extract::{TextBlock, Zone};
use crate::front_matter::FrontMatter;
use crate::segment::Segmenter;
use crate::topic::{AreaEntry, CategoryEntry, Features, TagEntry, Taxonomy};
use crate::vocab::learn::Sources;
use crate::write::yaml_scalar;

/// A tagged post, reduced to what learning needs.
#[derive(Debug, Clone, Default)]
pub struct LearnDoc {
    /// The post's features.
    pub features: Features,
    /// Its tags.
    pub tags: Vec<String>,
    /// Its category.
    pub category: Option<String>,
    /// Its area.
    pub area: Option<String>,
}

/// Knobs of the learner.
#[derive(Debug, Clone, PartialEq)]
pub struct LearnOptions {
    /// Tags used fewer times than this stay out of the vocabulary.
    pub min_tag_count: usize,
    /// Categories and areas with fewer posts stay out.
    pub min_class_count: usize,
    /// Keywords in fewer learning posts than this are no triggers.
    pub min_keyword_posts: u32,
    /// Most triggers kept per tag.
    pub tag_triggers: usize,
    /// Most triggers kept per category or area.
    pub class_triggers: usize,
    /// Passes over the learning posts.
    pub epochs: usize,
    /// First SGD step size.
    pub learning_rate: f32,
    /// L2 penalty per step.
    pub l2: f32,
    /// Weakest trigger weight kept.
    pub min_weight: f32,
    /// How much of the other posts' mean vector is subtracted from a tag's mean.
    pub negative: f32,
    /// Weight of a tag's log prior (its bias).
    pub tag_prior: f32,
}

impl Default for LearnOptions {
    /// Tuned on a validation fold (learning from the other posts and the label rows).
    fn default() -> Self {
        Self {
            min_tag_count: 3,
            min_class_count: 5,
            min_keyword_posts: 3,
            tag_triggers: 40,
            class_triggers: 500,
            epochs: 8,
            learning_rate: 5.0,
            l2: 1e-5,
            min_weight: 0.01,
            negative: 0.25,
            tag_prior: 0.02,
        }
    }
}

/// The stem two tags share when they are near-duplicates: `ai-agents`/`ai-agent`,
/// `geopolitical`/`geopolitics`, `strategies`/`strategy`.
pub fn tag_stem(tag: &str) -> String {
    tag.to_lowercase()
        .replace(['_', ' '], "-")
        .split('-')
        .filter(|p| !p.is_empty())
        .map(|part| {
            let mut p = part.to_owned();
            if p.len() > 4 && p.ends_with("ies") {
                p.truncate(p.len() - 3);
                p.push('y');
            } else if p.len() > 3 && p.ends_with('s') && !p.ends_with("ss") {
                p.pop();
            }
            if p.len() > 6 && p.ends_with("ical") {
                p.truncate(p.len() - 2);
            }
            p
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Whether a label is a well-formed kebab-case tag or class name.
pub fn is_label(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Reduces a tagged post to a learning document.
pub fn learn_doc(fm: &FrontMatter, features: Features) -> LearnDoc {
    let list = |key: &str| -> Vec<String> {
        match fm.get(key) {
            Some(Value::Sequence(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Some(Value::String(s)) if !s.trim().is_empty() && s.trim() != "[]" => vec![s.clone()],
            _ => Vec::new(),
        }
    };
    LearnDoc {
        features: if features.channel.is_none() {
            features.with_channel(crate::app::topic_channel(fm))
        } else {
            features
        },
        tags: list("tags"),
        category: fm.text("category").map(str::to_owned),
        area: fm.text("area").map(str::to_owned),
    }
}

/// Reads the learning posts and label rows of `sources` and learns tags and taxonomy from them.
/// Posts that cannot be read or parsed are skipped (the entity learner reports them).
///
/// # Errors
/// The labels file cannot be read.
pub fn learn_from_sources(
    sources: &Sources,
    segmenter: &Segmenter,
    options: &LearnOptions,
) -> Result<(Vec<TagEntry>, Taxonomy)> {
    let inputs = discover(&sources.dirs);
    let mut docs: Vec<LearnDoc> = inputs
        .par_iter()
        .filter_map(|input| {
            let path = input.path();
            if sources.holdout.as_ref().is_some_and(|h| h.contains(path)) {
                return None;
            }
            let doc = Document::from_bytes(path, std::fs::read(path).ok()?).ok()?;
            let fm = FrontMatter::parse(&doc).ok()?;
            let features = Features::from_blocks(&post_blocks(&doc, &fm), segmenter);
            Some(learn_doc(&fm, features))
        })
        .collect();
    if let Some(labels) = &sources.labels {
        let text = std::fs::read_to_string(labels).map_err(|source| Error::Read {
            path: labels.clone(),
            source,
        })?;
        let rows: Vec<LearnDoc> = text
            .par_lines()
            .filter_map(|line| {
                let row: serde_json::Value = serde_json::from_str(line).ok()?;
                let yaml = row.get("front_matter")?.as_str()?;
                let doc = Document::from_text(labels, format!("---\n{yaml}---\n")).ok()?;
                let fm = FrontMatter::parse(&doc).ok()?;
                // A label row has no body: its title and summary stand in for it.
                let mut blocks = post_blocks(&doc, &fm);
                if let Some(summary) = fm.text("summary") {
                    blocks.push(TextBlock {
                        zone: Zone::Paragraph,
                        text: summary.to_owned(),
                        line: 1,
                        bold: Vec::new(),
                        speaker: None,
                    });
                }
                Some(learn_doc(&fm, Features::from_blocks(&blocks, segmenter)))
            })
            .collect();
        docs.extend(rows);
    }
    Ok(learn_topics(&docs, options))
}

/// Learns the tag entries and the taxonomy.
pub fn learn_topics(docs: &[LearnDoc], options: &LearnOptions) -> (Vec<TagEntry>, Taxonomy) {
    let design = Design::new(docs, options.min_keyword_posts);

    // Group tag spellings by stem; the most used spelling is canonical.
    let mut spellings: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for doc in docs {
        for tag in &doc.tags {
            let tag = tag.trim().to_lowercase();
            if is_label(&tag) {
                *spellings
                    .entry(tag_stem(&tag))
                    .or_default()
                    .entry(tag)
                    .or_default() += 1;
            }
        }
    }
    let mut tag_of_spelling: HashMap<String, usize> = HashMap::new();
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for forms in spellings.values() {
        let total: usize = forms.values().sum();
        if total < options.min_tag_count {
            continue;
        }
        let canonical = forms
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(f, _)| f.clone())
            .unwrap_or_default();
        for form in forms.keys() {
            tag_of_spelling.insert(form.clone(), groups.len());
        }
        let aliases: Vec<String> = forms.keys().filter(|f| **f != canonical).cloned().collect();
        groups.push((canonical, aliases));
    }
    // A post without any tag says nothing about tags; it is left out of their learning.
    let labels: Vec<Option<Vec<u32>>> = docs
        .iter()
        .map(|doc| {
            let mut seen: Vec<u32> = doc
                .tags
                .iter()
                .filter_map(|t| tag_of_spelling.get(&t.trim().to_lowercase()))
                .map(|&g| g as u32)
                .collect();
            seen.sort_unstable();
            seen.dedup();
            (!doc.tags.is_empty()).then_some(seen)
        })
        .collect();
    let mut counts = vec![0u32; groups.len()];
    for seen in labels.iter().flatten() {
        for &g in seen {
            counts[g as usize] += 1;
        }
    }
    // Tags are too many and too rare for a discriminative model to learn well from a few thousand
    // posts: each gets a Rocchio profile instead, and its log prior as bias.
    let space = Space::new(docs);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); groups.len()];
    for (d, seen) in labels.iter().enumerate() {
        for &g in seen.iter().flatten() {
            members[g as usize].push(d);
        }
    }
    let total: f32 = counts.iter().sum::<u32>().max(1) as f32;
    let mut tags: Vec<TagEntry> = groups
        .into_iter()
        .zip(members)
        .map(|((name, aliases), docs_with)| TagEntry {
            count: docs_with.len() as u32,
            bias: round3(options.tag_prior * (docs_with.len().max(1) as f32 / total).ln()),
            channels: BTreeMap::new(),
            triggers: triggers(&space, &docs_with, options.tag_triggers, options),
            name,
            aliases,
            note: None,
        })
        .collect();
    tags.sort_by(|a, b| a.name.cmp(&b.name));

    let taxonomy = learn_taxonomy(docs, &design, options);
    (tags, taxonomy)
}

fn learn_taxonomy(docs: &[LearnDoc], design: &Design, options: &LearnOptions) -> Taxonomy {
    let clean = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| is_label(v))
            .map(str::to_owned)
    };
    let mut by_area: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut by_category: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (d, doc) in docs.iter().enumerate() {
        if let Some(area) = clean(&doc.area) {
            by_area.entry(area).or_default().push(d);
        }
        if let Some(category) = clean(&doc.category) {
            by_category.entry(category).or_default().push(d);
        }
    }
    by_area.retain(|_, v| v.len() >= options.min_class_count);
    by_category.retain(|_, v| v.len() >= options.min_class_count);
    let area_model = train(
        design,
        &class_labels(docs.len(), &by_area),
        by_area.len(),
        options,
    );
    let category_model = train(
        design,
        &class_labels(docs.len(), &by_category),
        by_category.len(),
        options,
    );
    let areas = by_area
        .iter()
        .enumerate()
        .map(|(c, (name, members))| {
            let (bias, channels, triggers) =
                area_model.class(design, c, options.class_triggers, options);
            AreaEntry {
                name: name.clone(),
                count: members.len() as u32,
                bias,
                channels,
                triggers,
            }
        })
        .collect();
    let categories = by_category
        .iter()
        .enumerate()
        .map(|(c, (name, members))| {
            let mut shares: BTreeMap<String, f32> = BTreeMap::new();
            for &d in members {
                if let Some(area) = clean(&docs[d].area).filter(|a| by_area.contains_key(a)) {
                    *shares.entry(area).or_default() += 1.0;
                }
            }
            let total: f32 = shares.values().sum::<f32>().max(1.0);
            shares.retain(|_, n| *n / total >= 0.05);
            let kept: f32 = shares.values().sum::<f32>().max(1.0);
            let areas = shares
                .into_iter()
                .map(|(a, n)| (a, round2(n / kept)))
                .collect();
            let (bias, channels, triggers) =
                category_model.class(design, c, options.class_triggers, options);
            CategoryEntry {
                name: name.clone(),
                count: members.len() as u32,
                areas,
                bias,
                channels,
                triggers,
            }
        })
        .collect();
    Taxonomy { areas, categories }
}

/// Each post's class index (as a one-element label list), or `None` for a post without a class.
fn class_labels(n_docs: usize, classes: &BTreeMap<String, Vec<usize>>) -> Vec<Option<Vec<u32>>> {
    let mut labels = vec![None; n_docs];
    for (c, members) in classes.values().enumerate() {
        for &d in members {
            labels[d] = Some(vec![c as u32]);
        }
    }
    labels
}

/// Marks a channel feature in the design, apart from keyword features.
const CHANNEL_MARK: char = '\u{1}';

/// The learning posts as sparse rows over the keywords (and channels) seen in enough posts. A
/// keyword's value is its strength divided by the norm of the whole post, exactly as the scorer
/// computes it; a channel's value is 1.
struct Design {
    keys: Vec<String>,
    rows: Vec<Vec<(u32, f32)>>,
}

impl Design {
    fn new(docs: &[LearnDoc], min_posts: u32) -> Self {
        let channel_key = |c: &str| format!("{CHANNEL_MARK}{c}");
        let mut df: BTreeMap<String, u32> = BTreeMap::new();
        for doc in docs {
            for key in doc.features.weights.keys() {
                *df.entry(key.clone()).or_default() += 1;
            }
            if let Some(channel) = &doc.features.channel {
                *df.entry(channel_key(channel)).or_default() += 1;
            }
        }
        df.retain(|_, n| *n >= min_posts);
        let keys: Vec<String> = df.into_keys().collect();
        let id: HashMap<&str, u32> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i as u32))
            .collect();
        let rows = docs
            .iter()
            .map(|doc| {
                let norm = doc.features.norm();
                let mut row: Vec<(u32, f32)> = doc
                    .features
                    .weights
                    .iter()
                    .filter_map(|(k, x)| id.get(k.as_str()).map(|&i| (i, x / norm)))
                    .collect();
                if let Some(channel) = &doc.features.channel {
                    if let Some(&i) = id.get(channel_key(channel).as_str()) {
                        row.push((i, 1.0));
                    }
                }
                row
            })
            .collect();
        Self { keys, rows }
    }
}

/// Learned weights, keyword-major: `weights[key * classes + class]`.
struct Linear {
    classes: usize,
    weights: Vec<f32>,
    bias: Vec<f32>,
}

/// Trains a softmax regression (one class per post) by SGD over the labelled posts, in a fixed
/// pseudo-random order so that learning is deterministic. The L2 penalty is applied to the
/// weights a post touches.
fn train(
    design: &Design,
    labels: &[Option<Vec<u32>>],
    classes: usize,
    options: &LearnOptions,
) -> Linear {
    let mut model = Linear {
        classes,
        weights: vec![0.0; design.keys.len() * classes],
        bias: vec![0.0; classes],
    };
    if classes == 0 {
        return model;
    }
    let mut order: Vec<usize> = (0..design.rows.len())
        .filter(|&d| labels[d].is_some())
        .collect();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut scores = vec![0.0f32; classes];
    let mut step = 0usize;
    let n = order.len().max(1) as f32;
    for _ in 0..options.epochs {
        // Fisher-Yates with a fixed xorshift sequence.
        for i in (1..order.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            order.swap(i, (state % (i as u64 + 1)) as usize);
        }
        for &d in &order {
            let row = &design.rows[d];
            let truth = labels[d].as_deref().unwrap_or_default();
            let rate = options.learning_rate / (1.0 + step as f32 / n);
            step += 1;
            scores.copy_from_slice(&model.bias);
            for &(k, x) in row {
                let w = &model.weights[k as usize * classes..(k as usize + 1) * classes];
                for (s, w) in scores.iter_mut().zip(w) {
                    *s += w * x;
                }
            }
            // scores become gradients of the log-loss with respect to each class score.
            let max = scores.iter().copied().fold(f32::MIN, f32::max);
            let mut total = 0.0;
            for s in &mut scores {
                *s = (*s - max).exp();
                total += *s;
            }
            for s in &mut scores {
                *s /= total;
            }
            for &c in truth {
                scores[c as usize] -= 1.0;
            }
            let active: Vec<usize> = (0..classes).filter(|&c| scores[c].abs() > 1e-4).collect();
            let decay = 1.0 - rate * options.l2;
            for &(k, x) in row {
                let w = &mut model.weights[k as usize * classes..(k as usize + 1) * classes];
                if active.len() * 4 > classes {
                    for (w, g) in w.iter_mut().zip(&scores) {
                        *w = *w * decay - rate * g * x;
                    }
                } else {
                    for &c in &active {
                        w[c] = w[c] * decay - rate * scores[c] * x;
                    }
                }
            }
            for &c in &active {
                model.bias[c] -= rate * scores[c];
            }
        }
    }
    model
}

impl Linear {
    /// A class's bias, channel weights and strongest keyword weights (by magnitude), rounded.
    fn class(
        &self,
        design: &Design,
        class: usize,
        keep: usize,
        options: &LearnOptions,
    ) -> (f32, BTreeMap<String, f32>, BTreeMap<String, f32>) {
        let mut weights: Vec<(&str, f32)> = design
            .keys
            .iter()
            .enumerate()
            .map(|(k, key)| (key.as_str(), round3(self.weights[k * self.classes + class])))
            .filter(|(_, w)| w.abs() >= options.min_weight)
            .collect();
        let (channels, keywords): (Vec<_>, Vec<_>) = weights
            .drain(..)
            .partition(|(k, _)| k.starts_with(CHANNEL_MARK));
        let channels = channels
            .into_iter()
            .map(|(k, w)| (k.trim_start_matches(CHANNEL_MARK).to_owned(), w))
            .collect();
        let mut keywords = keywords;
        keywords.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then_with(|| a.0.cmp(b.0)));
        keywords.truncate(keep);
        let triggers = keywords
            .into_iter()
            .map(|(k, w)| (k.to_owned(), w))
            .collect();
        (round3(self.bias[class]), channels, triggers)
    }
}

/// Keywords in more than about a quarter of the learning posts (IDF below ln 4) are no tag triggers.
const COMMON_IDF: f32 = 1.386;

/// The strongest trigger keywords of a class, as a Rocchio profile: the mean TF-IDF vector of the
/// class's posts minus a share of the mean of all other posts, cut to its strongest positive
/// keywords, unit-normalized, then multiplied by each keyword's IDF so that a post's plain
/// (zone-weighted, damped) counts can be scored against it. A keyword seen in fewer than two of
/// the class's posts is ignored: one post proves nothing.
fn triggers(
    space: &Space<'_>,
    members: &[usize],
    keep: usize,
    options: &LearnOptions,
) -> BTreeMap<String, f32> {
    let n_class = members.len() as f32;
    let others = (space.docs.len() as f32 - n_class).max(1.0);
    let mut sum: HashMap<&str, (f32, u32)> = HashMap::new();
    for &d in members {
        for (key, x) in &space.vectors[d] {
            let slot = sum.entry(key).or_default();
            slot.0 += x;
            slot.1 += 1;
        }
    }
    let min_support = 2u32.max((n_class * 0.05).ceil() as u32);
    let mut scored: Vec<(&str, f32)> = sum
        .into_iter()
        .filter(|&(_, (_, support))| support >= min_support)
        // A word in a large share of all posts (`the`, `这个`) is no topic, however its class
        // leans: it only adds noise to every tag of bilingual posts.
        .filter(|&(key, _)| space.idf.get(key).is_some_and(|idf| *idf >= COMMON_IDF))
        .map(|(key, (inside, _))| {
            let outside = (space.total.get(key).copied().unwrap_or(0.0) - inside) / others;
            (key, inside / n_class - options.negative * outside)
        })
        .filter(|&(_, w)| w > 0.0)
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    scored.truncate(keep);
    let norm = scored
        .iter()
        .map(|(_, w)| w * w)
        .sum::<f32>()
        .sqrt()
        .max(1e-9);
    scored
        .into_iter()
        .map(|(k, w)| {
            (
                k.to_owned(),
                round3(w / norm * space.idf.get(k).copied().unwrap_or(1.0)),
            )
        })
        .filter(|(_, w)| *w >= 0.001)
        .collect()
}

/// The learning posts as unit TF-IDF vectors, with the column sums and the IDF of every keyword.
struct Space<'a> {
    docs: &'a [LearnDoc],
    vectors: Vec<Vec<(&'a str, f32)>>,
    total: HashMap<&'a str, f32>,
    idf: HashMap<&'a str, f32>,
}

impl<'a> Space<'a> {
    fn new(docs: &'a [LearnDoc]) -> Self {
        let n = docs.len() as f32;
        let mut df: HashMap<&str, u32> = HashMap::new();
        for doc in docs {
            for key in doc.features.weights.keys() {
                *df.entry(key.as_str()).or_default() += 1;
            }
        }
        let idf: HashMap<&str, f32> = df.iter().map(|(k, d)| (*k, (n / *d as f32).ln())).collect();
        let mut total: HashMap<&str, f32> = HashMap::new();
        let vectors = docs
            .iter()
            .map(|doc| {
                let mut v: Vec<(&str, f32)> = doc
                    .features
                    .weights
                    .iter()
                    .map(|(k, tf)| (k.as_str(), tf * idf.get(k.as_str()).copied().unwrap_or(0.0)))
                    .collect();
                let norm = v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt().max(1e-9);
                for (k, x) in &mut v {
                    *x /= norm;
                    *total.entry(*k).or_default() += *x;
                }
                v
            })
            .collect();
        Self {
            docs,
            vectors,
            total,
            idf,
        }
    }
}

fn round2(x: f32) -> f32 {
    (x * 100.0).round() / 100.0
}

fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

fn render_triggers(triggers: &BTreeMap<String, f32>) -> String {
    let mut items: Vec<(&String, &f32)> = triggers.iter().collect();
    items.sort_by(|a, b| b.1.total_cmp(a.1).then_with(|| a.0.cmp(b.0)));
    let inner: Vec<String> = items
        .iter()
        .map(|(k, w)| format!("{}: {w}", yaml_scalar(k)))
        .collect();
    format!("{{{}}}", inner.join(", "))
}

fn render_list(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| yaml_scalar(s)).collect();
    format!("[{}]", inner.join(", "))
}

/// The `bias`, `channels` and `triggers` lines of an entry.
fn render_weights(
    bias: f32,
    channels: &BTreeMap<String, f32>,
    triggers: &BTreeMap<String, f32>,
) -> String {
    let mut out = format!("  bias: {bias}\n");
    if !channels.is_empty() {
        out.push_str(&format!("  channels: {}\n", render_triggers(channels)));
    }
    out.push_str(&format!("  triggers: {}\n", render_triggers(triggers)));
    out
}

/// Renders `tags.yaml` in its normalized form.
pub fn render_tags(tags: &[TagEntry]) -> String {
    let mut out = String::from(
        "# tags: the controlled tag vocabulary. `name` is written to the `tags` field; `aliases` are literal\n\
         # forms found in the text; `bias`, `channels` (speaker) and `triggers` (Chinese or English keywords) are\n\
         # the weights of a linear model learned from tagged posts by `frontfill vocab learn`: a keyword\n\
         # adds its weight times its zone-weighted, damped count over the post's norm. Editable by hand.\n",
    );
    for tag in tags {
        out.push_str(&format!("- name: {}\n", yaml_scalar(&tag.name)));
        if !tag.aliases.is_empty() {
            out.push_str(&format!("  aliases: {}\n", render_list(&tag.aliases)));
        }
        out.push_str(&format!("  count: {}\n", tag.count));
        if let Some(note) = &tag.note {
            out.push_str(&format!("  note: {}\n", yaml_scalar(note)));
        }
        out.push_str(&render_weights(tag.bias, &tag.channels, &tag.triggers));
    }
    out
}

/// Renders `taxonomy.yaml` in its normalized form.
pub fn render_taxonomy(taxonomy: &Taxonomy) -> String {
    let mut out = String::from(
        "# taxonomy: the `area` values and the `category` values with the area(s) each belongs to (share of\n\
         # its posts), each with trigger keywords learned by `frontfill vocab learn`; editable by hand.\n\
         areas:\n",
    );
    for area in &taxonomy.areas {
        out.push_str(&format!(
            "- name: {}\n  count: {}\n",
            yaml_scalar(&area.name),
            area.count
        ));
        out.push_str(&render_weights(area.bias, &area.channels, &area.triggers));
    }
    out.push_str("categories:\n");
    for category in &taxonomy.categories {
        out.push_str(&format!(
            "- name: {}\n  count: {}\n",
            yaml_scalar(&category.name),
            category.count
        ));
        let areas: Vec<String> = category
            .areas
            .iter()
            .map(|(a, s)| format!("{}: {s}", yaml_scalar(a)))
            .collect();
        out.push_str(&format!("  areas: {{{}}}\n", areas.join(", ")));
        out.push_str(&render_weights(
            category.bias,
            &category.channels,
            &category.triggers,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_merge_near_duplicates() {
        assert_eq!(tag_stem("ai-agents"), tag_stem("ai-agent"));
        assert_eq!(tag_stem("geopolitical"), tag_stem("geopolitics"));
        assert_eq!(
            tag_stem("investment-strategies"),
            tag_stem("investment-strategy")
        );
        assert_ne!(tag_stem("business"), tag_stem("busines-x"));
        assert!(is_label("us-china-relations"));
        assert!(!is_label("\"macro-economy\""));
        assert!(!is_label("AI"));
    }

    fn doc(words: &[&str], tags: &[&str], category: &str, area: &str) -> LearnDoc {
        LearnDoc {
            features: Features {
                weights: words.iter().map(|w| ((*w).to_owned(), 1.0)).collect(),
                channel: None,
            },
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            category: Some(category.to_owned()),
            area: Some(area.to_owned()),
        }
    }

    #[test]
    fn learns_discriminative_triggers_and_renders_parseable_yaml() {
        let mut docs = Vec::new();
        for _ in 0..6 {
            docs.push(doc(
                &["美联储", "利率", "市场"],
                &["monetary-policy"],
                "macro-economy",
                "finance-wealth",
            ));
            docs.push(doc(
                &["芯片", "英伟达", "市场"],
                &["semiconductors", "semiconductor"],
                "tech-trends",
                "tech-engineering",
            ));
        }
        // Other posts, so that the topic words are not common ones.
        for _ in 0..24 {
            docs.push(doc(&["天气", "市场"], &[], "", ""));
        }
        let (tags, taxonomy) = learn_topics(&docs, &LearnOptions::default());
        let names: Vec<_> = tags.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, vec!["monetary-policy", "semiconductor"]);
        assert_eq!(tags[1].aliases, vec!["semiconductors".to_owned()]);
        assert!(tags[0].triggers.contains_key("美联储"));
        assert!(
            !tags[0].triggers.contains_key("市场"),
            "a word in every post is no trigger"
        );
        let parsed: Vec<TagEntry> = serde_yaml_ng::from_str(&render_tags(&tags)).unwrap();
        assert_eq!(parsed, tags);
        let parsed: Taxonomy = serde_yaml_ng::from_str(&render_taxonomy(&taxonomy)).unwrap();
        assert_eq!(parsed, taxonomy);
        assert_eq!(
            taxonomy.categories[0].areas.get("finance-wealth"),
            Some(&1.0)
        );
    }
}
