//! `vocab learn` end to end on a tiny hand-written corpus (tests/fixtures/learn): variants merge,
//! glosses become aliases, priors and counts are computed, the holdout leaves posts out, output
//! is deterministic, and a curator's edits survive a re-run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use frontfill::field::Field;
use frontfill::holdout::Holdout;
use frontfill::vocab::format::{render, DictFile, Record};
use frontfill::vocab::learn::{learn, read_dictionaries, Sources, Thresholds};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/learn")
}

fn sources() -> Sources {
    Sources {
        dirs: vec![fixtures().join("posts")],
        labels: Some(fixtures().join("labels.jsonl")),
        holdout: None,
    }
}

fn entry<'a>(files: &'a BTreeMap<Field, DictFile>, field: Field, name: &str) -> &'a Record {
    files[&field]
        .entries
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no {field} entry `{name}` in {:?}", files[&field].entries))
}

#[test]
fn learns_names_aliases_priors_and_counts() {
    let learned = learn(&sources(), &BTreeMap::new(), &Thresholds::default()).unwrap();
    let files = &learned.files;
    assert_eq!(learned.report.posts, 4);
    assert_eq!(learned.report.labels, 1);

    // `donald-trump` and `Donald Trump` are one entry under the readable form; the bold gloss
    // `**特朗普**（Donald Trump）` gives the Chinese alias.
    let trump = entry(files, Field::People, "Donald Trump");
    assert_eq!(trump.aliases, vec!["特朗普".to_owned()]);
    assert_eq!(trump.count, 3);
    // Mentioned in two posts, labelled with the exact name in one: (1 + 1) / (2 + 2).
    assert_eq!(trump.prior, Some(0.5));

    let nvidia = entry(files, Field::CompaniesOrgs, "Nvidia");
    assert_eq!(nvidia.aliases, vec!["英伟达".to_owned()]);
    assert_eq!(nvidia.count, 3);
    // Mentioned in three posts (once only in passing), labelled in two: (2 + 1) / (3 + 2).
    assert_eq!(nvidia.prior, Some(0.6));

    assert_eq!(
        entry(files, Field::People, "Jensen Huang").aliases,
        vec!["黄仁勋".to_owned()]
    );
    // `openai` and `OpenAI` merge; the properly cased form wins the tie.
    assert_eq!(entry(files, Field::CompaniesOrgs, "OpenAI").count, 2);
    assert!(files[&Field::MediaBooks].entries.is_empty());
}

#[test]
fn holdout_leaves_posts_out() {
    let all = learn(&sources(), &BTreeMap::new(), &Thresholds::default()).unwrap();
    // Whatever the split, learning sees exactly the posts outside the fold.
    let holdout: Holdout = "0/2".parse().unwrap();
    let held = std::fs::read_dir(fixtures().join("posts"))
        .unwrap()
        .filter(|e| holdout.contains(&e.as_ref().unwrap().path()))
        .count();
    let part = learn(
        &Sources {
            holdout: Some(holdout),
            ..sources()
        },
        &BTreeMap::new(),
        &Thresholds::default(),
    )
    .unwrap();
    assert_eq!(part.report.held_out, held);
    assert_eq!(part.report.posts + held, all.report.posts);
}

fn run_learn(out: &Path) -> String {
    let output = Command::cargo_bin("frontfill")
        .unwrap()
        .args(["vocab", "learn"])
        .arg(fixtures().join("posts"))
        .arg("--labels")
        .arg(fixtures().join("labels.jsonl"))
        .arg("--out")
        .arg(out)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(output).unwrap()
}

#[test]
fn cli_output_is_deterministic_and_keeps_curation() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let stdout = run_learn(&a);
    assert!(stdout.contains("people.yaml: 2 entries"), "{stdout}");
    assert!(
        stdout.contains("learned from 4 posts and 1 label rows in"),
        "{stdout}"
    );
    run_learn(&b);
    let people = std::fs::read_to_string(a.join("people.yaml")).unwrap();
    assert_eq!(
        people,
        std::fs::read_to_string(b.join("people.yaml")).unwrap()
    );
    assert!(people.starts_with("# people:"));

    // A curator adds an alias and a note, and an entry of their own.
    let mut files = read_dictionaries(&a).unwrap();
    let file = files.get_mut(&Field::People).unwrap();
    let trump = file
        .entries
        .iter_mut()
        .find(|e| e.name == "Donald Trump")
        .unwrap();
    trump.aliases.push("川普".to_owned());
    trump.note = Some("curated".to_owned());
    file.entries.push(Record {
        name: "Lisa Su".to_owned(),
        aliases: vec!["苏姿丰".to_owned()],
        ..Record::default()
    });
    std::fs::write(a.join("people.yaml"), render(file)).unwrap();

    let stdout = run_learn(&a);
    assert!(
        stdout.contains("people.yaml: 3 entries (3 kept, 0 new)"),
        "{stdout}"
    );
    let again = std::fs::read_to_string(a.join("people.yaml")).unwrap();
    assert!(again.contains("- name: Donald Trump\n  aliases: [川普, 特朗普]\n  prior: 0.50\n  count: 3\n  note: curated\n"), "{again}");
    // The hand-added entry is kept and gets learned numbers (never labelled, never mentioned).
    assert!(
        again.contains("- name: Lisa Su\n  aliases: [苏姿丰]\n  prior: 0.50\n"),
        "{again}"
    );
    // A third run changes nothing.
    run_learn(&a);
    assert_eq!(
        again,
        std::fs::read_to_string(a.join("people.yaml")).unwrap()
    );
}
