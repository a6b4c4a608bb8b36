//! The entries of `tags.yaml` and `taxonomy.yaml` exactly as written. Shared by the YAML loader
//! and by the build script that precompiles the shipped files (`src/build.rs` includes this file),
//! so the two can never disagree on what an entry holds.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

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
    /// Score before any trigger fires (negative: the label needs evidence).
    #[serde(default)]
    pub bias: f32,
    /// Channel (`speaker`) to weight.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub channels: BTreeMap<String, f32>,
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
    /// Score before any trigger fires (negative: the label needs evidence).
    #[serde(default)]
    pub bias: f32,
    /// Channel (`speaker`) to weight.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub channels: BTreeMap<String, f32>,
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
    /// Score before any trigger fires (negative: the label needs evidence).
    #[serde(default)]
    pub bias: f32,
    /// Channel (`speaker`) to weight.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub channels: BTreeMap<String, f32>,
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

/// Every trigger keyword of the tags and the taxonomy, once, in sorted order: a keyword's id is
/// its position here, in the precompiled table and in the model built from YAML alike.
pub fn trigger_keywords<'a>(tags: &'a [TagEntry], taxonomy: &'a Taxonomy) -> BTreeSet<&'a str> {
    tags.iter()
        .flat_map(|t| t.triggers.keys())
        .chain(taxonomy.categories.iter().flat_map(|c| c.triggers.keys()))
        .chain(taxonomy.areas.iter().flat_map(|a| a.triggers.keys()))
        .map(String::as_str)
        .collect()
}
