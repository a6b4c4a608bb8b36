//! Snapshots of what the library plans for each post in `samples/`: status, language and the
//! field values. They change on purpose when a stage improves; review them with
//! `cargo insta review` (or `INSTA_UPDATE=always cargo test --test samples` and `git diff`).

mod common;

use std::path::Path;
use std::sync::Arc;

use frontfill::app::{Detail, Engine, Options, Status, SummaryLang};
use frontfill::field::Field;
use frontfill::plan::FieldPolicy;
use frontfill::topic::TopicModel;
use serde_json::{json, Value};

use common::{round, samples, strip_entries, MANAGED_KEYS};

/// The planned edits of one sample, with floats rounded so tiny score changes do not churn.
fn plan_of(engine: &Engine, path: &Path, bytes: Vec<u8>) -> Value {
    let name = path.file_name().expect("file name").to_string_lossy();
    let filled = engine
        .fill(Path::new(&format!("samples/{name}")), bytes)
        .expect("every sample fills");
    let fields: serde_json::Map<String, Value> = filled
        .plan
        .edits
        .iter()
        .map(|e| {
            (
                e.key.clone(),
                round(serde_json::to_value(&e.value).expect("JSON")),
            )
        })
        .collect();
    json!({
        "path": format!("samples/{name}"),
        "status": filled.status,
        "language": filled.language,
        "fields": fields,
    })
}

#[test]
fn samples_plans() {
    let engine = Engine::new(Options::default());
    let paths = samples();
    assert!(
        paths.len() >= 8,
        "samples/ holds the posts the README demonstrates"
    );
    for path in paths {
        let bytes = std::fs::read(&path).expect("readable sample");
        let stem = path
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        insta::assert_json_snapshot!(stem, plan_of(&engine, &path, bytes));
    }
}

#[test]
fn bilingual_sample_with_both_summary_languages() {
    let engine = Engine::new(Options {
        policy: FieldPolicy {
            summary_en: true,
            ..FieldPolicy::default()
        },
        summary_lang: SummaryLang::Both,
        ..Options::default()
    });
    let path = common::root().join("samples/bilingual-interview.md");
    let bytes = std::fs::read(&path).expect("readable sample");
    insta::assert_json_snapshot!("bilingual-interview-both", plan_of(&engine, &path, bytes));
}

#[test]
fn samples_cover_the_layouts_the_readme_promises() {
    let engine = Engine::new(Options::default());
    let mut statuses = Vec::new();
    for path in samples() {
        let original = std::fs::read_to_string(&path).expect("UTF-8 sample");
        let filled = engine
            .fill(&path, original.clone().into_bytes())
            .expect("every sample fills");
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        statuses.push((name.clone(), filled.status));
        let Some(out) = filled.text else { continue };
        let edited: Vec<&str> = filled.plan.edits.iter().map(|e| e.key.as_str()).collect();
        assert!(edited.iter().all(|k| MANAGED_KEYS.contains(k)), "{name}");
        if name == "no-front-matter.md" {
            assert_eq!(
                strip_entries(&out, &edited),
                format!("---\n---\n{original}")
            );
        } else {
            assert_eq!(
                strip_entries(&out, &edited),
                strip_entries(&original, &edited),
                "{name}"
            );
        }
        if name == "crlf-bom.md" {
            assert!(out.starts_with("\u{feff}---\r\n"));
            assert_eq!(out.matches('\n').count(), out.matches("\r\n").count());
        }
        assert!(
            engine
                .fill(&path, out.into_bytes())
                .expect("refills")
                .text
                .is_none(),
            "{name}: a second fill changes nothing"
        );
    }
    let status = |name: &str| statuses.iter().find(|(n, _)| n == name).map(|(_, s)| *s);
    assert_eq!(status("already-filled.md"), Some(Status::AlreadyFilled));
    for name in [
        "zh-canonical.md",
        "bilingual-interview.md",
        "english-only.md",
        "no-front-matter.md",
        "alphabetical-flush.md",
        "crlf-bom.md",
        "quoted-strings.md",
    ] {
        assert_eq!(status(name), Some(Status::Filled), "{name}");
    }
}

#[test]
fn evidence_is_kept_only_when_asked_and_never_changes_the_plan() {
    let topics = Arc::new(TopicModel::shipped().expect("the shipped topic model loads"));
    let engine = |detail, policy| {
        Engine::new(Options {
            detail,
            policy,
            ..Options::default()
        })
        .with_topics(Arc::clone(&topics))
    };
    // Fresh drafts get every field; `--fields` asks for fields no summary language follows.
    let no_summary = FieldPolicy {
        only: Some(vec![Field::Tags, Field::People, Field::CompaniesOrgs]),
        ..FieldPolicy::default()
    };
    let mut pinned = 0;
    for policy in [FieldPolicy::default(), no_summary] {
        let summary = policy.only.is_none();
        let plain = engine(Detail::Plan, policy.clone());
        let detailed = engine(Detail::Evidence, policy);
        for path in samples()
            .into_iter()
            .chain([common::root().join("tests/fixtures/posts/chips.md")])
        {
            let bytes = std::fs::read(&path).expect("readable sample");
            let name = path.display().to_string();
            let a = plain
                .fill(&path, bytes.clone())
                .expect("every sample fills");
            let b = detailed.fill(&path, bytes).expect("every sample fills");
            assert_eq!(a.plan, b.plan, "{name}");
            assert_eq!(a.text, b.text, "{name}");
            assert_eq!(a.status, b.status, "{name}");
            assert!(a.candidates.is_empty() && a.topics.is_none(), "{name}");
            if b.status != Status::Filled {
                continue;
            }
            // Only a summary that follows the post's language needs it without evidence.
            assert!(b.language.is_some(), "{name}");
            if summary {
                assert_eq!(a.language, b.language, "{name}");
            } else {
                assert_eq!(a.language, None, "{name}");
            }
            let topics = b.topics.as_ref().expect("a draft gets topic candidates");
            assert!(topics.tags.iter().any(|t| !t.evidence.is_empty()), "{name}");
            for candidates in b.candidates.values() {
                for c in candidates {
                    assert!(!c.evidence.is_empty() && c.evidence.len() <= 3, "{name}");
                    pinned += c.evidence.iter().filter(|e| e.column.is_some()).count();
                }
            }
        }
    }
    assert!(pinned > 0, "some evidence is pinned to a column");
}
