//! The shipped pre-commit hooks, run by the real `pre-commit` in a throwaway content repo: the
//! hook entries are read from `.pre-commit-hooks.yaml` and pointed at the built binary through
//! `repo: local` (`language: system`), so what is proven is what users install. Skipped, with a
//! message, when pre-commit is not installed (`.ci/run` installs it).

#![expect(clippy::print_stderr, reason = "a skipped test says why")]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde::Deserialize;

/// One hook of `.pre-commit-hooks.yaml`, as far as this test reads it.
#[derive(Debug, Deserialize)]
struct Hook {
    id: String,
    entry: String,
    language: String,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    types: Vec<String>,
    #[serde(default)]
    require_serial: bool,
}

const FRESH: &str = "---
title: 人工智能会怎样改变教育
tags: []
summary: ''
category: ''
area: ''
people: []
companies_orgs: []
products_models: []
media_books: []
---
今天我们讨论人工智能会怎样改变教育。很多家长担心孩子以后会过度依赖聊天机器人，不再愿意自己思考。我们的看法恰恰相反，好的工具会让学生有更多时间去提出问题。

老师的角色会从讲授知识变成引导讨论。课堂上最重要的不再是标准答案，而是学生能不能把一个复杂的问题拆开，一步一步验证自己的想法。这对老师提出了更高的要求，也需要学校给老师更多的培训和时间。
";

fn shipped_hooks() -> Vec<Hook> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    let text = fs::read_to_string(&path).expect(".pre-commit-hooks.yaml is at the repo root");
    serde_yaml_ng::from_str(&text).expect("valid hook definitions")
}

#[test]
fn the_shipped_hooks_match_what_the_readme_promises() {
    let hooks = shipped_hooks();
    let ids: Vec<&str> = hooks.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["frontfill", "frontfill-check"]);
    for hook in &hooks {
        assert_eq!(
            hook.language, "rust",
            "{}: built from this checkout",
            hook.id
        );
        assert_eq!(hook.types, ["markdown"], "{}", hook.id);
        assert!(
            hook.require_serial,
            "{}: one process fills all posts",
            hook.id
        );
        let words = command_words(hook);
        assert_eq!(words[..2], ["frontfill", "fill"], "{}", hook.id);
        assert!(words.contains(&"--no-progress".to_owned()), "{}", hook.id);
    }
    assert!(!command_words(&hooks[0]).contains(&"--check".to_owned()));
    assert!(command_words(&hooks[1]).contains(&"--check".to_owned()));
}

/// The hook's command line: its entry, then its args (pre-commit appends the file names).
fn command_words(hook: &Hook) -> Vec<String> {
    hook.entry
        .split_whitespace()
        .map(str::to_owned)
        .chain(hook.args.iter().cloned())
        .collect()
}

/// How to run pre-commit here: the `pre-commit` script, or the module through python3.
fn pre_commit() -> Option<Vec<String>> {
    let candidates = [
        vec!["pre-commit".to_owned()],
        vec![
            "python3".to_owned(),
            "-m".to_owned(),
            "pre_commit".to_owned(),
        ],
    ];
    candidates.into_iter().find(|runner| {
        Command::new(&runner[0])
            .args(&runner[1..])
            .arg("--version")
            .output()
            .is_ok_and(|out| out.status.success())
    })
}

/// A git content repo in a temporary folder, with its own HOME and pre-commit cache.
struct ContentRepo {
    _dir: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
    runner: Vec<String>,
}

impl ContentRepo {
    fn new(runner: Vec<String>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("blog");
        let home = dir.path().join("home");
        fs::create_dir_all(&root).unwrap();
        fs::create_dir_all(&home).unwrap();
        let repo = Self {
            _dir: dir,
            root,
            home,
            runner,
        };
        repo.git(&["init", "-q"]);
        repo.git(&["config", "user.name", "Frontfill Test"]);
        repo.git(&["config", "user.email", "test@example.invalid"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo
    }

    fn command(&self, program: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .current_dir(&self.root)
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("XDG_CACHE_HOME", self.home.join(".cache"))
            .env("PRE_COMMIT_HOME", self.home.join("pre-commit"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("NO_COLOR", "1")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE");
        cmd
    }

    fn git(&self, args: &[&str]) -> Output {
        let out = self.command("git", args).output().expect("git runs");
        assert!(out.status.success(), "git {args:?}: {}", text(&out));
        out
    }

    fn pre_commit(&self, args: &[&str]) -> Output {
        let mut cmd = self.command(&self.runner[0], &[]);
        cmd.args(&self.runner[1..]).args(args);
        cmd.output().expect("pre-commit runs")
    }

    fn write(&self, name: &str, text: &str) {
        fs::write(self.root.join(name), text).unwrap();
    }

    fn read(&self, name: &str) -> String {
        fs::read_to_string(self.root.join(name)).unwrap()
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A `.pre-commit-config.yaml` running the shipped hooks (same id, entry, args, types and
/// serial flag) from the built binary; the check hook runs only when asked for.
fn local_config(hooks: &[Hook]) -> String {
    let binary = env!("CARGO_BIN_EXE_frontfill");
    let mut config = String::from("repos:\n  - repo: local\n    hooks:\n");
    for hook in hooks {
        let mut words = command_words(hook);
        assert_eq!(words[0], "frontfill");
        words.remove(0);
        let entry = format!("'{}' {}", binary.replace('\'', r"'\''"), words.join(" "));
        config.push_str(&format!(
            "      - id: {id}\n        name: {id}\n        entry: \"{entry}\"\n        language: system\n        types: [{types}]\n        require_serial: {serial}\n",
            id = hook.id,
            entry = entry.replace('\\', "\\\\").replace('"', "\\\""),
            types = hook.types.join(", "),
            serial = hook.require_serial,
        ));
        if hook.id.ends_with("-check") {
            config.push_str("        stages: [manual]\n");
        }
    }
    config
}

#[test]
fn the_hook_fills_a_staged_post_and_fails_the_commit_like_a_formatter() {
    let Some(runner) = pre_commit() else {
        eprintln!("skipped: pre-commit is not installed (python3 -m pip install pre-commit)");
        return;
    };
    let repo = ContentRepo::new(runner);
    repo.write(".pre-commit-config.yaml", &local_config(&shipped_hooks()));
    let installed = repo.pre_commit(&["install"]);
    assert!(installed.status.success(), "{}", text(&installed));
    repo.git(&["add", ".pre-commit-config.yaml"]);
    repo.git(&["commit", "-q", "-m", "Add pre-commit"]);

    // A fresh draft is committed: the hook fills it and fails the commit.
    repo.write("post.md", FRESH);
    repo.git(&["add", "post.md"]);
    let commit = repo
        .command("git", &["commit", "-m", "New post"])
        .output()
        .unwrap();
    let output = text(&commit);
    assert!(!commit.status.success(), "the commit must fail: {output}");
    assert!(
        output.contains("files were modified by this hook"),
        "{output}"
    );
    let filled = repo.read("post.md");
    assert_ne!(filled, FRESH);
    assert!(
        filled.contains("\nsummary: 今天我们讨论人工智能"),
        "{filled}"
    );

    // frontfill-check fails on an unfilled post and leaves it alone.
    repo.write("draft.md", FRESH);
    let check = repo.pre_commit(&[
        "run",
        "frontfill-check",
        "--hook-stage",
        "manual",
        "--files",
        "draft.md",
    ]);
    assert!(!check.status.success(), "{}", text(&check));
    assert!(text(&check).contains("draft.md"), "{}", text(&check));
    assert_eq!(repo.read("draft.md"), FRESH);

    // Once the filled post is added, the commit goes through.
    repo.git(&["add", "post.md"]);
    let commit = repo
        .command("git", &["commit", "-m", "New post"])
        .output()
        .unwrap();
    assert!(commit.status.success(), "{}", text(&commit));
    let log = repo.git(&["log", "--format=%s"]);
    assert_eq!(
        String::from_utf8_lossy(&log.stdout),
        "New post\nAdd pre-commit\n"
    );

    // frontfill-check passes on the filled post.
    let check = repo.pre_commit(&[
        "run",
        "frontfill-check",
        "--hook-stage",
        "manual",
        "--files",
        "post.md",
    ]);
    assert!(check.status.success(), "{}", text(&check));
}
