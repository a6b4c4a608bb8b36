//! Planning and filling arbitrary posts through the whole engine, under each field policy: never
//! panics, and a post it fills re-parses, keeps its body, and needs nothing on a second fill.

#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use frontfill::app::{Engine, Options};
use frontfill::document::Document;
use frontfill::field::Field;
use frontfill::front_matter::FrontMatter;
use frontfill::plan::{select_fields, FieldPolicy, Selection};
use libfuzzer_sys::fuzz_target;

fn policies() -> Vec<FieldPolicy> {
    vec![
        FieldPolicy::default(),
        FieldPolicy {
            only: Some(vec![Field::Summary, Field::People, Field::Tags]),
            overwrite: Vec::new(),
            summary_en: false,
        },
        FieldPolicy {
            only: None,
            overwrite: vec![Field::Summary, Field::CompaniesOrgs],
            summary_en: true,
        },
    ]
}

static ENGINES: LazyLock<Vec<Engine>> = LazyLock::new(|| {
    policies()
        .into_iter()
        .map(|policy| {
            Engine::new(Options {
                policy,
                ..Options::default()
            })
        })
        .collect()
});

fuzz_target!(|data: &[u8]| {
    let Some((&selector, post)) = data.split_first() else {
        return;
    };
    let engine = &ENGINES[usize::from(selector) % ENGINES.len()];
    let path = Path::new("fuzz.md");

    if let Ok(doc) = Document::from_bytes(path, post.to_vec()) {
        if let Ok(fm) = FrontMatter::parse(&doc) {
            let policy = &engine.options().policy;
            match select_fields(&fm, policy, |f| f.name().to_owned()) {
                Selection::AlreadyFilled => {
                    assert!(policy.only.is_none() && policy.overwrite.is_empty());
                    assert!(Field::MANAGED.iter().any(|f| !fm.is_empty(f.name())));
                }
                Selection::Fill(fields) => {
                    for field in &fields {
                        assert!(
                            policy.overwrite.contains(field) || fm.is_empty(field.name()),
                            "{field} is set and not overwritten"
                        );
                    }
                }
            }
        }
    }

    let Ok(filled) = engine.fill(path, post.to_vec()) else {
        return;
    };
    let Some(out) = filled.text else {
        return;
    };
    let old = Document::from_bytes(path, post.to_vec()).expect("it split before");
    let new = Document::from_text(path, out.clone()).expect("the output splits");
    assert_eq!(old.body(), new.body(), "the body changed");
    FrontMatter::parse(&new).expect("the output parses");
    let again = engine.fill(path, out.into_bytes()).expect("the output fills again");
    assert!(again.text.is_none(), "a second fill changed the post");
});
