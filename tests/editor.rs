//! What editors see: `frontfill fill --format json -` reads a post on stdin and prints the
//! versioned JSON Lines shape (suggestions, candidates with evidence, then the summary object).
//! The shape is public API, so it is pinned by an insta snapshot (reviewed, not blindly accepted);
//! the fixture dictionaries keep it independent of the shipped vocabulary.

mod common;

use std::path::Path;

use assert_cmd::Command;
use serde_json::{json, Value};

use common::round;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn fill_format_json_on_stdin() {
    let post = std::fs::read(root().join("samples/zh-canonical.md")).expect("sample");
    let out = Command::new(env!("CARGO_BIN_EXE_frontfill"))
        .current_dir(root().join("tests/fixtures"))
        .args([
            "fill",
            "--format",
            "json",
            "--no-builtin-dictionaries",
            "--dictionaries",
            "dictionaries",
            "-",
        ])
        .write_stdin(post)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "JSON mode on stdin says nothing else"
    );
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .expect("UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect();
    assert_eq!(lines.len(), 2, "one file object, then the summary");
    assert!(lines.iter().all(|l| l["version"] == 1));
    let mut summary = lines[1].clone();
    assert!(summary["elapsed"].is_number());
    summary["elapsed"] = json!("[elapsed]");
    insta::assert_json_snapshot!("fill-json-stdin", json!([round(lines[0].clone()), summary]));
}
