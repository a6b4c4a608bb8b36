//! Splicing arbitrary values into arbitrary posts: never panics; a plan it applies reads back
//! exactly as planned with the body intact; and into a plain front matter, any value at all can be
//! written (quoting never fails) without adding or losing a key.

#![no_main]

use std::path::Path;

use arbitrary::Arbitrary;
use frontfill::document::Document;
use frontfill::field::{Field, CANONICAL_ORDER};
use frontfill::front_matter::FrontMatter;
use frontfill::plan::{FieldEdit, FieldValue, Plan};
use frontfill::write::apply_plan;
use libfuzzer_sys::fuzz_target;
use serde_yaml_ng::Value;

#[derive(Debug, Arbitrary)]
enum Written {
    Text(String),
    List(Vec<String>),
}

#[derive(Debug, Arbitrary)]
struct Input {
    post: String,
    edits: Vec<(u8, Written)>,
}

const PLAIN: &str = "---\ntitle: x\nsummary: ''\ntags: []\ndraft: true\n---\nbody\n";

fn plan(edits: Vec<(u8, Written)>) -> Plan {
    let mut plan = Plan::default();
    for (selector, value) in edits {
        let field = Field::ALL[usize::from(selector) % Field::ALL.len()];
        if plan.edits.iter().any(|e| e.field == field) {
            continue;
        }
        let value = match value {
            Written::Text(text) => FieldValue::Text(text),
            Written::List(items) => FieldValue::List(items),
        };
        plan.edits.push(FieldEdit {
            field,
            key: field.name().to_owned(),
            value,
            replaces: false,
        });
    }
    plan
}

fn expected(value: &FieldValue) -> Value {
    match value {
        FieldValue::Text(text) => Value::String(text.clone()),
        FieldValue::List(items) => Value::Sequence(items.iter().cloned().map(Value::String).collect()),
    }
}

/// Applies `plan` to `text`; checks what it promises when it succeeds.
fn apply(text: &str, plan: &Plan) -> Option<String> {
    let order: Vec<String> = CANONICAL_ORDER.iter().map(|k| (*k).to_owned()).collect();
    let path = Path::new("fuzz.md");
    let doc = Document::from_text(path, text.to_owned()).ok()?;
    let fm = FrontMatter::parse(&doc).ok()?;
    let out = apply_plan(&doc, &fm, plan, &order).ok()?;
    let new = Document::from_text(path, out.clone()).expect("the output splits");
    assert_eq!(new.body(), doc.body(), "the body changed");
    let new_fm = FrontMatter::parse(&new).expect("the output parses");
    for edit in &plan.edits {
        assert_eq!(new_fm.get(&edit.key), Some(&expected(&edit.value)), "{}", edit.key);
    }
    for (key, value) in &fm.values {
        if !plan.edits.iter().any(|e| Some(e.key.as_str()) == key.as_str()) {
            assert_eq!(new_fm.values.get(key), Some(value), "an unedited key changed");
        }
    }
    Some(out)
}

fuzz_target!(|input: Input| {
    let plan = plan(input.edits);
    apply(&input.post, &plan);
    let out = apply(PLAIN, &plan).expect("any value can be written into plain front matter");
    let fm = FrontMatter::parse(&Document::from_text(Path::new("p.md"), out).unwrap()).unwrap();
    let added = plan
        .edits
        .iter()
        .filter(|e| !["summary", "tags"].contains(&e.key.as_str()))
        .count();
    assert_eq!(fm.values.len(), 4 + added, "a value added or removed a key");
});
