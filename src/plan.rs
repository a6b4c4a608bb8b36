//! Decides which fields a post gets and what goes in them: from the current front matter and the
//! run's options to a [`Plan`] of field edits. Pure: it reads nothing and writes nothing.

use serde::Serialize;

use crate::field::Field;
use crate::front_matter::FrontMatter;

/// A value to write into a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum FieldValue {
    /// A list of names or tags.
    List(Vec<String>),
    /// One text.
    Text(String),
}

impl FieldValue {
    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        match self {
            FieldValue::List(items) => items.is_empty(),
            FieldValue::Text(text) => text.trim().is_empty(),
        }
    }
}

/// One field to set in a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldEdit {
    /// Which field.
    pub field: Field,
    /// The key it has in this post (repos may rename fields).
    pub key: String,
    /// The value to write.
    pub value: FieldValue,
    /// Whether this replaces a value that was already set (`--overwrite`).
    pub replaces: bool,
}

/// The edits for one post, in canonical field order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The field edits; empty when nothing changes.
    pub edits: Vec<FieldEdit>,
}

impl Plan {
    /// Whether the plan changes nothing.
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }
}

/// Which fields a run may fill, and under what rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPolicy {
    /// `--fields`: fill just these where empty, in any post. `None` means fresh drafts only.
    pub only: Option<Vec<Field>>,
    /// `--overwrite`: replace these even when set.
    pub overwrite: Vec<Field>,
    /// Also fill `summary_en` on fresh drafts (`--summary-lang both`).
    pub summary_en: bool,
    /// The fields a fresh draft is judged by and filled with (a repo's `fields`); `None` means
    /// the eight of [`Field::MANAGED`].
    pub managed: Option<Vec<Field>>,
}

/// Why a post gets the fields it gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Some of the eight fields are set and the options ask for nothing more.
    AlreadyFilled,
    /// Fill these fields (possibly none, when they are all set already).
    Fill(Vec<Field>),
}

/// Chooses the fields to fill. `key` maps a field to its key in this repo.
pub fn select_fields(
    fm: &FrontMatter,
    policy: &FieldPolicy,
    key: impl Fn(Field) -> String,
) -> Selection {
    let empty = |f: Field| fm.is_empty(&key(f));
    let mut fields: Vec<Field> = match &policy.only {
        Some(only) => only.iter().copied().filter(|&f| empty(f)).collect(),
        None => {
            let managed = policy.managed.as_deref().unwrap_or(&Field::MANAGED);
            if managed.iter().all(|&f| empty(f)) {
                let mut all = managed.to_vec();
                if policy.summary_en && empty(Field::SummaryEn) {
                    all.push(Field::SummaryEn);
                }
                all
            } else if policy.overwrite.is_empty() {
                return Selection::AlreadyFilled;
            } else {
                Vec::new()
            }
        }
    };
    fields.extend(policy.overwrite.iter().copied());
    fields.sort();
    fields.dedup();
    Selection::Fill(fields)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::document::Document;

    fn fm(text: &str) -> FrontMatter {
        let doc = Document::from_text(Path::new("t.md"), text.to_owned()).unwrap();
        FrontMatter::parse(&doc).unwrap()
    }

    fn name(f: Field) -> String {
        f.name().to_owned()
    }

    #[test]
    fn fresh_draft_gets_all_eight() {
        let sel = select_fields(
            &fm("---\ntags: []\nsummary: ''\n---\n"),
            &FieldPolicy::default(),
            name,
        );
        assert_eq!(
            sel,
            Selection::Fill(
                Field::MANAGED
                    .iter()
                    .copied()
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect()
            )
        );
    }

    #[test]
    fn a_set_field_makes_the_post_filled() {
        let sel = select_fields(
            &fm("---\npeople: [x]\n---\n"),
            &FieldPolicy::default(),
            name,
        );
        assert_eq!(sel, Selection::AlreadyFilled);
    }

    #[test]
    fn only_fills_empty_listed_fields_and_overwrite_replaces() {
        let policy = FieldPolicy {
            only: Some(vec![Field::Tags, Field::People]),
            overwrite: vec![Field::Area],
            summary_en: false,
            managed: None,
        };
        let sel = select_fields(&fm("---\npeople: [x]\narea: a\n---\n"), &policy, name);
        assert_eq!(sel, Selection::Fill(vec![Field::Tags, Field::Area]));
    }

    #[test]
    fn a_repo_that_manages_fewer_fields_judges_drafts_by_them() {
        let policy = FieldPolicy {
            managed: Some(vec![Field::People, Field::Summary]),
            ..FieldPolicy::default()
        };
        let sel = select_fields(
            &fm("---
tags: [x]
people: []
---
"),
            &policy,
            name,
        );
        assert_eq!(sel, Selection::Fill(vec![Field::Summary, Field::People]));
        let sel = select_fields(
            &fm("---
people: [x]
---
"),
            &policy,
            name,
        );
        assert_eq!(sel, Selection::AlreadyFilled);
    }
}
