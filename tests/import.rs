//! End-to-end tests of `frontfill import` on the hand-written transcripts in
//! `tests/fixtures/transcripts`: rolling WebVTT captions, a Chinese SubRip file and a plain-text
//! transcript become draft posts in the canonical layout with their fields filled; existing
//! posts are never replaced without `--force`, and a failure does not stop the batch.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

fn frontfill() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_frontfill"));
    cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    cmd
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/transcripts")
}

/// A temporary folder with copies of the named fixture transcripts.
fn workspace(names: &[&str]) -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in names {
        fs::copy(fixtures().join(name), dir.path().join(name)).expect("copy fixture");
    }
    dir
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The front matter's keys, in order, and the body.
fn split_post(post: &str) -> (Vec<String>, String) {
    let rest = post.strip_prefix("---\n").expect("front matter");
    let (front, body) = rest.split_once("\n---\n").expect("closing fence");
    let keys = front
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with('-'))
        .map(|l| l.split_once(':').expect("key").0.to_owned())
        .collect();
    (keys, body.to_owned())
}

fn value<'a>(post: &'a str, key: &str) -> &'a str {
    post.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}: ")))
        .unwrap_or_else(|| panic!("no {key} in {post}"))
}

const CANONICAL_KEYS: [&str; 10] = [
    "tags",
    "title",
    "summary",
    "draft",
    "category",
    "area",
    "people",
    "companies_orgs",
    "products_models",
    "media_books",
];

#[test]
fn rolling_webvtt_captions_become_a_filled_english_draft() {
    let dir = workspace(&["chip-talk.en.vtt"]);
    frontfill()
        .current_dir(dir.path())
        .args(["import", "chip-talk.en.vtt"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "imported chip-talk.en.vtt -> chip-talk.md: tags, summary, category, area",
        ));
    let post = read(&dir.path().join("chip-talk.md"));
    let (keys, body) = split_post(&post);
    assert_eq!(keys, CANONICAL_KEYS);
    assert_eq!(value(&post, "title"), "chip-talk");
    assert_eq!(value(&post, "draft"), "true");
    assert!(value(&post, "summary").len() > 20, "{post}");
    // Header, NOTE and STYLE blocks, timings, inline tags, [Music] and the repeated rolling
    // lines are gone; the pause before "after the break" and the `>>` start new paragraphs.
    assert_eq!(
        body,
        "welcome back to the show today we talk about chips and why memory & power matter\n\
         \n\
         after the break we look at data centers\n\
         \n\
         I think the bottleneck is the network not the chip itself\n"
    );
}

#[test]
fn a_chinese_srt_is_joined_without_spaces_and_takes_source_date_and_title() {
    let dir = workspace(&["education.zh.srt"]);
    frontfill()
        .current_dir(dir.path())
        .args([
            "import",
            "education.zh.srt",
            "--title",
            "人工智能与教育",
            "--source",
            "https://www.youtube.com/watch?v=test-zh",
            "--date",
            "2025-03-20",
        ])
        .assert()
        .success();
    let post = read(&dir.path().join("education.md"));
    let (keys, body) = split_post(&post);
    let mut expected = vec!["date", "source"];
    expected.extend(CANONICAL_KEYS);
    assert_eq!(keys, expected);
    assert_eq!(value(&post, "date"), "'2025-03-20'");
    assert_eq!(
        value(&post, "source"),
        "https://www.youtube.com/watch?v=test-zh"
    );
    assert_eq!(value(&post, "title"), "人工智能与教育");
    assert!(
        value(&post, "summary").contains("人工智能会怎样改变教育"),
        "{post}"
    );
    assert_eq!(
        body,
        "大家好，欢迎收听这一期节目。今天我们聊聊人工智能会怎样改变教育。很多家长担心孩子会过度依赖聊天机器人，不再愿意自己思考。\n\
         \n\
         老师的角色会从讲授知识变成引导讨论。\n\
         \n\
         那学生需要学会什么？\n\
         \n\
         学会把复杂的问题拆开。\n"
    );
}

#[test]
fn a_folder_is_imported_into_out_with_the_repos_keys() {
    let dir = workspace(&[
        "chip-talk.en.vtt",
        "education.zh.srt",
        "interview-notes.txt",
    ]);
    fs::write(
        dir.path().join("frontfill.yaml"),
        "keys:\n  summary: abstract\n",
    )
    .unwrap();
    fs::write(dir.path().join("ignored.md"), "not a transcript\n").unwrap();
    frontfill()
        .current_dir(dir.path())
        .args(["import", ".", "--out", "posts", "-q"])
        .assert()
        .success()
        .stdout("");
    let mut made: Vec<String> = fs::read_dir(dir.path().join("posts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    made.sort();
    assert_eq!(made, ["chip-talk.md", "education.md", "interview-notes.md"]);
    let notes = read(&dir.path().join("posts/interview-notes.md"));
    assert!(notes.contains("\nabstract: 主持人：今天的嘉宾"), "{notes}");
    assert!(!notes.contains("\nsummary:"), "{notes}");
    let (_, body) = split_post(&notes);
    assert_eq!(
        body,
        "主持人：今天的嘉宾来自一家做电池的创业公司。我们先聊聊他们为什么选择固态电池。\n\
         \n\
         嘉宾：固态电池更安全，能量密度也更高。但是量产的成本还是太高了。\n"
    );
}

#[test]
fn an_existing_post_is_kept_unless_forced_and_the_batch_goes_on() {
    let dir = workspace(&["chip-talk.en.vtt", "education.zh.srt"]);
    let existing = "---\ntitle: mine\n---\nhand-written\n";
    fs::write(dir.path().join("chip-talk.md"), existing).unwrap();
    frontfill()
        .current_dir(dir.path())
        .args(["import", "chip-talk.en.vtt", "education.zh.srt"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "imported education.zh.srt -> education.md",
        ))
        .stderr(predicate::str::contains(
            "frontfill: error: chip-talk.md already exists; left as it is (use --force to replace it)",
        ));
    assert_eq!(read(&dir.path().join("chip-talk.md")), existing);
    assert!(dir.path().join("education.md").is_file());

    frontfill()
        .current_dir(dir.path())
        .args(["import", "--force", "chip-talk.en.vtt"])
        .assert()
        .success();
    assert!(read(&dir.path().join("chip-talk.md")).contains("title: chip-talk"));
}

#[test]
fn bad_transcripts_are_reported_with_their_names() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("empty.vtt"),
        "WEBVTT\n\nNOTE nothing said\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("latin1.srt"),
        b"1\n00:00:01,000 --> 00:00:02,000\ncaf\xe9\n",
    )
    .unwrap();
    frontfill()
        .current_dir(dir.path())
        .args(["import", "empty.vtt", "latin1.srt", "missing.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("empty.vtt: no caption text in it"))
        .stderr(predicate::str::contains(
            "latin1.srt: invalid UTF-8 at byte",
        ))
        .stderr(predicate::str::contains("failed to read missing.txt"));
    assert!(!dir.path().join("empty.md").exists());
}

#[test]
fn a_utf16_transcript_with_a_byte_order_mark_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let text = "1\r\n00:00:01,000 --> 00:00:02,000\r\n今天我们聊聊电池。\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    fs::write(dir.path().join("battery.srt"), bytes).unwrap();
    frontfill()
        .current_dir(dir.path())
        .args(["import", "battery.srt"])
        .assert()
        .success();
    let post = read(&dir.path().join("battery.md"));
    assert!(post.ends_with("---\n今天我们聊聊电池。\n"), "{post}");
}
