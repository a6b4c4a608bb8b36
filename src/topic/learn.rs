//! Learns the tag vocabulary and the taxonomy from tagged posts: merges near-duplicate tags, and
//! gives every tag, category and area its trigger keywords, weighted by log-odds with a prior
//! (how much more often a post with the label contains the word than a post without it).

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
    /// Most triggers kept per tag.
    pub tag_triggers: usize,
    /// Most triggers kept per category or area.
    pub class_triggers: usize,
    /// How much of the other posts' mean vector is subtracted from a class's mean.
    pub negative: f32,
    /// Weakest trigger weight kept.
    pub min_weight: f32,
}

impl Default for LearnOptions {
    fn default() -> Self {
        Self {
            min_tag_count: 3,
            min_class_count: 5,
            tag_triggers: 40,
            class_triggers: 1000,
            negative: 0.25,
            min_weight: 0.001,
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
        features,
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
    let space = Space::new(docs);

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
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); groups.len()];
    for (d, doc) in docs.iter().enumerate() {
        let mut seen: Vec<usize> = doc
            .tags
            .iter()
            .filter_map(|t| tag_of_spelling.get(&t.trim().to_lowercase()).copied())
            .collect();
        seen.sort_unstable();
        seen.dedup();
        for g in seen {
            members[g].push(d);
        }
    }
    let mut tags: Vec<TagEntry> = groups
        .into_iter()
        .zip(members)
        .map(|((name, aliases), docs_with)| TagEntry {
            count: docs_with.len() as u32,
            triggers: triggers(&space, &docs_with, options.tag_triggers, options),
            name,
            aliases,
            note: None,
        })
        .collect();
    tags.sort_by(|a, b| a.name.cmp(&b.name));

    let taxonomy = learn_taxonomy(docs, &space, options);
    (tags, taxonomy)
}

fn learn_taxonomy(docs: &[LearnDoc], space: &Space<'_>, options: &LearnOptions) -> Taxonomy {
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
    let areas = by_area
        .iter()
        .map(|(name, members)| AreaEntry {
            name: name.clone(),
            count: members.len() as u32,
            triggers: triggers(space, members, options.class_triggers, options),
        })
        .collect();
    let categories = by_category
        .iter()
        .map(|(name, members)| {
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
            CategoryEntry {
                name: name.clone(),
                count: members.len() as u32,
                areas,
                triggers: triggers(space, members, options.class_triggers, options),
            }
        })
        .collect();
    Taxonomy { areas, categories }
}

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
        .filter(|(_, w)| *w >= options.min_weight)
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

/// Renders `tags.yaml` in its normalized form.
pub fn render_tags(tags: &[TagEntry]) -> String {
    let mut out = String::from(
        "# tags: the controlled tag vocabulary. `name` is written to the `tags` field; `aliases` are literal\n\
         # forms found in the text; `triggers` map keywords (Chinese or English) to weights, learned as\n\
         # log-odds from tagged posts by `frontfill vocab learn` and editable by hand.\n",
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
        out.push_str(&format!("  triggers: {}\n", render_triggers(&tag.triggers)));
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
        out.push_str(&format!(
            "  triggers: {}\n",
            render_triggers(&area.triggers)
        ));
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
        out.push_str(&format!(
            "  triggers: {}\n",
            render_triggers(&category.triggers)
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
