//! End-to-end tests of the `frontfill` binary: every mode, every exit code, stdin, and every kind
//! of bad input, run on posts in temporary folders.

#![expect(clippy::print_stderr, reason = "a skipped case says why")]

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

use common::{list_files, strip_entries, MANAGED_KEYS};

/// A fresh draft in the canonical layout: every managed field empty.
const FRESH: &str = "---
author: 测试频道
date: '2025-01-01'
guest: ''
layout: post.njk
source: https://www.youtube.com/watch?v=test
speaker: 测试频道
tags: []
title: 人工智能会怎样改变教育
summary: ''
insight: ''
draft: true
series: ''
category: ''
area: ''
project: []
people: []
companies_orgs: []
products_models: []
media_books: []
status: evergreen
---
### 开场

今天我们讨论人工智能会怎样改变教育。很多家长担心孩子以后会过度依赖聊天机器人，不再愿意自己思考。我们的看法恰恰相反，好的工具会让学生有更多时间去提出问题。

### 老师的角色

老师的角色会从讲授知识变成引导讨论。课堂上最重要的不再是标准答案，而是学生能不能把一个复杂的问题拆开，一步一步验证自己的想法。这对老师提出了更高的要求，也需要学校给老师更多的培训和时间。
";

/// A post with some managed fields set: by default it is already filled.
const FILLED: &str = "---
title: 已经整理好的文章
tags:
  - education
summary: 这篇文章已经有摘要了。
people: []
---
正文内容在这里，已经整理过了。我们不希望工具再去改动它的任何一个字节。

这篇文章讨论城市里的年轻人为什么越来越晚结婚。房价和工作压力是最常被提到的原因，但受访者也说，他们更看重找到真正合适的人。很多人愿意先把事业稳定下来，再考虑家庭。

社会学家认为，这种变化并不只是经济问题，也反映了观念的转变。过去结婚被看作人生必经的一步，现在越来越多的人把它当成一种选择。政策制定者如果只靠发补贴，恐怕很难改变这种趋势。
";

/// A post without front matter.
const PLAIN: &str = "# 没有前置元数据的文章

这是一篇没有前置元数据的文章。我们希望工具为它创建一个新的前置元数据块，只包含填写的字段，其余内容保持不变。正文的每一个字节都应该原样保留下来。

这一期我们聊聊电动汽车的价格战。过去一年里，很多品牌把价格降了一成以上，消费者当然高兴，但经销商和零部件厂商的利润被压得很薄。价格战最后会淘汰一批规模小、技术弱的企业。

对于打算买车的人来说，现在确实是一个不错的时机。不过我们建议大家多关注售后服务和电池质保，而不是只看价格。一家公司如果撑不过这一轮竞争，它卖出的车以后维修起来会很麻烦。
";

fn frontfill() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_frontfill"));
    cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    cmd
}

/// A temporary folder holding the given files.
fn folder(files: &[(&str, &[u8])]) -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, bytes) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(path, bytes).expect("write fixture");
    }
    dir
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).expect("readable post")
}

fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 stdout")
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 stderr")
}

/// The value of a top-level `key: value` line.
fn scalar<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(": ")))
}

/// Asserts that `after` differs from `before` only in the managed fields' entries.
fn assert_only_managed_changed(before: &str, after: &str) {
    assert_eq!(
        strip_entries(before, &MANAGED_KEYS),
        strip_entries(after, &MANAGED_KEYS),
        "bytes outside the managed fields changed"
    );
}

const SUMMARY_LINE: &str = r"^\d+ files: \d+ (filled|to fill), \d+ unchanged, \d+ errors in \d+\.\d\ds \((\d+\.\d MB|\d+ KB)/s\)$";

// ---------------------------------------------------------------------------------------------
// Write mode

#[test]
fn write_fills_fresh_drafts_in_place_and_leaves_filled_posts_alone() {
    let dir = folder(&[
        ("fresh.md", FRESH.as_bytes()),
        ("filled.md", FILLED.as_bytes()),
        ("sub/plain.markdown", PLAIN.as_bytes()),
        ("notes.txt", b"not a post"),
    ]);
    let out = frontfill()
        .args(["fill", "--no-progress"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));

    let fresh = read(&dir.path().join("fresh.md"));
    let summary = scalar(&fresh, "summary").expect("summary line");
    assert!(
        summary.starts_with("今天") || summary.contains("人工智能") || summary.contains("老师")
    );
    assert_ne!(summary, "''");
    assert_only_managed_changed(FRESH, &fresh);

    assert_eq!(
        read(&dir.path().join("filled.md")),
        FILLED,
        "already filled"
    );
    assert_eq!(read(&dir.path().join("notes.txt")), "not a post");

    let plain = read(&dir.path().join("sub/plain.markdown"));
    let body_at = plain.find("# 没有").expect("body kept");
    assert_eq!(&plain[body_at..], PLAIN, "body unchanged");
    let created = &plain[..body_at];
    assert!(created.starts_with("---\n") && created.ends_with("\n---\n"));
    assert!(created.contains("\nsummary: "), "{created}");
    assert_eq!(
        strip_entries(&plain, &MANAGED_KEYS),
        format!("---\n---\n{PLAIN}")
    );

    let stdout = stdout_of(&out);
    let fresh_path = dir.path().join("fresh.md");
    assert!(
        stdout.contains(&format!("filled {}: ", fresh_path.display())),
        "{stdout}"
    );
    assert!(!stdout.contains("filled.md"), "{stdout}");
    let stderr = stderr_of(&out);
    assert!(
        stderr.starts_with("3 files: 2 filled, 1 unchanged, 0 errors in "),
        "{stderr}"
    );
}

#[test]
fn a_second_run_changes_nothing() {
    let dir = folder(&[
        ("fresh.md", FRESH.as_bytes()),
        ("plain.md", PLAIN.as_bytes()),
    ]);
    frontfill()
        .args(["fill", "--no-progress"])
        .arg(dir.path())
        .assert()
        .code(0);
    let first: Vec<_> = ["fresh.md", "plain.md"]
        .iter()
        .map(|n| read(&dir.path().join(n)))
        .collect();
    frontfill()
        .args(["fill", "--no-progress"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "2 files: 0 filled, 2 unchanged, 0 errors",
        ));
    frontfill()
        .args(["fill", "--check"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout("");
    let second: Vec<_> = ["fresh.md", "plain.md"]
        .iter()
        .map(|n| read(&dir.path().join(n)))
        .collect();
    assert_eq!(first, second);
}

#[test]
fn writes_keep_permissions_and_leave_no_temp_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = folder(&[
        ("a.md", FRESH.as_bytes()),
        ("b.md", FRESH.as_bytes()),
        ("bad.md", b"---\ntitle: [\n---\n"),
    ]);
    let a = dir.path().join("a.md");
    let b = dir.path().join("b.md");
    fs::set_permissions(&a, fs::Permissions::from_mode(0o640)).expect("chmod");
    fs::set_permissions(&b, fs::Permissions::from_mode(0o755)).expect("chmod");
    frontfill()
        .args(["fill", "--no-progress"])
        .arg(dir.path())
        .assert()
        .code(2);
    assert_ne!(read(&a), FRESH, "a.md filled");
    assert_ne!(read(&b), FRESH, "b.md filled");
    let mode = |p: &Path| fs::metadata(p).expect("meta").permissions().mode() & 0o7777;
    assert_eq!(mode(&a), 0o640);
    assert_eq!(mode(&b), 0o755);
    assert_eq!(
        list_files(dir.path()),
        vec![
            PathBuf::from("a.md"),
            PathBuf::from("b.md"),
            PathBuf::from("bad.md")
        ],
        "no temp files left behind"
    );
}

#[test]
fn a_symlinked_post_is_written_through_to_its_target() {
    let dir = folder(&[("real/post.md", FRESH.as_bytes())]);
    let link = dir.path().join("link.md");
    std::os::unix::fs::symlink(dir.path().join("real/post.md"), &link).expect("symlink");
    frontfill()
        .args(["fill", "--no-progress"])
        .arg(&link)
        .assert()
        .code(0);
    assert!(fs::symlink_metadata(&link)
        .expect("meta")
        .file_type()
        .is_symlink());
    assert_ne!(read(&dir.path().join("real/post.md")), FRESH);
}

#[test]
fn folders_are_walked_in_order_honouring_gitignore() {
    let dir = folder(&[
        ("b.md", FRESH.as_bytes()),
        ("a/z.markdown", FRESH.as_bytes()),
        ("a/y.MD", FRESH.as_bytes()),
        ("drafts/skip.md", FRESH.as_bytes()),
        ("c.txt", FRESH.as_bytes()),
        (".gitignore", b"drafts/\n"),
    ]);
    let out = frontfill()
        .current_dir(dir.path())
        .args(["fill", "--check", "."])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout_of(&out), "./a/y.MD\n./a/z.markdown\n./b.md\n");
}

#[test]
fn a_post_named_twice_is_filled_once() {
    let dir = folder(&[("a.md", FRESH.as_bytes())]);
    frontfill()
        .current_dir(dir.path())
        .args(["fill", ".", "a.md", "./a.md"])
        .assert()
        .code(0)
        .stdout(regex_lite(r"^filled \./a\.md: [a-z_, ]+\n$"))
        .stderr(predicate::str::starts_with("1 files: 1 filled"));
}

// ---------------------------------------------------------------------------------------------
// --check and --diff

#[test]
fn check_lists_the_posts_that_would_change_and_writes_nothing() {
    let dir = folder(&[
        ("one.md", FRESH.as_bytes()),
        ("two.md", FILLED.as_bytes()),
        ("three.md", PLAIN.as_bytes()),
    ]);
    let out = frontfill()
        .current_dir(dir.path())
        .args(["fill", "--check", "one.md", "two.md", "three.md"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout_of(&out), "one.md\nthree.md\n");
    let stderr = stderr_of(&out);
    assert!(
        stderr.starts_with("3 files: 2 to fill, 1 unchanged, 0 errors in"),
        "{stderr}"
    );
    assert_eq!(read(&dir.path().join("one.md")), FRESH);
    assert_eq!(read(&dir.path().join("two.md")), FILLED);
    assert_eq!(read(&dir.path().join("three.md")), PLAIN);
    assert_eq!(list_files(dir.path()).len(), 3);
}

#[test]
fn check_and_diff_exit_0_when_nothing_would_change() {
    let dir = folder(&[("two.md", FILLED.as_bytes())]);
    for mode in ["--check", "--diff"] {
        frontfill()
            .current_dir(dir.path())
            .args(["fill", mode, "two.md"])
            .assert()
            .code(0)
            .stdout("");
    }
}

#[test]
fn diff_prints_a_unified_diff_of_exactly_what_write_would_do() {
    let dir = folder(&[("post.md", FRESH.as_bytes()), ("two.md", FILLED.as_bytes())]);
    let out = frontfill()
        .current_dir(dir.path())
        .args(["fill", "--diff", "post.md", "two.md"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        read(&dir.path().join("post.md")),
        FRESH,
        "diff writes nothing"
    );
    let diff = stdout_of(&out);
    assert!(
        diff.starts_with("--- a/post.md\n+++ b/post.md\n@@ "),
        "{diff}"
    );
    assert!(diff.contains("\n-summary: ''\n+summary: "), "{diff}");
    assert!(!diff.contains("two.md"), "{diff}");

    frontfill()
        .current_dir(dir.path())
        .args(["fill", "--no-progress", "post.md"])
        .assert()
        .code(0);
    let written = read(&dir.path().join("post.md"));
    // Every added line of the diff is in the written post, and every removed line is gone.
    for line in diff.lines().skip(2) {
        if let Some(added) = line.strip_prefix('+') {
            assert!(written.lines().any(|l| l == added), "{added}");
        } else if let Some(removed) = line.strip_prefix('-') {
            assert!(!written.lines().any(|l| l == removed), "{removed}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// --format json

#[test]
fn json_prints_one_object_per_file_then_a_summary() {
    let dir = folder(&[
        ("a.md", FRESH.as_bytes()),
        ("b.md", FILLED.as_bytes()),
        ("c.md", b"+++\ntitle = 1\n+++\n"),
    ]);
    let out = frontfill()
        .current_dir(dir.path())
        .args(["fill", "--format", "json", "--check", "."])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "an error wins over changes");
    let lines: Vec<serde_json::Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 4);
    for line in &lines {
        assert_eq!(line["version"], 1);
    }
    let (a, b, c, summary) = (&lines[0], &lines[1], &lines[2], &lines[3]);
    assert_eq!(a["type"], "file");
    assert_eq!(a["path"], "./a.md");
    assert_eq!(a["status"], "filled");
    assert_eq!(a["language"], "chinese");
    assert!(a["fields"]["summary"]
        .as_str()
        .is_some_and(|s| !s.is_empty()));
    assert!(a.get("error").is_none());
    assert_eq!(b["path"], "./b.md");
    assert_eq!(b["status"], "already_filled");
    assert_eq!(b["fields"], serde_json::json!({}));
    assert_eq!(c["path"], "./c.md");
    assert_eq!(c["status"], "error");
    assert!(c["error"]
        .as_str()
        .is_some_and(|e| e.contains("./c.md:1:") && e.contains("TOML")));
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["files"], 3);
    assert_eq!(summary["filled"], 1);
    assert_eq!(summary["unchanged"], 1);
    assert_eq!(summary["errors"], 1);
    assert_eq!(
        summary["bytes"],
        (FRESH.len() + FILLED.len() + "+++\ntitle = 1\n+++\n".len()) as u64
    );
    assert!(summary["elapsed"].as_f64().is_some_and(|s| s >= 0.0));
    // Nothing but the error line on stderr: the summary line is the JSON object.
    let stderr = stderr_of(&out);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(read(&dir.path().join("a.md")), FRESH);
}

#[test]
fn json_in_write_mode_writes_and_reports_the_values_written() {
    let dir = folder(&[("a.md", FRESH.as_bytes())]);
    let out = frontfill()
        .current_dir(dir.path())
        .args(["fill", "--format", "json", "a.md"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let first: serde_json::Value =
        serde_json::from_str(stdout_of(&out).lines().next().expect("a line")).expect("JSON");
    let written = read(&dir.path().join("a.md"));
    let summary = first["fields"]["summary"]
        .as_str()
        .expect("summary planned");
    assert_eq!(scalar(&written, "summary"), Some(summary));
}

// ---------------------------------------------------------------------------------------------
// stdin

#[test]
fn stdin_is_filled_to_stdout_like_a_file_would_be() {
    let dir = folder(&[("post.md", FRESH.as_bytes())]);
    frontfill()
        .args(["fill", "--no-progress"])
        .arg(dir.path().join("post.md"))
        .assert()
        .code(0);
    let on_disk = read(&dir.path().join("post.md"));
    frontfill()
        .args(["fill", "-"])
        .write_stdin(FRESH)
        .assert()
        .code(0)
        .stdout(on_disk)
        .stderr("");
}

#[test]
fn stdin_that_needs_nothing_is_echoed_unchanged() {
    frontfill()
        .args(["fill", "-"])
        .write_stdin(FILLED)
        .assert()
        .code(0)
        .stdout(FILLED)
        .stderr("");
}

#[test]
fn stdin_posts_keep_escape_sequences_byte_for_byte() {
    // stdout is a pipe here, where coloured output is stripped of escape sequences; a post's
    // own bytes must not be.
    let fresh = FRESH.replacen("\n\n", "\n\n\u{1b}[31m红\u{1b}[0m\n\n", 1);
    let filled = FILLED.replacen("\n\n", "\n\n\u{1b}[31m红\u{1b}[0m\n\n", 1);
    assert!(fresh.contains('\u{1b}') && filled.contains('\u{1b}'));
    frontfill()
        .args(["fill", "-"])
        .write_stdin(filled.clone())
        .assert()
        .code(0)
        .stdout(filled);
    let output = frontfill()
        .args(["fill", "-"])
        .write_stdin(fresh)
        .output()
        .expect("runs");
    assert!(stdout_of(&output).contains("\u{1b}[31m红\u{1b}[0m"));
}

#[test]
fn stdin_with_bad_input_is_echoed_unchanged_with_an_error() {
    let bad = "---\ntitle: x\ntags: [a\n---\nbody\n";
    frontfill()
        .args(["fill", "-"])
        .write_stdin(bad)
        .assert()
        .code(2)
        .stdout(bad)
        .stderr(
            predicate::str::is_match(
                r"^frontfill: error: failed to parse front matter: -:\d+: .+\n$",
            )
            .expect("regex"),
        );
}

#[test]
fn stdin_over_the_size_limit_is_echoed_whole() {
    let mut big = b"# big\n".to_vec();
    big.resize(17 * 1024 * 1024, b'a');
    let out = frontfill()
        .args(["fill", "-"])
        .write_stdin(big.clone())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stdout == big,
        "stdin echoed whole ({} bytes)",
        out.stdout.len()
    );
    assert!(
        stderr_of(&out).contains("-: file is 17825792 bytes, over the 16777216-byte limit"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn stdin_with_check_and_diff() {
    frontfill()
        .args(["fill", "--check", "-"])
        .write_stdin(FRESH)
        .assert()
        .code(1)
        .stdout("-\n");
    frontfill()
        .args(["fill", "--diff", "-"])
        .write_stdin(FRESH)
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("--- a/-\n+++ b/-\n"));
}

// ---------------------------------------------------------------------------------------------
// --fields, --overwrite, --summary-lang

/// A post that is not a fresh draft (tags set) but whose summary is empty.
const PARTLY: &str = "---
title: 部分填写的文章
tags:
  - education
  - ai
summary: ''
people: []
---
今天我们讨论人工智能会怎样改变教育。很多家长担心孩子以后会过度依赖聊天机器人，不再愿意自己思考。好的工具会让学生有更多时间去提出问题，老师的角色也会从讲授知识变成引导讨论。

学校需要给老师更多的培训和时间。课堂上最重要的不再是标准答案，而是学生能不能把一个复杂的问题拆开，一步一步验证自己的想法。考试制度如果不跟着改变，这些新方法很难真正落地。
";

#[test]
fn fields_fills_just_those_fields_in_any_post() {
    let dir = folder(&[("p.md", PARTLY.as_bytes()), ("f.md", FILLED.as_bytes())]);
    frontfill()
        .current_dir(dir.path())
        .args(["fill", "--check", "p.md"])
        .assert()
        .code(0);
    frontfill()
        .current_dir(dir.path())
        .args(["fill", "--fields", "summary", "p.md", "f.md"])
        .assert()
        .code(0)
        .stdout("filled p.md: summary\n");
    let after = read(&dir.path().join("p.md"));
    assert_ne!(scalar(&after, "summary"), Some("''"));
    assert_eq!(
        strip_entries(&after, &["summary"]),
        strip_entries(PARTLY, &["summary"])
    );
    assert_eq!(
        read(&dir.path().join("f.md")),
        FILLED,
        "summary already set"
    );
}

#[test]
fn fields_rejects_unknown_names() {
    frontfill()
        .args(["fill", "--fields", "summary,nope", "-"])
        .write_stdin(FRESH)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown field `nope`"));
}

#[test]
fn overwrite_replaces_a_set_field_and_nothing_else() {
    let dir = folder(&[("f.md", FILLED.as_bytes())]);
    frontfill()
        .current_dir(dir.path())
        .args(["fill", "--overwrite", "summary", "f.md"])
        .assert()
        .code(0)
        .stdout("filled f.md: summary\n");
    let after = read(&dir.path().join("f.md"));
    let summary = scalar(&after, "summary").expect("summary");
    assert_ne!(summary, "这篇文章已经有摘要了。");
    assert!(summary.chars().count() > 20, "{summary}");
    assert_eq!(
        strip_entries(&after, &["summary"]),
        strip_entries(FILLED, &["summary"])
    );
    // Overwriting again gives the same result: the run is deterministic.
    frontfill()
        .current_dir(dir.path())
        .args(["fill", "--overwrite", "summary", "f.md"])
        .assert()
        .code(0)
        .stdout("");
    assert_eq!(read(&dir.path().join("f.md")), after);
}

#[test]
fn summary_lang_both_adds_an_english_summary_to_bilingual_posts() {
    let bilingual = common::root().join("samples/bilingual-interview.md");
    let original = read(&bilingual);
    let dir = folder(&[("b.md", original.as_bytes())]);
    frontfill()
        .current_dir(dir.path())
        .args(["fill", "--summary-lang", "both", "b.md"])
        .assert()
        .code(0);
    let after = read(&dir.path().join("b.md"));
    assert_only_managed_changed(&original, &after);
    let zh = scalar(&after, "summary").expect("summary");
    let en = scalar(&after, "summary_en").expect("summary_en");
    assert!(
        zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{zh}"
    );
    assert!(en.is_ascii(), "{en}");
    assert!(en.split_whitespace().count() >= 10, "{en}");
    // summary_en sits right after summary, where the canonical order puts it.
    let keys: Vec<_> = after.lines().filter_map(common::key_of_line).collect();
    let at = keys.iter().position(|k| *k == "summary").expect("summary");
    assert_eq!(keys[at + 1], "summary_en");

    // Without `both`, no summary_en.
    let dir = folder(&[("b.md", original.as_bytes())]);
    frontfill()
        .current_dir(dir.path())
        .args(["fill", "b.md"])
        .assert()
        .code(0);
    assert_eq!(scalar(&read(&dir.path().join("b.md")), "summary_en"), None);
}

#[test]
fn summary_lang_both_adds_no_english_summary_to_a_chinese_only_post() {
    let dir = folder(&[("a.md", FRESH.as_bytes())]);
    frontfill()
        .current_dir(dir.path())
        .args(["fill", "--summary-lang", "both", "a.md"])
        .assert()
        .code(0);
    assert_eq!(scalar(&read(&dir.path().join("a.md")), "summary_en"), None);
}

// ---------------------------------------------------------------------------------------------
// Output options

#[test]
fn the_summary_line_is_on_stderr_and_no_progress_bar_is_drawn_without_a_tty() {
    let dir = folder(&[
        ("a.md", FRESH.as_bytes()),
        ("b.md", FRESH.as_bytes()),
        ("c.md", FILLED.as_bytes()),
    ]);
    // No --no-progress: stderr is a pipe here, so the bar must stay hidden on its own.
    let out = frontfill()
        .args(["fill", "--check"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let stderr = stderr_of(&out);
    assert!(
        !stderr.contains('\r') && !stderr.contains('\u{1b}'),
        "{stderr:?}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let regex = regex_lite(SUMMARY_LINE);
    assert!(regex.eval(stderr.trim_end()), "{stderr}");
}

fn regex_lite(pattern: &str) -> impl Predicate<str> {
    predicate::str::is_match(pattern).expect("valid regex")
}

#[test]
fn quiet_prints_nothing_but_errors_and_verbose_lists_unchanged_posts() {
    let dir = folder(&[
        ("a.md", FRESH.as_bytes()),
        ("c.md", FILLED.as_bytes()),
        ("d.md", b"+++\n+++\n"),
    ]);
    let out = frontfill()
        .current_dir(dir.path())
        .args(["fill", "-q", "--check", "a.md", "c.md"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout_of(&out), "a.md\n", "check still lists posts");
    assert_eq!(stderr_of(&out), "");

    let out = frontfill()
        .current_dir(dir.path())
        .args(["fill", "-q", "a.md", "c.md", "d.md"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout_of(&out), "");
    assert_eq!(stderr_of(&out).lines().count(), 1);

    frontfill()
        .current_dir(dir.path())
        .args(["fill", "-v", "--check", "c.md"])
        .assert()
        .code(0)
        .stdout("already filled c.md\n");
}

#[test]
fn colour_follows_the_color_flag() {
    let run = |when: &str| {
        let out = frontfill()
            .args(["fill", "--color", when])
            .arg("/nonexistent/frontfill-test.md")
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2));
        stderr_of(&out)
    };
    assert!(run("always").contains("\u{1b}["));
    assert!(!run("never").contains('\u{1b}'));
    assert!(!run("auto").contains('\u{1b}'), "stderr is not a terminal");
}

#[test]
fn threads_flag_is_accepted() {
    let dir = folder(&[("a.md", FRESH.as_bytes()), ("b.md", FRESH.as_bytes())]);
    frontfill()
        .current_dir(dir.path())
        .args(["fill", "-j", "1", "--check", "a.md", "b.md"])
        .assert()
        .code(1)
        .stdout("a.md\nb.md\n");
}

// ---------------------------------------------------------------------------------------------
// Exit codes

#[test]
fn exit_codes() {
    let dir = folder(&[
        ("fresh.md", FRESH.as_bytes()),
        ("filled.md", FILLED.as_bytes()),
        ("bad.md", b"+++\n+++\n"),
    ]);
    let code = |args: &[&str]| {
        frontfill()
            .current_dir(dir.path())
            .arg("fill")
            .args(args)
            .output()
            .expect("runs")
            .status
            .code()
    };
    assert_eq!(code(&["--check", "filled.md"]), Some(0), "nothing to do");
    assert_eq!(
        code(&["--check", "fresh.md"]),
        Some(1),
        "check found changes"
    );
    assert_eq!(code(&["--diff", "fresh.md"]), Some(1), "diff found changes");
    assert_eq!(code(&["--check", "bad.md"]), Some(2), "error");
    assert_eq!(
        code(&["--check", "fresh.md", "bad.md"]),
        Some(2),
        "changes and errors"
    );
    assert_eq!(
        code(&["--diff", "fresh.md", "bad.md"]),
        Some(2),
        "changes and errors"
    );
    assert_eq!(code(&["filled.md", "bad.md"]), Some(2), "write mode error");
    assert_eq!(code(&["fresh.md"]), Some(0), "written");
    assert_eq!(code(&["--check", "fresh.md"]), Some(0), "now filled");
    assert_eq!(code(&["--no-such-flag"]), Some(2), "usage error");
}

// ---------------------------------------------------------------------------------------------
// Bad input: each gives one error line naming the file (and line), leaves it byte-identical,
// and the rest of the batch is still filled.

/// Runs `fill` on a folder holding `bad.md` (with `bytes`) and a fresh draft `good.md`.
fn assert_bad_input(name: &str, bytes: &[u8], expect: &str) {
    let dir = folder(&[("bad.md", bytes), ("good.md", FRESH.as_bytes())]);
    assert_bad_in(&dir, name, expect, &[]);
    assert_eq!(
        fs::read(dir.path().join("bad.md")).expect("bad.md"),
        bytes,
        "{name}: bad file changed"
    );
}

/// Runs `fill .` (plus `extra` paths) in `dir`, which holds a fresh draft `good.md` and one bad
/// input: exit 2, one error line matching `expect`, the summary line, `good.md` filled.
fn assert_bad_in(dir: &TempDir, name: &str, expect: &str, extra: &[&Path]) {
    let out = frontfill()
        .current_dir(dir.path())
        .args(["fill", "--no-progress", "."])
        .args(extra)
        .output()
        .expect("runs");
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
    let errors: Vec<_> = stderr
        .lines()
        .filter(|l| l.starts_with("frontfill: error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{name}: {stderr}");
    assert!(
        predicate::str::is_match(expect)
            .expect("regex")
            .eval(errors[0]),
        "{name}: `{}` does not match `{expect}`",
        errors[0]
    );
    let last = stderr.lines().last().expect("summary line");
    assert!(regex_lite(SUMMARY_LINE).eval(last), "{name}: {stderr}");
    assert!(last.contains(" 1 errors "), "{name}: {last}");
    let good = read(&dir.path().join("good.md"));
    assert_ne!(good, FRESH, "{name}: the rest of the batch is still filled");
    assert_only_managed_changed(FRESH, &good);
    assert!(
        !list_files(dir.path())
            .iter()
            .any(|p| p.to_string_lossy().contains(".frontfill-")),
        "{name}: temp file left"
    );
}

#[test]
fn toml_front_matter() {
    assert_bad_input(
        "toml",
        b"+++\ntitle = \"x\"\n+++\nbody\n",
        r"^frontfill: error: .*\./bad\.md:1: TOML front matter",
    );
}

#[test]
fn unclosed_fence() {
    assert_bad_input(
        "unclosed",
        b"---\ntitle: x\ntags: []\n\nbody without a closing fence\n",
        r"^frontfill: error: .*\./bad\.md:1: unclosed front matter",
    );
}

#[test]
fn four_dash_fences() {
    assert_bad_input(
        "four dashes",
        b"----\ntitle: x\n----\nbody\n",
        r"^frontfill: error: .*\./bad\.md:1: .*`----`",
    );
    assert_bad_input(
        "four dashes closing",
        b"---\ntitle: x\nsummary: ''\n----\nbody\n",
        r"^frontfill: error: .*\./bad\.md:4: .*`----`",
    );
}

#[test]
fn malformed_yaml() {
    assert_bad_input(
        "malformed",
        b"---\ntitle: x\ntags: [a, b\nsummary: ''\n---\nbody\n",
        r"^frontfill: error: failed to parse front matter: \./bad\.md:[3-5]: ",
    );
    assert_bad_input(
        "bad indentation",
        b"---\ntitle: x\n  summary: ''\n---\nbody\n",
        r"^frontfill: error: failed to parse front matter: \./bad\.md:[2-4]: ",
    );
    assert_bad_input(
        "not a mapping",
        b"---\n- a\n- b\n---\nbody\n",
        r"^frontfill: error: failed to parse front matter: \./bad\.md:2: ",
    );
    assert_bad_input(
        "duplicate key",
        b"---\nsummary: ''\nsummary: ''\n---\nbody\n",
        r"^frontfill: error: failed to parse front matter: \./bad\.md:\d+: .*duplicate",
    );
}

#[test]
fn invalid_utf8() {
    assert_bad_input(
        "utf8",
        b"---\ntitle: x\n---\n\xe4\xbd\xa0\xe5\n",
        r"^frontfill: error: \./bad\.md:4: invalid UTF-8 at byte 20$",
    );
    assert_bad_input(
        "latin-1",
        b"---\ntitle: caf\xe9\nsummary: ''\n---\nbody\n",
        r"^frontfill: error: \./bad\.md:2: invalid UTF-8",
    );
}

#[test]
fn binary_file() {
    assert_bad_input(
        "binary",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        r"^frontfill: error: \./bad\.md:3: binary file",
    );
    assert_bad_input(
        "NUL in a post",
        b"---\nsummary: ''\n---\nbody\x00\n",
        r"^frontfill: error: \./bad\.md:4: binary file",
    );
}

#[test]
fn file_over_16_mib() {
    let mut big = FRESH.as_bytes().to_vec();
    big.resize(16 * 1024 * 1024 + 1, b'a');
    assert_bad_input(
        "too large",
        &big,
        r"^frontfill: error: \./bad\.md: file is 16777217 bytes, over the 16777216-byte limit$",
    );
}

#[test]
fn file_of_exactly_16_mib_is_accepted() {
    let mut big = FRESH.as_bytes().to_vec();
    big.push(b'\n');
    big.resize(16 * 1024 * 1024, b'a');
    let dir = folder(&[("big.md", &big)]);
    frontfill()
        .current_dir(dir.path())
        .args(["fill", "--check", "big.md"])
        .assert()
        .code(1);
}

#[test]
fn nonexistent_path() {
    let dir = folder(&[("good.md", FRESH.as_bytes())]);
    assert_bad_in(
        &dir,
        "nonexistent",
        r"^frontfill: error: failed to read missing\.md: .*(No such file|not found)",
        &[Path::new("missing.md")],
    );
}

#[test]
fn unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = folder(&[("bad.md", FRESH.as_bytes()), ("good.md", FRESH.as_bytes())]);
    let bad = dir.path().join("bad.md");
    fs::set_permissions(&bad, fs::Permissions::from_mode(0o000)).expect("chmod");
    if fs::read(&bad).is_ok() {
        // Running as root: permission bits do not stop reads, so there is nothing to test.
        eprintln!("skipped: chmod 000 does not stop this user from reading");
        return;
    }
    assert_bad_in(
        &dir,
        "chmod 000",
        r"^frontfill: error: failed to read \./bad\.md: .*[Pp]ermission denied",
        &[],
    );
    fs::set_permissions(&bad, fs::Permissions::from_mode(0o644)).expect("chmod");
    assert_eq!(read(&bad), FRESH);
}

#[test]
fn directory_named_like_a_post() {
    // A symlink `x.md` to a folder looks like a post to the walker; reading it is an error.
    let dir = folder(&[("good.md", FRESH.as_bytes()), ("folder/inner.txt", b"x")]);
    std::os::unix::fs::symlink(dir.path().join("folder"), dir.path().join("x.md"))
        .expect("symlink");
    assert_bad_in(
        &dir,
        "symlink to folder",
        r"^frontfill: error: failed to read \./x\.md: is a directory$",
        &[],
    );

    // A real folder named `x.md` is a folder: it is walked, not read.
    let dir = folder(&[
        ("good.md", FRESH.as_bytes()),
        ("y.md/inner.md", FRESH.as_bytes()),
    ]);
    frontfill()
        .current_dir(dir.path())
        .args(["fill", "--check", "."])
        .assert()
        .code(1)
        .stdout("./good.md\n./y.md/inner.md\n");
}

#[test]
fn library_refuses_a_directory() {
    let dir = folder(&[("x.md/inner.md", FRESH.as_bytes())]);
    let engine = frontfill::app::Engine::new(frontfill::app::Options::default());
    let report = engine.process_file(&dir.path().join("x.md"), frontfill::app::Mode::Write);
    assert_eq!(report.status, frontfill::app::Status::Error);
    let message = report.error.expect("error").to_string();
    assert!(message.contains("x.md: is a directory"), "{message}");
}

#[test]
fn several_bad_files_each_get_their_own_line_and_the_batch_goes_on() {
    let bad: [(&str, &[u8]); 5] = [
        ("1.md", b"+++\n+++\n"),
        ("2.md", b"---\nx: 1\n"),
        ("3.md", b"----\n----\n"),
        ("4.md", b"\xff\xfe"),
        ("5.md", b"\x00"),
    ];
    let mut files: Vec<(&str, &[u8])> = bad.to_vec();
    files.push(("6.md", FRESH.as_bytes()));
    let dir = folder(&files);
    let out = frontfill()
        .current_dir(dir.path())
        .args(["fill", "."])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = stderr_of(&out);
    let errors: Vec<_> = stderr.lines().filter(|l| l.contains("error:")).collect();
    assert_eq!(errors.len(), 5, "{stderr}");
    for (i, (name, bytes)) in bad.iter().enumerate() {
        assert!(errors[i].contains(&format!("./{name}")), "{}", errors[i]);
        assert_eq!(fs::read(dir.path().join(name)).expect("read"), *bytes);
    }
    let last = stderr.lines().last().expect("summary line");
    assert!(
        last.starts_with("6 files: 1 filled, 0 unchanged, 5 errors in "),
        "{last}"
    );
    assert_ne!(read(&dir.path().join("6.md")), FRESH);
}

// ---------------------------------------------------------------------------------------------
// Layouts that must survive a fill byte for byte outside the filled fields.

#[test]
fn crlf_and_bom_are_kept() {
    let crlf = format!("\u{feff}{}", FRESH.replace('\n', "\r\n"));
    let dir = folder(&[("w.md", crlf.as_bytes())]);
    frontfill()
        .current_dir(dir.path())
        .args(["fill", "w.md"])
        .assert()
        .code(0);
    let after = read(&dir.path().join("w.md"));
    assert!(after.starts_with("\u{feff}---\r\n"));
    assert_eq!(
        after.matches('\n').count(),
        after.matches("\r\n").count(),
        "only CRLF"
    );
    assert_only_managed_changed(&crlf, &after);
}

#[test]
fn already_filled_samples_are_untouched_byte_for_byte() {
    let original = fs::read(common::root().join("samples/already-filled.md")).expect("sample");
    let dir = folder(&[("done.md", &original)]);
    for args in [&["fill"][..], &["fill", "--summary-lang", "both"][..]] {
        frontfill()
            .current_dir(dir.path())
            .args(args)
            .arg("done.md")
            .assert()
            .code(0)
            .stdout("");
        assert_eq!(
            fs::read(dir.path().join("done.md")).expect("read"),
            original
        );
    }
}

#[test]
fn diff_of_the_samples_folder_runs_and_names_every_changed_sample() {
    let out = frontfill()
        .current_dir(common::root())
        .args(["fill", "--diff", "samples/"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let diff = stdout_of(&out);
    for sample in common::samples() {
        let name = sample
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let header = format!("--- a/samples/{name}\n");
        assert_eq!(
            diff.contains(&header),
            name != "already-filled.md",
            "{name}"
        );
    }
}

#[test]
fn a_reader_that_closes_the_pipe_early_does_not_hide_the_check_result() {
    let posts: Vec<(String, &[u8])> = (0..20)
        .map(|i| (format!("post-{i:02}.md"), FRESH.as_bytes()))
        .collect();
    let named: Vec<(&str, &[u8])> = posts.iter().map(|(n, b)| (n.as_str(), *b)).collect();
    let dir = folder(&named);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_frontfill"))
        .args(["fill", "--check", "--no-progress"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Like `| head -0`: the reader is gone before the first line is written.
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
}
