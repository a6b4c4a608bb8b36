//! End-to-end tests of a content repo's `frontfill.yaml`: found by walking up, named with
//! `--config`, renamed keys, layered dictionaries, managed fields, limits, key order, excludes,
//! errors with file and line, flags winning over the file, and `frontfill config`.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

/// A Chinese post naming an invented person that only the repo's own dictionary knows.
const POST: &str = "---
title: 林小雨测试谈教育
abstract: ''
persons: []
---
**林小雨测试**今天和我们聊聊人工智能会怎样改变教育。很多家长担心孩子以后会过度依赖聊天机器人，不再愿意自己思考。**林小雨测试**的看法恰恰相反，好的工具会让学生有更多时间去提出问题。

老师的角色会从讲授知识变成引导讨论。课堂上最重要的不再是标准答案，而是学生能不能把一个复杂的问题拆开，一步一步验证自己的想法。林小雨测试说这对老师提出了更高的要求，也需要学校给老师更多的培训和时间。
";

const CONFIG: &str = "# frontfill settings for this repo
keys:
  summary: abstract
  people: persons
dictionaries: [dict]
exclude: [\"drafts/\", \"*.wip.md\"]
";

fn frontfill() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_frontfill"));
    cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    cmd
}

/// A temporary content repo holding the given files.
fn repo(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().expect("parent")).expect("folders");
        fs::write(path, text).expect("write");
    }
    dir
}

fn standard_repo() -> TempDir {
    repo(&[
        ("frontfill.yaml", CONFIG),
        (
            "dict/people.yaml",
            "- name: Lin Xiaoyu Testperson\n  aliases: [林小雨测试]\n",
        ),
        ("posts/sub/a.md", POST),
        ("posts/sub/b.wip.md", POST),
        ("drafts/c.md", POST),
    ])
}

fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name)).expect("readable")
}

#[test]
fn the_file_is_found_upwards_renames_keys_and_layers_its_dictionaries() {
    let dir = standard_repo();
    frontfill()
        .current_dir(dir.path().join("posts/sub"))
        .args(["fill", "--no-progress", "a.md"])
        .assert()
        .success();
    let post = read(dir.path(), "posts/sub/a.md");
    assert!(
        post.starts_with(
            "---\ntitle: 林小雨测试谈教育\nabstract: 林小雨测试今天和我们聊聊人工智能"
        ),
        "{post}"
    );
    assert!(
        post.contains("\npersons:\n  - Lin Xiaoyu Testperson\n"),
        "{post}"
    );
    assert!(!post.contains("\nsummary:") && !post.contains("\npeople:"));
}

#[test]
fn excluded_posts_are_skipped_whether_walked_or_named() {
    let dir = standard_repo();
    frontfill()
        .current_dir(dir.path())
        .args(["fill", "--check", "."])
        .assert()
        .code(1)
        .stdout("./posts/sub/a.md\n");
    // A pre-commit hook names each staged post: the excludes still apply.
    frontfill()
        .current_dir(dir.path())
        .args(["fill", "--check", "drafts/c.md", "posts/sub/b.wip.md"])
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn unknown_keys_are_errors_naming_the_file_and_line() {
    let dir = repo(&[
        (
            "frontfill.yaml",
            "keys:\n  people: persons\nlimit:\n  people: {max: 2}\n",
        ),
        ("a.md", POST),
    ]);
    frontfill()
        .current_dir(dir.path())
        .args(["fill", "a.md"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "frontfill: error: invalid configuration: ",
        ))
        .stderr(predicate::str::contains(
            "frontfill.yaml:3: unknown field `limit`, expected one of",
        ));
    assert_eq!(read(dir.path(), "a.md"), POST, "nothing is written");

    let dir = repo(&[(
        "frontfill.yaml",
        "limits:\n  people:\n    max: 2\n    treshold: 0.5\n",
    )]);
    frontfill()
        .current_dir(dir.path())
        .arg("config")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "frontfill.yaml:4: limits.people: unknown field `treshold`, expected one of `threshold`",
        ));
}

#[test]
fn the_config_flag_names_a_file_and_flags_win_over_it() {
    let dir = standard_repo();
    fs::write(
        dir.path().join("ci.yaml"),
        "summary:\n  lang: en\n  zh_max_chars: 150\n",
    )
    .unwrap();
    let out = frontfill()
        .current_dir(dir.path().join("posts"))
        .args([
            "config",
            "--config",
            "../ci.yaml",
            "--summary-lang",
            "zh",
            "--no-discover",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("# configuration file: ../ci.yaml\n"),
        "{text}"
    );
    let line = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        line("summary.lang"),
        "summary.lang: zh # flag --summary-lang"
    );
    assert_eq!(
        line("summary.zh_max_chars"),
        "summary.zh_max_chars: 150 # ../ci.yaml"
    );
    assert_eq!(
        line("summary.zh_min_chars"),
        "summary.zh_min_chars: 100 # default"
    );
    assert_eq!(line("discover"), "discover: false # flag --no-discover");
    // The found frontfill.yaml is not read when --config names another file.
    assert_eq!(line("keys.people"), "keys.people: people # default");
}

#[test]
fn config_shows_the_found_file_and_every_origin() {
    let dir = standard_repo();
    let out = frontfill()
        .current_dir(dir.path().join("posts/sub"))
        .args(["config", "--dictionaries", "/extra"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let file = dir.path().join("frontfill.yaml");
    assert!(
        text.starts_with(&format!("# configuration file: {}\n", file.display())),
        "{text}"
    );
    let has = |name: &str, origin: &str| {
        assert!(
            text.lines()
                .any(|l| l.starts_with(name) && l.ends_with(&format!("# {origin}"))),
            "{name} from {origin} in\n{text}"
        );
    };
    has("keys.people: persons", &file.display().to_string());
    has("keys.tags: tags", "default");
    has(
        &format!("dictionaries: {}", dir.path().join("dict").display()),
        &file.display().to_string(),
    );
    has("dictionaries: /extra", "flag --dictionaries");
    has("exclude: [drafts/, *.wip.md]", &file.display().to_string());
    has(
        "key_order: [author, date, guest, layout, source, speaker, tags, title, abstract,",
        "default",
    );
}

#[test]
fn fields_limits_and_key_order_shape_what_is_written() {
    let dir = repo(&[
        (
            "frontfill.yaml",
            "fields: [summary, people]\nlimits:\n  people: {max: 0}\nkey_order: [date, summary, title]\n",
        ),
        // `tags` is set, so by default this post counts as filled; this repo manages only
        // summary and people, which are empty.
        (
            "a.md",
            &POST.replace("abstract: ''\npersons: []\n", "date: 2025-01-01\ntags: [education]\n"),
        ),
    ]);
    frontfill()
        .current_dir(dir.path())
        .args(["fill", "--no-progress", "a.md"])
        .assert()
        .success()
        .stdout("filled a.md: summary\n");
    let post = read(dir.path(), "a.md");
    assert!(
        post.starts_with("---\ntitle: 林小雨测试谈教育\ndate: 2025-01-01\nsummary: 林小雨测试"),
        "summary goes after date, as key_order says, and people (max 0) stays out:\n{post}"
    );
    assert!(!post.contains("people"));
}

#[test]
fn a_missing_config_file_is_an_error_and_stdin_comes_back_unchanged() {
    frontfill()
        .args(["fill", "--config", "/no/such/frontfill.yaml", "-"])
        .write_stdin(POST)
        .assert()
        .code(2)
        .stdout(POST)
        .stderr(predicate::str::contains(
            "failed to read /no/such/frontfill.yaml",
        ));
}

#[test]
fn each_post_follows_its_nearest_file() {
    let plain = POST.replace("abstract: ''\npersons: []\n", "");
    let dir = repo(&[
        ("frontfill.yaml", "keys:\n  summary: abstract\n"),
        ("a.md", &plain),
        (
            "zh/frontfill.yaml",
            "keys:\n  summary: 摘要\nexclude: [\"old/\"]\n",
        ),
        ("zh/b.md", &plain),
        ("zh/old/c.md", &plain),
    ]);
    frontfill()
        .current_dir(dir.path())
        .args(["fill", "--check", "a.md", "zh"])
        .assert()
        .code(1)
        .stdout("a.md\nzh/b.md\n");
    frontfill()
        .current_dir(dir.path())
        .args(["fill", "--no-progress", "--fields", "summary", "."])
        .assert()
        .success()
        .stdout("filled ./a.md: abstract\nfilled ./zh/b.md: 摘要\n");
    assert_eq!(read(dir.path(), "zh/old/c.md"), plain);
    // --config puts every post under one file.
    frontfill()
        .current_dir(dir.path())
        .args([
            "fill",
            "--diff",
            "--config",
            "zh/frontfill.yaml",
            "zh/old/c.md",
        ])
        .assert()
        .code(0)
        .stdout("");
}
