//! The vocabulary commands from the outside: `vocab check`, `explain`, and `fill` writing the
//! entity fields, all against the fixture dictionaries so edits to the shipped ones do not churn.

use std::fs;
use std::path::PathBuf;

use assert_cmd::Command;
use predicates::prelude::*;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn frontfill() -> Command {
    let mut cmd = Command::cargo_bin("frontfill").expect("binary is built");
    cmd.current_dir(fixtures()).env("NO_COLOR", "1");
    cmd
}

const ONLY_FIXTURES: [&str; 3] = [
    "--no-builtin-dictionaries",
    "--dictionaries",
    "dictionaries",
];

#[test]
fn vocab_check_prints_counts_per_file() {
    frontfill()
        .args(["vocab", "check"])
        .args(ONLY_FIXTURES)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "dictionaries/people.yaml: 2 entries, 4 names and aliases (people)",
        ))
        .stdout(predicate::str::contains(
            "ok: 8 entries (people 2, companies_orgs 3, products_models 2, media_books 1)",
        ));
}

#[test]
fn vocab_check_layers_on_the_builtin_dictionaries() {
    frontfill()
        .args(["vocab", "check", "--dictionaries", "extra-dictionaries"])
        .assert()
        .success()
        .stdout(predicate::str::contains("<built-in>/people.yaml"))
        .stdout(predicate::str::contains(
            "extra-dictionaries/people.yaml: 1 entries",
        ));
}

#[test]
fn unknown_key_exits_2_with_file_and_line() {
    frontfill()
        .args(["vocab", "check", "--dictionaries", "bad-dictionaries"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "invalid dictionary: bad-dictionaries/people.yaml:5: unknown field `alias`",
        ));
}

#[test]
fn collision_names_both_entries_and_files() {
    frontfill()
        .args(["vocab", "check"])
        .args(ONLY_FIXTURES)
        .args(["--dictionaries", "clash-dictionaries"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "alias `黄仁勋` is claimed by `Jensen Huang` (dictionaries/people.yaml:2) and `Huang Holdings` (clash-dictionaries/companies_orgs.yaml:2)",
        ));
}

#[test]
fn dictionary_errors_stop_fill_before_any_post() {
    let dir = tempfile::tempdir().unwrap();
    let post = dir.path().join("chips.md");
    fs::copy(fixtures().join("posts/chips.md"), &post).unwrap();
    let before = fs::read(&post).unwrap();
    frontfill()
        .args(["fill", "--dictionaries", "bad-dictionaries"])
        .arg(&post)
        .assert()
        .code(2)
        .stdout("");
    assert_eq!(fs::read(&post).unwrap(), before);
}

#[test]
fn explain_shows_candidates_with_evidence_and_verdicts() {
    frontfill()
        .arg("explain")
        .args(ONLY_FIXTURES)
        .arg("posts/chips.md")
        .assert()
        .success()
        .stdout(predicate::str::contains("+ Jensen Huang  score"))
        .stdout(predicate::str::contains("黄仁勋 (line 2:21, title)"))
        .stdout(predicate::str::contains("- YouTube  score"))
        .stdout(predicate::str::contains("not written: score below"))
        .stdout(predicate::str::contains("- Lisa Wong"))
        .stdout(predicate::str::contains("new (bold_name)"));
}

#[test]
fn explain_json_lists_every_candidate() {
    let output = frontfill()
        .args(["explain", "--format", "json"])
        .args(ONLY_FIXTURES)
        .arg("posts/chips.md")
        .output()
        .unwrap();
    assert!(output.status.success());
    let line = String::from_utf8(output.stdout).unwrap();
    let value: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    assert_eq!(value["type"], "explain");
    let orgs = &value["fields"]["companies_orgs"]["candidates"];
    assert_eq!(orgs[0]["name"], "Nvidia");
    assert_eq!(orgs[0]["written"], true);
    assert_eq!(orgs[0]["evidence"][0]["zone"], "title");
    let youtube = orgs
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "YouTube")
        .unwrap();
    assert_eq!(youtube["written"], false);
    assert!(youtube["reason"]
        .as_str()
        .unwrap()
        .starts_with("score below"));
}

/// A copy of the `chips.md` fixture after a plain `fill` (the default human report) wrote it.
fn chips_filled_in_place() -> String {
    let dir = tempfile::tempdir().unwrap();
    let post = dir.path().join("chips.md");
    fs::copy(fixtures().join("posts/chips.md"), &post).unwrap();
    frontfill()
        .arg("fill")
        .args(ONLY_FIXTURES)
        .arg(&post)
        .assert()
        .success();
    fs::read_to_string(&post).unwrap()
}

#[test]
fn fill_writes_entity_fields_and_never_the_channel() {
    let text = chips_filled_in_place();
    assert!(text.contains("people:\n  - Jensen Huang\n"), "{text}");
    assert!(
        text.contains("companies_orgs:\n  - Nvidia\n  - AMD\n"),
        "{text}"
    );
    assert!(text.contains("products_models:\n  - Blackwell\n"), "{text}");
    assert!(text.contains("media_books: []\n"), "{text}");
    assert!(!text.contains("- Chip Talk"), "{text}");
    assert!(!text.contains("- YouTube"), "{text}");
}

/// `fill --check --format json` of the `chips.md` fixture: the exit code and the post's object.
fn chips_json_report() -> (Option<i32>, serde_json::Value) {
    let output = frontfill()
        .args(["fill", "--check", "--format", "json"])
        .args(ONLY_FIXTURES)
        .arg("posts/chips.md")
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let file = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    (output.status.code(), file)
}

#[test]
fn fill_json_has_candidates_per_field() {
    let (code, file) = chips_json_report();
    assert_eq!(code, Some(1));
    assert_eq!(file["fields"]["people"][0], "Jensen Huang");
    let people = &file["candidates"]["people"];
    assert_eq!(people[0]["name"], "Jensen Huang");
    assert_eq!(people[0]["written"], true);
    assert!(people[0]["evidence"].as_array().unwrap().len() <= 3);
}

#[test]
fn the_json_report_pins_evidence_and_plans_what_the_human_run_writes() {
    let (_, file) = chips_json_report();
    let orgs = file["candidates"]["companies_orgs"].as_array().unwrap();
    assert!(orgs.iter().all(|c| {
        let evidence = c["evidence"].as_array().unwrap();
        !evidence.is_empty() && evidence.iter().all(|e| e["line"].is_u64())
    }));
    assert_eq!(orgs[0]["evidence"][0]["column"], 8, "英伟达 in the title");
    // The human run keeps no evidence; what it writes is what the JSON report planned.
    let written = chips_filled_in_place();
    let fields = file["fields"].as_object().unwrap();
    assert!(fields.len() >= 4, "{fields:?}");
    for (key, value) in fields {
        let expected = match value {
            serde_json::Value::Array(names) => {
                let items: Vec<String> = (names.iter())
                    .map(|n| format!("  - {}\n", n.as_str().unwrap()))
                    .collect();
                format!("{key}:\n{}", items.concat())
            }
            value => format!("{key}: {}\n", value.as_str().unwrap()),
        };
        assert!(written.contains(&expected), "{expected}\n{written}");
    }
}
