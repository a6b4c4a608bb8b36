//! The front matter fields frontfill manages: their names, whether each holds a list or a text,
//! and the canonical key order used to place a key that a post does not have yet.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A field frontfill can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Abstract topic labels, kebab-case English.
    Tags,
    /// A short extractive abstract in the post's language.
    Summary,
    /// An English abstract for bilingual posts (only with `--summary-lang both`).
    SummaryEn,
    /// One category from the taxonomy.
    Category,
    /// One area from the taxonomy, consistent with the category.
    Area,
    /// People discussed in the post.
    People,
    /// Companies and organisations.
    CompaniesOrgs,
    /// Products, models and tools.
    ProductsModels,
    /// Media, books, shows and publications.
    MediaBooks,
}

impl Field {
    /// The eight fields whose emptiness makes a post a fresh draft.
    pub const MANAGED: [Field; 8] = [
        Field::Tags,
        Field::Summary,
        Field::Category,
        Field::Area,
        Field::People,
        Field::CompaniesOrgs,
        Field::ProductsModels,
        Field::MediaBooks,
    ];

    /// Every field, including the optional ones.
    pub const ALL: [Field; 9] = [
        Field::Tags,
        Field::Summary,
        Field::SummaryEn,
        Field::Category,
        Field::Area,
        Field::People,
        Field::CompaniesOrgs,
        Field::ProductsModels,
        Field::MediaBooks,
    ];

    /// The default front matter key.
    pub fn name(self) -> &'static str {
        match self {
            Field::Tags => "tags",
            Field::Summary => "summary",
            Field::SummaryEn => "summary_en",
            Field::Category => "category",
            Field::Area => "area",
            Field::People => "people",
            Field::CompaniesOrgs => "companies_orgs",
            Field::ProductsModels => "products_models",
            Field::MediaBooks => "media_books",
        }
    }

    /// Whether the field holds a list (as opposed to one text).
    pub fn is_list(self) -> bool {
        matches!(
            self,
            Field::Tags
                | Field::People
                | Field::CompaniesOrgs
                | Field::ProductsModels
                | Field::MediaBooks
        )
    }

    /// Whether the field comes from the tag vocabulary and taxonomy.
    pub fn is_topic(self) -> bool {
        matches!(self, Field::Tags | Field::Category | Field::Area)
    }

    /// Whether the field is one of the four entity lists.
    pub fn is_entity(self) -> bool {
        matches!(
            self,
            Field::People | Field::CompaniesOrgs | Field::ProductsModels | Field::MediaBooks
        )
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Field {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Field::ALL
            .into_iter()
            .find(|f| f.name() == s.trim())
            .ok_or_else(|| {
                let names: Vec<_> = Field::ALL.iter().map(|f| f.name()).collect();
                format!("unknown field `{s}`; expected one of {}", names.join(", "))
            })
    }
}

/// The canonical layout's key order; a missing key goes after the nearest key before it here.
pub const CANONICAL_ORDER: [&str; 21] = [
    "author",
    "date",
    "guest",
    "layout",
    "source",
    "speaker",
    "tags",
    "title",
    "summary",
    "summary_en",
    "insight",
    "draft",
    "series",
    "category",
    "area",
    "project",
    "people",
    "companies_orgs",
    "products_models",
    "media_books",
    "status",
];
