//! Hostile and malformed input, table-driven: every case is a post written here by hand, put in one
//! folder and filled by the binary in one run. Each case names its outcome: an error whose one-line
//! message names the file (and the line, where one applies) with the file left byte-identical, or
//! a correct fill (only the managed entries change, the result re-parses, a second run changes
//! nothing). Cases that need the file to change mid-run go through the library's write path.
//!
//! The test prints the tally (inputs tried, errors reported, files damaged) and fails on any damage.

#![expect(
    clippy::print_stderr,
    reason = "the suite reports its tally and says why a case is skipped"
)]

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use frontfill::app::{Engine, Mode, Options, Status};
use frontfill::document::Document;
use frontfill::error::Error;
use frontfill::front_matter::FrontMatter;
use frontfill::write::{write_atomic, Snapshot};
use predicates::prelude::*;
use serde_json::Value as Json;

use common::{list_files, strip_entries, MANAGED_KEYS};

/// A body with enough text for a summary, and names the shipped vocabulary knows.
const BODY: &str = "今天我们聊一聊英伟达和台积电的合作。黄仁勋在发布会上说，新的芯片会在明年量产。\
很多分析师认为，这对整个人工智能行业都是一个好消息，因为算力的价格会继续下降。\n\n\
不过也有人担心，供应链过于集中在一个地方，会带来新的风险。我们下一期再详细讨论这个问题。\n";

/// A fresh draft: every managed field empty.
fn fresh(newline: &str) -> String {
    let text = format!(
        "---\ntitle: 芯片的新一轮竞争\ntags: []\nsummary: ''\ncategory: ''\narea: ''\npeople: []\n\
         companies_orgs: []\nproducts_models: []\nmedia_books: []\ndraft: true\n---\n{BODY}"
    );
    text.replace('\n', newline)
}

/// A fresh draft with `extra` lines inserted at the top of its front matter.
fn fresh_with(extra: &str) -> String {
    fresh("\n").replacen("---\n", &format!("---\n{extra}"), 1)
}

/// What a case must come to.
#[derive(Debug, Clone)]
enum Expect {
    /// An error whose message matches this regex, which names the line where one applies. The
    /// message must also name the file, and the file must be byte-identical afterwards.
    Error(&'static str),
    /// Filled: only the managed entries change, and the result re-parses.
    Filled,
    /// Nothing to fill, or already filled: byte-identical, no error.
    Untouched,
}

/// How a case is laid out on disk.
enum Setup {
    /// A file holding these bytes.
    File(Vec<u8>),
    /// A file holding these bytes, with permissions `0o444`.
    ReadOnly(Vec<u8>),
    /// A symlink to a file elsewhere holding these bytes.
    LinkToFile(Vec<u8>),
    /// A symlink to a path that does not exist.
    DanglingLink,
    /// A symlink to a folder.
    LinkToFolder,
    /// A sparse file of this many bytes that opens like a fresh draft.
    Sparse(u64),
}

struct Case {
    name: &'static str,
    setup: Setup,
    expect: Expect,
}

fn case(name: &'static str, bytes: impl Into<Vec<u8>>, expect: Expect) -> Case {
    Case {
        name,
        setup: Setup::File(bytes.into()),
        expect,
    }
}

fn utf16(bom: &[u8], text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = bom.to_vec();
    for unit in text.encode_utf16() {
        if big_endian {
            out.extend(unit.to_be_bytes());
        } else {
            out.extend(unit.to_le_bytes());
        }
    }
    out
}

/// The classic "billion laughs": nine levels of ten aliases each.
fn billion_laughs() -> String {
    let mut yaml = String::from("a0: &a0 lol\n");
    for level in 1..10 {
        let refs = vec![format!("*a{}", level - 1); 10].join(", ");
        yaml.push_str(&format!("a{level}: &a{level} [{refs}]\n"));
    }
    fresh_with(&yaml)
}

/// A wide alias bomb: one anchored list of 5,000 items, aliased 5,000 times. Linear in size
/// (about 35 kB) but 25 million values once expanded.
fn wide_alias_bomb() -> String {
    let items = vec!["x"; 5_000].join(", ");
    let refs = vec!["*w"; 5_000].join(", ");
    fresh_with(&format!("wide: &w [{items}]\nbomb: [{refs}]\n"))
}

fn cases() -> Vec<Case> {
    use Expect::{Error as E, Filled, Untouched};
    let deep_flow = format!("deep: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let deep_block: String = (0..300)
        .map(|depth| format!("{}k{depth}:\n", "  ".repeat(depth)))
        .collect::<String>()
        + &format!("{}leaf: 1\n", "  ".repeat(300));
    let long_list: String = std::iter::once("topics:\n".to_owned())
        .chain((0..10_000).map(|i| format!("  - topic-{i}\n")))
        .collect();
    let long_people: String = std::iter::once("people:\n".to_owned())
        .chain((0..10_000).map(|i| format!("  - Person {i}\n")))
        .collect();
    let big_scalar = format!("note: {}\n", "很长".repeat(1024 * 1024 / 6));
    vec![
        // Encodings and line endings.
        case(
            "invalid-utf8-in-body",
            [fresh("\n").as_bytes(), b"\xe4\xbd\xa0\xe5\n"].concat(),
            E(r":16: invalid UTF-8 at byte \d+$"),
        ),
        case(
            "control-character-in-front-matter",
            fresh("\n").replace("draft: true", "author: a\u{1}b"),
            E(r":11: control characters are not allowed"),
        ),
        case(
            "latin1-byte",
            [
                b"---\nauthor: caf\xe9\nsummary: ''\n---\n".as_slice(),
                BODY.as_bytes(),
            ]
            .concat(),
            E(r":2: invalid UTF-8 at byte 15$"),
        ),
        case(
            "truncated-multibyte-at-eof",
            [fresh("\n").as_bytes(), b"\xe4\xbd"].concat(),
            E(r":16: invalid UTF-8"),
        ),
        case(
            "nul-in-body",
            fresh("\n").replace("不过也有人担心", "不过\0也有人担心"),
            E(r":15: binary file \(NUL byte\)"),
        ),
        case(
            "nul-in-front-matter",
            fresh("\n").replace("title: ", "title: \0"),
            E(r":2: binary file"),
        ),
        case(
            "utf16le-bom",
            utf16(b"\xff\xfe", &fresh("\n"), false),
            E(r":1: binary file \(NUL byte\)"),
        ),
        case(
            "utf16be-bom",
            utf16(b"\xfe\xff", &fresh("\n"), true),
            E(r":1: binary file \(NUL byte\)"),
        ),
        case("utf8-bom", format!("\u{feff}{}", fresh("\n")), Filled),
        case("crlf", fresh("\r\n"), Filled),
        case(
            "utf8-bom-and-crlf",
            format!("\u{feff}{}", fresh("\r\n")),
            Filled,
        ),
        case(
            "mixed-line-endings",
            fresh("\n")
                .replacen("---\n", "---\r\n", 1)
                .replace("summary: ''\n", "summary: ''\r\n")
                .replace("draft: true\n", "draft: true\r\n"),
            Filled,
        ),
        case(
            "cr-only-line-endings",
            fresh("\r"),
            E(r":1: front matter lines end in a bare CR"),
        ),
        case(
            "unicode-line-separators",
            fresh("\n").replace(
                "title: 芯片",
                "title: 芯片\u{2028}injected: x\u{85}\u{2029}",
            ),
            E(r"refused to write .*: the front matter layout is not plain|:\d+: "),
        ),
        // Fences.
        case(
            "unclosed-fence",
            fresh("\n").replacen("\n---\n", "\n\n", 1),
            E(r":1: unclosed front matter"),
        ),
        case(
            "four-dash-open",
            fresh("\n").replacen("---", "----", 1),
            E(r":1: front matter must open with exactly `---`, not `----`$"),
        ),
        case(
            "four-dash-close",
            fresh("\n").replacen("\n---\n", "\n----\n", 1),
            E(r":12: front matter must close with exactly `---`, not `----`$"),
        ),
        case(
            "toml-front-matter",
            format!("+++\ntitle = \"芯片\"\ntags = []\n+++\n{BODY}"),
            E(r":1: TOML front matter \(`\+\+\+`\) is not supported"),
        ),
        case(
            "closed-by-dots",
            fresh("\n").replacen("\n---\n", "\n...\n", 1),
            Filled,
        ),
        case("empty-front-matter", format!("---\n---\n{BODY}"), Filled),
        case("no-front-matter", BODY, Filled),
        case("empty-file", "", Untouched),
        case("only-blank-lines", "\n\n  \n", Untouched),
        case("only-a-fence-pair", "---\n---", Untouched),
        // Front matter that is not a mapping of keys to values.
        case(
            "front-matter-is-a-list",
            format!("---\n- tags\n- summary\n---\n{BODY}"),
            E(r":2: front matter is not a mapping of keys to values$"),
        ),
        case(
            "front-matter-is-a-string",
            format!("---\njust some words\n---\n{BODY}"),
            E(r":2: front matter is not a mapping"),
        ),
        case(
            "front-matter-is-null",
            format!("---\n~\n---\n{BODY}"),
            E(r"refused to write .*: the result does not parse"),
        ),
        case(
            "complex-key",
            fresh_with("? [a, b]\n: both\n"),
            E(r"refused to write .*: the front matter layout is not plain"),
        ),
        case(
            "duplicate-key",
            fresh_with("title: 第二个标题\n"),
            E(r":\d+: .*duplicate entry with key .title."),
        ),
        case(
            "duplicate-managed-key",
            fresh_with("summary: ''\n"),
            E(r":\d+: .*duplicate entry with key .summary."),
        ),
        case(
            "tab-indentation",
            fresh_with("meta:\n\tsource: x\n"),
            E(r":3: .*a tab in the indentation"),
        ),
        case(
            "tabs-in-values",
            fresh_with("source:\tinterview\t\n"),
            Filled,
        ),
        case(
            "unterminated-quote",
            fresh_with("title2: 'never closed\n"),
            E(r":\d+: .*(quoted scalar|found unexpected end)"),
        ),
        case(
            "yaml-directive-inside",
            fresh_with("%YAML 1.2\n"),
            E(r":\d+: "),
        ),
        case(
            "undefined-alias",
            fresh_with("ref: *nowhere\n"),
            E(r":2: .*unknown anchor"),
        ),
        // Anchors and aliases.
        case(
            "anchor-and-alias",
            fresh_with("base: &b 硅谷观察\nspeaker: *b\n"),
            Filled,
        ),
        case(
            "alias-of-an-empty-list-in-a-managed-field",
            fresh("\n").replace("people: []", "people: *none").replacen(
                "---\n",
                "---\nnone: &none []\n",
                1,
            ),
            Filled,
        ),
        case(
            "anchor-on-a-managed-field",
            fresh("\n")
                .replace("summary: ''", "summary: &s ''")
                .replace("draft: true", "draft: true\nalso: *s"),
            E(r"refused to write .*: the result does not parse"),
        ),
        case(
            "billion-laughs",
            billion_laughs(),
            E(r":\d+: .*(repetition limit|aliases)"),
        ),
        case(
            "wide-alias-bomb",
            wide_alias_bomb(),
            E(r":\d+: .*(repetition limit|aliases)"),
        ),
        // Size and depth.
        case(
            "deep-flow-nesting",
            fresh_with(&deep_flow),
            E(r":2: .*recursion limit exceeded"),
        ),
        case(
            "deep-block-nesting",
            fresh_with(&deep_block),
            E(r":\d+: .*recursion limit exceeded"),
        ),
        case(
            "deep-markdown-nesting",
            format!(
                "{}\n{}\n{}",
                fresh("\n"),
                ">".repeat(20_000),
                "- ".repeat(10_000) + "深"
            ),
            Filled,
        ),
        case("list-of-10000-items", fresh_with(&long_list), Filled),
        case(
            "managed-list-of-10000-items",
            fresh("\n").replace("people: []\n", &long_people),
            Untouched,
        ),
        case("one-megabyte-scalar", fresh_with(&big_scalar), Filled),
        case(
            "one-megabyte-line-of-han",
            format!("---\nsummary: ''\n---\n{}\n", "字".repeat(350_000)),
            Filled,
        ),
        case(
            "pathological-emphasis",
            format!("{}\n{}\n", fresh("\n"), "*_[`".repeat(50_000)),
            Filled,
        ),
        Case {
            name: "fifty-megabytes",
            setup: Setup::Sparse(50 * 1024 * 1024),
            expect: E(r": file is 52428800 bytes, over the 16777216-byte limit$"),
        },
        // Files that are not plain files.
        Case {
            name: "symlink-to-a-post",
            setup: Setup::LinkToFile(fresh("\n").into_bytes()),
            expect: Filled,
        },
        Case {
            name: "dangling-symlink",
            setup: Setup::DanglingLink,
            expect: E(r"^failed to read .*: (No such file|not found)"),
        },
        Case {
            name: "symlink-to-a-folder",
            setup: Setup::LinkToFolder,
            expect: E(r"^failed to read .*: is a directory$"),
        },
        Case {
            name: "read-only",
            setup: Setup::ReadOnly(fresh("\n").into_bytes()),
            expect: E(r"^failed to write .*: .*read-only"),
        },
        case(
            "already-filled",
            fresh("\n").replace("people: []", "people:\n  - 黄仁勋"),
            Untouched,
        ),
    ]
}

fn frontfill() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_frontfill"));
    cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    cmd
}

fn file_name(index: usize, case: &Case) -> String {
    format!("{index:02}-{}.md", case.name)
}

/// Lays the cases out in `dir`; returns what each file's bytes should be after an error.
fn lay_out(dir: &Path, elsewhere: &Path, cases: &[Case]) -> Vec<Option<Vec<u8>>> {
    let mut originals = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let path = dir.join(file_name(index, case));
        let original = match &case.setup {
            Setup::File(bytes) => {
                fs::write(&path, bytes).expect("write case");
                Some(bytes.clone())
            }
            Setup::ReadOnly(bytes) => {
                use std::os::unix::fs::PermissionsExt;
                fs::write(&path, bytes).expect("write case");
                fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).expect("chmod");
                Some(bytes.clone())
            }
            Setup::LinkToFile(bytes) => {
                let target = elsewhere.join(file_name(index, case));
                fs::write(&target, bytes).expect("write target");
                std::os::unix::fs::symlink(&target, &path).expect("symlink");
                Some(bytes.clone())
            }
            Setup::DanglingLink => {
                std::os::unix::fs::symlink(elsewhere.join("missing.md"), &path).expect("symlink");
                None
            }
            Setup::LinkToFolder => {
                std::os::unix::fs::symlink(elsewhere, &path).expect("symlink");
                None
            }
            Setup::Sparse(len) => {
                fs::write(&path, fresh("\n")).expect("write case");
                fs::OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .and_then(|f| f.set_len(*len))
                    .expect("grow sparse file");
                Some(fs::read(&path).expect("read back"))
            }
        };
        originals.push(original);
    }
    // A real folder named like a post is walked, not read: it adds nothing to the run.
    fs::create_dir(dir.join("folder.md")).expect("mkdir folder.md");
    originals
}

/// Runs `fill --format json` over `dir`; returns each file's JSON object by path and the exit code.
fn run_json(dir: &Path) -> (BTreeMap<String, Json>, Option<i32>, Duration) {
    let started = Instant::now();
    let out = frontfill()
        .current_dir(dir)
        .args(["fill", "--format", "json", "--no-progress", "."])
        .output()
        .expect("runs");
    let elapsed = started.elapsed();
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 stdout");
    let mut files = BTreeMap::new();
    for line in stdout.lines() {
        let object: Json = serde_json::from_str(line).expect("a JSON line");
        if object["type"] == "file" {
            let path = object["path"].as_str().expect("path").to_owned();
            files.insert(path, object);
        }
    }
    (files, out.status.code(), elapsed)
}

fn read_through(path: &Path) -> Option<Vec<u8>> {
    fs::read(path).ok()
}

#[cfg(unix)]
#[test]
fn every_hostile_input_errors_cleanly_or_fills_correctly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let cases = cases();
    let originals = lay_out(dir.path(), elsewhere.path(), &cases);

    let (files, code, elapsed) = run_json(dir.path());
    assert_eq!(code, Some(2), "errors make the run exit 2");
    assert!(
        elapsed < Duration::from_secs(60),
        "the run took {elapsed:?}: some input is not bounded"
    );
    assert_eq!(files.len(), cases.len(), "{:#?}", files.keys());

    let mut errors = 0;
    let mut damaged = Vec::new();
    let mut wrong = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let name = file_name(index, case);
        let path = dir.path().join(&name);
        let report = &files[&format!("./{name}")];
        let status = report["status"].as_str().expect("status");
        let after = read_through(&path);
        match &case.expect {
            Expect::Error(pattern) => {
                let message = report["error"].as_str().unwrap_or("");
                if status == "error" {
                    errors += 1;
                }
                let matches = predicate::str::is_match(*pattern)
                    .expect("regex")
                    .eval(message);
                if status != "error" || !matches || !message.contains(&format!("./{name}")) {
                    wrong.push(format!(
                        "{name}: want an error like `{pattern}`, got {report}"
                    ));
                }
                if after != originals[index] {
                    damaged.push(name.clone());
                }
            }
            Expect::Untouched => {
                if status == "error" || status == "filled" {
                    wrong.push(format!("{name}: want it untouched, got {report}"));
                }
                if after != originals[index] {
                    damaged.push(name.clone());
                }
            }
            Expect::Filled => {
                if status != "filled" {
                    wrong.push(format!("{name}: want it filled, got {report}"));
                    if after != originals[index] {
                        damaged.push(name.clone());
                    }
                    continue;
                }
                let before = String::from_utf8(originals[index].clone().expect("a file"))
                    .expect("UTF-8 case");
                let after = String::from_utf8(after.expect("still there")).expect("UTF-8 result");
                if !filled_correctly(&before, &after) {
                    damaged.push(name.clone());
                }
            }
        }
    }

    // A symlinked post is written through: the link is still a link.
    for (index, case) in cases.iter().enumerate() {
        if matches!(case.setup, Setup::LinkToFile(_)) {
            let path = dir.path().join(file_name(index, case));
            let meta = fs::symlink_metadata(&path).expect("link");
            assert!(
                meta.file_type().is_symlink(),
                "{}: link replaced",
                case.name
            );
        }
    }
    let temps: Vec<_> = list_files(dir.path())
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(".frontfill-"))
        .collect();
    assert!(temps.is_empty(), "temp files left: {temps:?}");

    // A second run changes nothing: filled posts are filled, errors are still errors.
    let (again, _, _) = run_json(dir.path());
    for (path, report) in &again {
        assert_ne!(report["status"], "filled", "{path} changed on a second run");
    }
    for (index, case) in cases.iter().enumerate() {
        if let Expect::Error(_) = case.expect {
            let path = dir.path().join(file_name(index, case));
            if read_through(&path) != originals[index] {
                damaged.push(format!("{} (second run)", case.name));
            }
        }
    }

    eprintln!(
        "hostile inputs: {} tried, {errors} errors reported, {} files damaged ({elapsed:.1?})",
        cases.len(),
        damaged.len()
    );
    assert!(
        wrong.is_empty(),
        "unexpected outcomes:\n{}",
        wrong.join("\n")
    );
    assert!(damaged.is_empty(), "files damaged: {damaged:?}");
}

/// Whether `after` is `before` with only managed entries filled in, and re-parses.
fn filled_correctly(before: &str, after: &str) -> bool {
    let Ok(doc) = Document::from_text(Path::new("after.md"), after.to_owned()) else {
        return false;
    };
    if FrontMatter::parse(&doc).is_err() {
        return false;
    }
    let old = Document::from_text(Path::new("before.md"), before.to_owned()).expect("splits");
    if old.body() != doc.body() {
        return false;
    }
    if old.front.is_none() {
        return after.ends_with(before);
    }
    strip_entries(before, &MANAGED_KEYS) == strip_entries(after, &MANAGED_KEYS)
}

// ---------------------------------------------------------------------------------------------
// A post that changes on disk between its read and its write. The engine reads a post and takes
// a snapshot (size, modification time, hash); here the "concurrent editor" acts after the read,
// and the engine is handed the bytes and snapshot it would have had.

/// Reads a post as the engine does: its bytes and a snapshot of them.
fn read_with_snapshot(path: &Path) -> (Vec<u8>, Snapshot) {
    let meta = fs::metadata(path).expect("metadata");
    let bytes = fs::read(path).expect("read");
    let snapshot = Snapshot::new(&meta, &bytes);
    (bytes, snapshot)
}

fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(Options::default()))
}

/// Fills `post` in write mode after `interfere` has acted on it between read and write; returns
/// the report's error.
fn fill_with_interference(dir: &Path, interfere: impl FnOnce(&Path)) -> Option<Error> {
    let path = dir.join("post.md");
    fs::write(&path, fresh("\n")).expect("write post");
    let (bytes, snapshot) = read_with_snapshot(&path);
    interfere(&path);
    let report = engine().process_bytes(&path, bytes, Mode::Write, Some(&snapshot));
    assert_eq!(report.status == Status::Error, report.error.is_some());
    report.error
}

fn no_temp_files(dir: &Path) -> bool {
    !list_files(dir)
        .iter()
        .any(|p| p.to_string_lossy().contains(".frontfill-"))
}

#[test]
fn a_post_edited_between_read_and_write_is_left_to_the_editor() {
    let edited = fresh("\n").replace("draft: true", "draft: false");
    let mut tried = 0;

    // Edited: new content, new size, new modification time.
    let dir = tempfile::tempdir().expect("temp dir");
    let error = fill_with_interference(dir.path(), |p| fs::write(p, &edited).expect("edit"));
    assert!(matches!(error, Some(Error::Changed { .. })), "{error:?}");
    assert!(error
        .expect("error")
        .to_string()
        .ends_with("post.md changed on disk while it was being filled; left as it is"));
    assert_eq!(
        fs::read_to_string(dir.path().join("post.md")).unwrap(),
        edited
    );
    assert!(no_temp_files(dir.path()));
    tried += 1;

    // Same size, modification time put back: only the hash tells.
    let dir = tempfile::tempdir().expect("temp dir");
    let same_size = fresh("\n").replace("draft: true", "draft: TRUE");
    let error = fill_with_interference(dir.path(), |p| {
        let mtime = fs::metadata(p).unwrap().modified().unwrap();
        fs::write(p, &same_size).expect("edit");
        fs::File::options()
            .write(true)
            .open(p)
            .and_then(|f| f.set_modified(mtime))
            .expect("restore mtime");
    });
    assert!(matches!(error, Some(Error::Changed { .. })), "{error:?}");
    assert_eq!(
        fs::read_to_string(dir.path().join("post.md")).unwrap(),
        same_size
    );
    tried += 1;

    // Touched: same bytes, new modification time. Refused too: better to skip than to guess.
    let dir = tempfile::tempdir().expect("temp dir");
    let error = fill_with_interference(dir.path(), |p| {
        let later = std::time::SystemTime::now() + Duration::from_secs(5);
        fs::File::options()
            .write(true)
            .open(p)
            .and_then(|f| f.set_modified(later))
            .expect("touch");
    });
    assert!(matches!(error, Some(Error::Changed { .. })), "{error:?}");
    assert_eq!(
        fs::read_to_string(dir.path().join("post.md")).unwrap(),
        fresh("\n")
    );
    tried += 1;

    // Replaced by another file (an editor's save-by-rename).
    let dir = tempfile::tempdir().expect("temp dir");
    let error = fill_with_interference(dir.path(), |p| {
        let other = p.with_file_name("other.tmp-save");
        fs::write(&other, &edited).expect("write replacement");
        fs::rename(&other, p).expect("rename over");
    });
    assert!(matches!(error, Some(Error::Changed { .. })), "{error:?}");
    assert_eq!(
        fs::read_to_string(dir.path().join("post.md")).unwrap(),
        edited
    );
    tried += 1;

    // Deleted: it stays deleted; the fill does not bring it back.
    let dir = tempfile::tempdir().expect("temp dir");
    let error = fill_with_interference(dir.path(), |p| fs::remove_file(p).expect("delete"));
    let message = error.expect("an error").to_string();
    assert!(
        message.starts_with("failed to write ") && message.contains("post.md"),
        "{message}"
    );
    assert!(
        !dir.path().join("post.md").exists(),
        "a deleted post came back"
    );
    assert!(no_temp_files(dir.path()));
    tried += 1;

    // Untouched: the same path is written.
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(fill_with_interference(dir.path(), |_| {}).is_none());
    assert_ne!(
        fs::read_to_string(dir.path().join("post.md")).unwrap(),
        fresh("\n")
    );

    eprintln!("concurrent edits: {tried} tried, {tried} errors reported, 0 files damaged");
}

#[test]
fn write_atomic_refuses_a_stale_snapshot() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("p.md");
    fs::write(&path, "a").expect("write");
    let (_, snapshot) = read_with_snapshot(&path);
    fs::write(&path, "b").expect("edit");
    let error = write_atomic(&path, "c", &snapshot).expect_err("stale");
    assert!(matches!(error, Error::Changed { .. }));
    assert_eq!(fs::read_to_string(&path).unwrap(), "b");
    assert!(no_temp_files(dir.path()));
}

// ---------------------------------------------------------------------------------------------
// Permissions. Root reads and writes whatever the mode bits say, so as root the binary is run as
// `nobody` through `setpriv` (util-linux); without it the test says why it skips.

#[cfg(unix)]
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The binary, run as an unprivileged user when we are root, or `None` when that is impossible.
#[cfg(unix)]
fn unprivileged(dir: &Path) -> Option<Command> {
    use std::os::unix::fs::chown;
    if !is_root() {
        return Some(frontfill());
    }
    const NOBODY: u32 = 65534;
    let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"]
        .into_iter()
        .find(|p| Path::new(p).exists())?;
    for entry in list_files(dir) {
        chown(dir.join(entry), Some(NOBODY), Some(NOBODY)).ok()?;
    }
    chown(dir, Some(NOBODY), Some(NOBODY)).ok()?;
    let mut probe = Command::new(setpriv);
    probe
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_frontfill"))
        .arg("--version");
    if !probe.output().is_ok_and(|o| o.status.success()) {
        return None;
    }
    let mut cmd = Command::new(setpriv);
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_frontfill"))
        .env_remove("NO_COLOR");
    Some(cmd)
}

#[cfg(unix)]
#[test]
fn folders_without_permission_are_reported_and_left_alone() {
    use std::os::unix::fs::{chown, PermissionsExt};
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    for name in ["good.md", "locked/inner.md", "readonly/post.md"] {
        let path = root.join(name);
        fs::create_dir_all(path.parent().unwrap()).expect("mkdir");
        fs::write(&path, fresh("\n")).expect("write");
    }
    let Some(mut cmd) = unprivileged(root) else {
        eprintln!("skipped: running as root without a way to drop privileges (setpriv)");
        return;
    };
    // Set the modes after chown: a folder nobody may list, and one nobody may not write in.
    fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o000)).expect("chmod");
    fs::set_permissions(root.join("readonly"), fs::Permissions::from_mode(0o555)).expect("chmod");
    let out = cmd
        .current_dir(root)
        .args(["fill", "--no-progress", "."])
        .output()
        .expect("runs");
    fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o755)).expect("chmod");
    fs::set_permissions(root.join("readonly"), fs::Permissions::from_mode(0o755)).expect("chmod");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("error:")).collect();
    assert_eq!(errors.len(), 2, "{stderr}");
    assert!(
        errors[0].contains("./locked") && errors[0].contains("ermission denied"),
        "{stderr}"
    );
    assert!(
        errors[1].contains("failed to write ./readonly/post.md")
            && errors[1].contains("ermission denied"),
        "{stderr}"
    );
    assert_eq!(
        fs::read_to_string(root.join("locked/inner.md")).unwrap(),
        fresh("\n")
    );
    assert_eq!(
        fs::read_to_string(root.join("readonly/post.md")).unwrap(),
        fresh("\n")
    );
    assert_ne!(
        fs::read_to_string(root.join("good.md")).unwrap(),
        fresh("\n")
    );
    assert!(no_temp_files(root));
    // Hand the folder back so the temp dir can be removed.
    let _ = chown(root, Some(0), Some(0));
    eprintln!("permissions: 2 tried, 2 errors reported, 0 files damaged");
}

// ---------------------------------------------------------------------------------------------
// A malformed dictionary stops the run before any post is read.

#[test]
fn a_malformed_dictionary_is_reported_before_any_post_is_touched() {
    let broken: [(&str, &str, &str); 4] = [
        (
            "people.yaml",
            "- name: A\n  aliases: [a1]\n- name: B\n  alias: [b1]\n",
            r"invalid dictionary: .*people\.yaml:[34]: .*unknown field `alias`",
        ),
        (
            "companies_orgs.yaml",
            "- name: A\n  aliases: [a1\n- name: B\n",
            r"invalid dictionary: .*companies_orgs\.yaml:\d+: ",
        ),
        (
            "products_models.yaml",
            "- name: A\n- name: ''\n",
            r"invalid dictionary: .*products_models\.yaml:2: ",
        ),
        (
            "media_books.yaml",
            "- name: A\n  prior: 7\n",
            r"invalid dictionary: .*media_books\.yaml:\d+: ",
        ),
    ];
    for (file, text, pattern) in broken {
        let dir = tempfile::tempdir().expect("temp dir");
        let dict = dir.path().join("dict");
        fs::create_dir(&dict).expect("mkdir");
        fs::write(dict.join(file), text).expect("write dictionary");
        let posts = dir.path().join("posts");
        fs::create_dir(&posts).expect("mkdir");
        fs::write(posts.join("a.md"), fresh("\n")).expect("write post");
        let out = frontfill()
            .args(["fill", "--no-progress", "--dictionaries"])
            .arg(&dict)
            .arg(&posts)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{file}: {stderr}");
        assert_eq!(
            stderr.lines().count(),
            1,
            "{file}: one line, no summary: {stderr}"
        );
        assert!(
            predicate::str::is_match(pattern).unwrap().eval(&stderr),
            "{file}: `{stderr}` does not match `{pattern}`"
        );
        assert_eq!(
            fs::read_to_string(posts.join("a.md")).unwrap(),
            fresh("\n"),
            "{file}: a post was touched"
        );
        assert!(no_temp_files(dir.path()));
    }
}
