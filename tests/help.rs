//! The command line's own documentation and manners: shell completions, the man page, help
//! texts with examples, and colour only on a terminal, honouring `NO_COLOR`.

#![expect(clippy::print_stderr, reason = "a skipped case says why")]

use std::process::Command as Process;

use assert_cmd::Command;
use predicates::prelude::*;

fn frontfill() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_frontfill"));
    cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    cmd
}

#[test]
fn completions_cover_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = frontfill()
            .args(["completions", shell])
            .output()
            .expect("runs");
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).expect("UTF-8");
        for word in ["frontfill", "fill", "import", "config", "summary-lang"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    frontfill()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'tcsh'"));
}

#[test]
fn the_man_page_is_roff_and_can_be_written_per_subcommand() {
    frontfill()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::starts_with(".ie \\n(.g .ds Aq"))
        .stdout(predicate::str::contains(".TH frontfill 1"))
        .stdout(predicate::str::contains("frontfill\\-import(1)"));
    let dir = tempfile::tempdir().unwrap();
    frontfill()
        .args(["man", "--out"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout("");
    for page in [
        "frontfill.1",
        "frontfill-fill.1",
        "frontfill-import.1",
        "frontfill-config.1",
    ] {
        let text = std::fs::read_to_string(dir.path().join(page)).expect(page);
        assert!(text.contains(".SH NAME"), "{page}");
    }
    let fill = std::fs::read_to_string(dir.path().join("frontfill-fill.1")).unwrap();
    assert!(
        fill.contains("\\-\\-summary\\-lang"),
        "options are documented"
    );
}

#[test]
fn every_working_subcommand_has_examples_in_its_help() {
    for args in [
        vec!["--help"],
        vec!["fill", "--help"],
        vec!["explain", "--help"],
        vec!["import", "--help"],
        vec!["config", "--help"],
        vec!["completions", "--help"],
        vec!["man", "--help"],
    ] {
        frontfill()
            .args(&args)
            .assert()
            .success()
            .stdout(predicate::str::contains("Example"))
            .stdout(predicate::str::contains("frontfill "));
    }
}

/// Runs frontfill under a pseudo-terminal (util-linux `script`), so stdout and stderr are TTYs.
fn on_a_terminal(no_color: bool) -> Option<String> {
    let probe = Process::new("script").arg("--version").output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: `script` (util-linux) is not installed");
        return None;
    }
    let command = format!(
        "'{}' fill /nonexistent/frontfill-colour.md",
        env!("CARGO_BIN_EXE_frontfill")
    );
    let mut script = Process::new("script");
    script.args(["-qec", &command, "/dev/null"]);
    script.env_remove("CLICOLOR_FORCE").env_remove("NO_COLOR");
    if no_color {
        script.env("NO_COLOR", "1");
    }
    let out = script.output().expect("script runs");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn errors_are_coloured_only_on_a_terminal_and_never_with_no_color() {
    // Not a terminal: plain text.
    let out = frontfill()
        .args(["fill", "/nonexistent/frontfill-colour.md"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("frontfill: error: failed to read"),
        "{stderr}"
    );
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");

    // NO_COLOR wins over `auto` even on a terminal.
    let Some(coloured) = on_a_terminal(false) else {
        return;
    };
    assert!(
        coloured.contains("\u{1b}["),
        "a terminal gets colour: {coloured:?}"
    );
    assert!(coloured.contains("error"), "{coloured:?}");
    let plain = on_a_terminal(true).expect("script ran before");
    assert!(
        plain.contains("frontfill: error: failed to read"),
        "{plain:?}"
    );
    assert!(!plain.contains('\u{1b}'), "{plain:?}");

    // Configuration errors, printed before any post is read, follow the same rule.
    let out = frontfill()
        .args(["config", "--config", "/nonexistent/frontfill.yaml"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).contains('\u{1b}'));
}
