//! Property tests of the library on random posts: random front matter (the managed fields in
//! every empty form, other keys in every YAML style the corpus uses, comments, blank lines, CRLF,
//! a BOM) over random bodies. Filling is idempotent, never touches a byte outside the edited
//! entries, always re-parses, and never panics, not even on arbitrary bytes.
//!
//! `PROPTEST_CASES` sets the number of cases (default 256).

mod common;

use std::path::Path;
use std::sync::LazyLock;

use frontfill::app::{Engine, Filled, Options, Status, SummaryLang};
use frontfill::document::Document;
use frontfill::field::{Field, CANONICAL_ORDER};
use frontfill::front_matter::FrontMatter;
use frontfill::plan::{FieldEdit, FieldPolicy, FieldValue, Plan};
use frontfill::write::apply_plan;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};

use common::strip_entries;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        // A failure is printed with its minimal case; no regression files in the source tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The option sets a case is filled with; built once so each engine's jieba table is built once.
static ENGINES: LazyLock<Vec<Engine>> = LazyLock::new(|| {
    let policy = |only: Option<Vec<Field>>, overwrite: Vec<Field>, summary_en: bool| FieldPolicy {
        only,
        overwrite,
        summary_en,
        ..FieldPolicy::default()
    };
    let with = |policy: FieldPolicy, summary_lang: SummaryLang| {
        Engine::new(Options {
            policy,
            summary_lang,
            ..Options::default()
        })
    };
    vec![
        with(FieldPolicy::default(), SummaryLang::Auto),
        with(policy(None, Vec::new(), true), SummaryLang::Both),
        with(
            policy(Some(vec![Field::Summary]), Vec::new(), false),
            SummaryLang::Auto,
        ),
        with(
            policy(
                Some(vec![
                    Field::Summary,
                    Field::Tags,
                    Field::People,
                    Field::Area,
                ]),
                Vec::new(),
                false,
            ),
            SummaryLang::Zh,
        ),
        with(policy(None, vec![Field::Summary], false), SummaryLang::Auto),
        with(
            policy(
                Some(vec![Field::SummaryEn]),
                vec![Field::Summary, Field::Tags],
                false,
            ),
            SummaryLang::En,
        ),
    ]
});

// ---------------------------------------------------------------------------------------------
// Generators

/// Text without control characters, line or paragraph separators, or a BOM.
const TEXT: &str = "[^\\p{C}\u{2028}\u{2029}]{0,24}";

fn han_sentence() -> impl Strategy<Value = String> {
    (
        "[\u{4e00}-\u{9fa5}]{2,40}",
        select(vec!["。", "？", "！", "，", "；", "…", ""]),
    )
        .prop_map(|(s, p)| format!("{s}{p}"))
}

fn english_sentence() -> impl Strategy<Value = String> {
    prop::collection::vec("[A-Za-z]{1,10}", 3..20).prop_map(|w| format!("{}.", w.join(" ")))
}

fn name() -> impl Strategy<Value = String> {
    select(vec![
        "黄仁勋",
        "Nvidia",
        "OpenAI",
        "特朗普",
        "Sam Altman",
        "英伟达",
        "DeepSeek",
        "Jensen Huang",
    ])
    .prop_map(str::to_owned)
}

/// One line (or block) of Markdown body.
fn body_line() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(han_sentence(), 1..6).prop_map(|s| s.concat()),
        2 => prop::collection::vec(english_sentence(), 1..4).prop_map(|s| s.join(" ")),
        1 => han_sentence().prop_map(|s| format!("### {s}")),
        1 => (name(), han_sentence()).prop_map(|(n, s)| format!("**{n}**：{s}")),
        1 => (name(), english_sentence()).prop_map(|(n, s)| format!("**{n}**: {s}")),
        1 => english_sentence().prop_map(|s| format!(
            "<details>\n<summary>Original English</summary>\n\n{s}\n\n</details>"
        )),
        1 => han_sentence().prop_map(|s| format!("```\n{s}\n```")),
        1 => (name(), han_sentence()).prop_map(|(n, s)| format!("- **{n}**（{n}: {s}）{s}")),
        1 => Just(String::new()),
        1 => "[^\u{0}]{0,60}",
    ]
}

/// A value line for a managed field that counts as empty: `(text after "key:", description)`.
fn empty_value() -> impl Strategy<Value = String> {
    select(vec![
        " []",
        " '[]'",
        " \"[]\"",
        " ''",
        " \"\"",
        " null",
        " ~",
        "",
        " [ ]",
        " []  ",
        " ''  # empty",
        " ' '",
        " Null",
        " NULL",
    ])
    .prop_map(str::to_owned)
}

/// A value for any key, as its lines: the text after `key:` and the continuation lines.
fn any_value() -> impl Strategy<Value = (String, Vec<String>)> {
    let list_item = prop_oneof![
        name(),
        "[a-z][a-z-]{0,15}",
        TEXT.prop_map(|s| format!("'{}'", s.replace('\'', "''"))),
    ];
    prop_oneof![
        // plain scalars
        select(vec![
            "post.njk",
            "硅谷观察",
            "true",
            "false",
            "42",
            "2025-01-01",
            "'2025-01-01'",
            "https://www.youtube.com/watch?v=abc",
            "evergreen",
            "a plain value # with a comment",
            "值 # 注释",
            "Adam's Axiom",
        ])
        .prop_map(|s| (format!(" {s}"), Vec::new())),
        // quoted scalars with random content
        TEXT.prop_map(|s| (format!(" '{}'", s.replace('\'', "''")), Vec::new())),
        TEXT.prop_map(|s| (
            format!(" \"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")),
            Vec::new()
        )),
        // block lists, flush or indented
        (
            select(vec![0usize, 2, 4]),
            prop::collection::vec(list_item.clone(), 1..5)
        )
            .prop_map(|(indent, items)| {
                let pad = " ".repeat(indent);
                (
                    String::new(),
                    items.iter().map(|i| format!("{pad}- {i}")).collect(),
                )
            }),
        // flow lists
        prop::collection::vec(list_item, 0..4)
            .prop_map(|items| (format!(" [{}]", items.join(", ")), Vec::new())),
        // folded and literal block scalars, with a blank line inside sometimes
        (
            select(vec![">", "|", ">-", "|-", "|+", ">+", "|2", ">2-"]),
            prop::collection::vec(
                prop_oneof![han_sentence(), english_sentence(), Just(String::new())],
                1..4
            )
        )
            .prop_map(|(style, lines)| {
                let mut lines: Vec<String> = lines
                    .into_iter()
                    .map(|l| if l.is_empty() { l } else { format!("  {l}") })
                    .collect();
                // A block scalar starts and ends with a content line.
                lines.insert(0, "  first line".to_owned());
                lines.push("  last line".to_owned());
                (format!(" {style}"), lines)
            }),
        // a nested mapping
        (name(), "[a-z]{1,8}").prop_map(|(n, k)| (
            String::new(),
            vec![
                format!("  {k}: {n}"),
                format!("  {k}_list:"),
                "    - x".to_owned()
            ]
        )),
        // a multi-line plain scalar
        (han_sentence(), han_sentence())
            .prop_map(|(a, b)| (format!(" {a}"), vec![format!("  {b}")])),
        // a key with no value
        Just((String::new(), Vec::new())),
    ]
}

/// A value for a managed field that is set (makes the post already filled).
fn set_value() -> impl Strategy<Value = (String, Vec<String>)> {
    prop_oneof![
        prop::collection::vec(name(), 1..4).prop_map(|items| (
            String::new(),
            items.iter().map(|i| format!("  - {i}")).collect()
        )),
        han_sentence().prop_map(|s| (format!(" {s}"), Vec::new())),
        name().prop_map(|n| (format!(" [{n}]"), Vec::new())),
    ]
}

const MANAGED: [&str; 9] = common::MANAGED_KEYS;

const OTHER_KEYS: [&str; 16] = [
    "author",
    "date",
    "guest",
    "layout",
    "source",
    "speaker",
    "title",
    "insight",
    "draft",
    "series",
    "project",
    "status",
    "topics",
    "x-note",
    "番号",
    "\"quoted key\"",
];

/// One top-level entry: key as written, the text after the colon, continuation lines.
#[derive(Debug, Clone)]
struct Entry {
    key: String,
    first: String,
    rest: Vec<String>,
}

fn managed_entry(key: &'static str) -> impl Strategy<Value = Option<Entry>> {
    let quoted = prop_oneof![9 => Just(key.to_owned()), 1 => Just(format!("\"{key}\""))];
    let value = prop_oneof![
        12 => empty_value().prop_map(|v| (v, Vec::new())),
        1 => set_value(),
    ];
    prop::option::weighted(0.8, (quoted, value))
        .prop_map(|e| e.map(|(key, (first, rest))| Entry { key, first, rest }))
}

/// Front matter entries in random order, each with 0-2 blank or comment lines before it.
fn entries() -> impl Strategy<Value = Vec<(Vec<String>, Entry)>> {
    let managed: Vec<_> = MANAGED.iter().map(|k| managed_entry(k)).collect();
    let others = subsequence(OTHER_KEYS.to_vec(), 0..=OTHER_KEYS.len()).prop_flat_map(|keys| {
        keys.into_iter()
            .map(|key| {
                let value = if key == "title" {
                    prop_oneof![
                        han_sentence().prop_map(|s| (format!(" {s}"), Vec::new())),
                        any_value()
                    ]
                    .boxed()
                } else {
                    any_value().boxed()
                };
                value.prop_map(move |(first, rest)| Entry {
                    key: key.to_owned(),
                    first,
                    rest,
                })
            })
            .collect::<Vec<_>>()
    });
    let spacer = prop::collection::vec(
        prop_oneof![
            Just(String::new()),
            TEXT.prop_map(|s| format!("# {s}")),
            Just("#".to_owned())
        ],
        0..3,
    );
    (managed, others)
        .prop_map(|(managed, others)| {
            managed
                .into_iter()
                .flatten()
                .chain(others)
                .collect::<Vec<_>>()
        })
        .prop_shuffle()
        .prop_flat_map(move |entries| {
            let n = entries.len();
            (Just(entries), prop::collection::vec(spacer.clone(), n))
        })
        .prop_map(|(entries, spacers)| spacers.into_iter().zip(entries).collect())
}

/// A whole post, as text.
#[derive(Debug, Clone)]
struct Post {
    text: String,
    has_front: bool,
}

fn post() -> impl Strategy<Value = Post> {
    (
        any::<bool>(),                                     // CRLF
        prop::bool::weighted(0.15),                        // BOM
        prop::bool::weighted(0.9),                         // has front matter
        select(vec!["---", "---", "---", "...", "---  "]), // closing fence
        entries(),
        prop::collection::vec(body_line(), 0..12),
        select(vec!["\n", "", "\n\n"]), // end of file
    )
        .prop_map(|(crlf, bom, has_front, close, entries, body, eof)| {
            let mut text = String::new();
            if bom {
                text.push('\u{feff}');
            }
            if has_front {
                text.push_str("---\n");
                for (spacers, entry) in entries {
                    for line in spacers {
                        text.push_str(&line);
                        text.push('\n');
                    }
                    text.push_str(&format!("{}:{}\n", entry.key, entry.first));
                    for line in entry.rest {
                        text.push_str(&line);
                        text.push('\n');
                    }
                }
                text.push_str(close);
                text.push('\n');
            } else {
                text.push_str("# 标题\n\n");
            }
            text.push_str(&body.join("\n\n"));
            text.push_str(eof);
            if crlf {
                text = text.replace("\r", "").replace('\n', "\r\n");
            }
            Post { text, has_front }
        })
}

// ---------------------------------------------------------------------------------------------
// Properties

/// Fills a post; the error as its message (the test only needs to know that it failed).
fn fill(engine: &Engine, bytes: Vec<u8>) -> Result<Filled, String> {
    engine
        .fill(Path::new("post.md"), bytes)
        .map_err(|e| e.to_string())
}

fn parse(text: &str) -> FrontMatter {
    let doc = Document::from_text(Path::new("post.md"), text.to_owned()).expect("splits");
    FrontMatter::parse(&doc).expect("parses")
}

fn planned(value: &FieldValue) -> serde_yaml_ng::Value {
    match value {
        FieldValue::Text(t) => serde_yaml_ng::Value::String(t.clone()),
        FieldValue::List(items) => serde_yaml_ng::Value::Sequence(
            items
                .iter()
                .cloned()
                .map(serde_yaml_ng::Value::String)
                .collect(),
        ),
    }
}

/// Checks every promise about one fill of `input`; returns the output text, if any.
fn check_fill(engine: &Engine, input: &str, has_front: bool) -> Result<(), TestCaseError> {
    let before = parse(input);
    let filled = fill(engine, input.as_bytes().to_vec())
        .map_err(|e| TestCaseError::fail(format!("a well-formed post failed: {e}")))?;
    prop_assert_eq!(filled.text.is_some(), filled.status == Status::Filled);
    prop_assert_eq!(&filled.original, input);
    let Some(out) = filled.text else {
        prop_assert!(filled.plan.is_empty() || filled.status != Status::Filled);
        return Ok(());
    };

    // The output re-parses, unedited keys keep their values, edited keys hold the plan.
    let after = parse(&out);
    let edited: Vec<&str> = filled.plan.edits.iter().map(|e| e.key.as_str()).collect();
    for (key, value) in &before.values {
        if !edited.contains(&key.as_str().unwrap_or("")) {
            prop_assert_eq!(after.values.get(key), Some(value), "key {:?} changed", key);
        }
    }
    for edit in &filled.plan.edits {
        prop_assert_eq!(after.get(&edit.key), Some(&planned(&edit.value)));
    }
    let new_keys = edited.iter().filter(|k| before.get(k).is_none()).count();
    prop_assert_eq!(after.values.len(), before.values.len() + new_keys);

    // Every byte outside the edited entries is unchanged.
    if has_front {
        prop_assert_eq!(strip_entries(input, &edited), strip_entries(&out, &edited));
    } else {
        let bom = if input.starts_with('\u{feff}') { 3 } else { 0 };
        // Lines added to a post take the line ending of its first line.
        let first_line = input.split_inclusive('\n').next().unwrap_or("");
        let nl = if first_line.ends_with("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        let expected = format!("{}---{nl}---{nl}{}", &input[..bom], &input[bom..]);
        prop_assert_eq!(strip_entries(&out, &edited), expected);
    }
    // Long values are never folded: each edited scalar is on its key's line.
    for edit in &filled.plan.edits {
        if let FieldValue::Text(text) = &edit.value {
            let line = out
                .split('\n')
                .find(|l| common::key_of_line(l) == Some(edit.key.as_str()))
                .expect("edited key line");
            prop_assert!(line.len() > text.len(), "{} is folded", edit.key);
        }
    }

    // Filling again changes nothing.
    let again = fill(engine, out.clone().into_bytes())
        .map_err(|e| TestCaseError::fail(format!("the filled post failed: {e}")))?;
    prop_assert!(
        again.text.is_none(),
        "second fill changed the post:\n{:?}",
        again.text
    );
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn filling_is_idempotent_and_touches_only_the_edited_entries(
        post in post(),
        engine in 0..ENGINES.len(),
    ) {
        check_fill(&ENGINES[engine], &post.text, post.has_front)?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        for engine in ENGINES.iter() {
            if let Ok(filled) = fill(engine, bytes.clone()) {
                if let Some(out) = filled.text {
                    parse(&out);
                    prop_assert!(fill(engine, out.into_bytes()).expect("refill").text.is_none());
                }
            }
        }
    }

    #[test]
    fn arbitrary_front_matter_never_panics(
        yaml in "[^\u{0}]{0,200}",
        body in prop::collection::vec(body_line(), 0..4),
        engine in 0..ENGINES.len(),
    ) {
        let text = format!("---\n{yaml}\n---\n{}", body.join("\n\n"));
        let engine = &ENGINES[engine];
        if let Ok(filled) = fill(engine, text.into_bytes()) {
            if let Some(out) = filled.text {
                parse(&out);
                prop_assert!(fill(engine, out.into_bytes()).expect("refill").text.is_none());
            }
        }
    }

    #[test]
    fn arbitrary_yaml_lines_never_panic(
        lines in prop::collection::vec(
            prop_oneof![
                "[a-z_]{1,8}:( .{0,12})?",
                "  - .{0,10}",
                "- .{0,10}",
                "[ #>|'\"\\[\\]{}:,&*!?-]{0,6}.{0,8}",
                Just("summary: ''".to_owned()),
                Just("tags: []".to_owned()),
                Just("people:".to_owned()),
            ],
            0..10,
        ),
        body in prop::collection::vec(body_line(), 1..4),
        engine in 0..ENGINES.len(),
    ) {
        let text = format!("---\n{}\n---\n{}", lines.join("\n"), body.join("\n\n"));
        let engine = &ENGINES[engine];
        if let Ok(filled) = fill(engine, text.into_bytes()) {
            if let Some(out) = filled.text {
                parse(&out);
                prop_assert!(fill(engine, out.into_bytes()).expect("refill").text.is_none());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Values from the text (entity names, summaries) are written into YAML. Crafted from YAML's
// indicators, line breaks, document markers and YAML 1.1 booleans, they must read back as exactly
// themselves and never add a key, drop one, or spill out of their field.

/// A piece of a crafted value: everything YAML might read as syntax.
fn crafted_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(vec![
            ":", ": ", " :", "#", " #", "# ", "-", "- ", "--", "---", "...", "*", "*a", "&", "&a",
            "!", "!!str", "!tag ", "'", "''", "\"", "\\", "\\n", "\n", "\r\n", "\r", "\n\n",
            "\nevil: 1", "\n- item", "\n---\n", "\n...\n", "key: value", "{", "}", "[", "]",
            "{a: b}", "[a, b]", ",", "|", "|-", ">", ">+", "%", "%YAML 1.2", "@", "`", "?", "? ",
            " ", "  ", "\t", "~", "null", "Null", "yes", "no", "on", "off", "y", "n", "Yes",
            "NO", "true", "False", "0", "012", "0x1F", "1e3", "-.inf", ".nan", "2024-01-01",
            "12:30", "1_000", "<<", "=", "\u{2028}", "\u{2029}", "\u{85}", "\u{feff}", "\u{0}",
            "\u{7f}", "\u{1b}[31m", "英伟达", "黄仁勋", "OpenAI",
        ])
        .prop_map(str::to_owned),
        1 => "[^\u{0}]{0,6}",
    ]
}

fn crafted_value() -> impl Strategy<Value = String> {
    prop::collection::vec(crafted_piece(), 1..6).prop_map(|pieces| pieces.concat())
}

/// Posts to write into: flush and indented lists, comments, CRLF, a BOM, no front matter.
const HOSTS: [&str; 5] = [
    "---\ntitle: t\ntags: []\nsummary: ''\npeople: []\ndraft: true\n---\nbody: not yaml\n",
    "\u{feff}---\r\ntitle: t # c\r\nlist:\r\n- a\r\nsummary: ''\r\n---\r\n# body\r\n",
    "---\nsummary: >\n  folded\n  text\npeople:\n  - x\n# trailing comment\n---\n",
    "no front matter\n---\nnot: a fence at the top\n",
    "---\n---\n",
];

proptest! {
    #![proptest_config(config())]

    #[test]
    fn crafted_values_never_inject_keys_or_break_out_of_their_field(
        host in 0..HOSTS.len(),
        text in crafted_value(),
        items in prop::collection::vec(crafted_value(), 0..4),
        text_field in select(vec![Field::Summary, Field::Category, Field::Area, Field::SummaryEn]),
        list_field in select(vec![Field::People, Field::Tags, Field::MediaBooks]),
    ) {
        let input = HOSTS[host];
        let path = Path::new("post.md");
        let doc = Document::from_text(path, input.to_owned()).expect("host splits");
        let before = FrontMatter::parse(&doc).expect("host parses");
        let edit = |field: Field, value: FieldValue| FieldEdit {
            field,
            key: field.name().to_owned(),
            value,
            replaces: true,
        };
        let plan = Plan {
            edits: vec![
                edit(text_field, FieldValue::Text(text.clone())),
                edit(list_field, FieldValue::List(items.clone())),
            ],
        };
        let order: Vec<String> = CANONICAL_ORDER.iter().map(|k| (*k).to_owned()).collect();
        let out = apply_plan(&doc, &before, &plan, &order)
            .map_err(|e| TestCaseError::fail(format!("a crafted value was refused: {e}")))?;

        let new_doc = Document::from_text(path, out.clone()).expect("output splits");
        prop_assert_eq!(new_doc.body(), doc.body(), "the body moved");
        let after = FrontMatter::parse(&new_doc).expect("output parses");
        prop_assert_eq!(after.get(text_field.name()), Some(&planned(&FieldValue::Text(text))));
        prop_assert_eq!(after.get(list_field.name()), Some(&planned(&FieldValue::List(items))));

        // The keys are the old ones plus the two edited, by the parser and by a plain line scan.
        let mut keys: Vec<String> = before
            .values
            .keys()
            .filter_map(|k| k.as_str().map(str::to_owned))
            .chain([text_field.name().to_owned(), list_field.name().to_owned()])
            .collect();
        keys.sort();
        keys.dedup();
        let mut parsed: Vec<String> = after
            .values
            .keys()
            .filter_map(|k| k.as_str().map(str::to_owned))
            .collect();
        parsed.sort();
        prop_assert_eq!(&parsed, &keys);
        let yaml = new_doc.yaml().expect("front matter");
        let mut scanned: Vec<String> = yaml
            .split('\n')
            .filter_map(common::key_of_line)
            .map(str::to_owned)
            .collect();
        scanned.sort();
        prop_assert_eq!(&scanned, &keys, "a value made a line that reads as a key");
        // Every line of an edited entry is its key line or an indented `- item` of its list.
        for line in yaml.split('\n') {
            let line = line.trim_end_matches('\r');
            prop_assert!(
                line.is_empty()
                    || common::key_of_line(line).is_some()
                    || line.starts_with(' ')
                    || line.starts_with("- ")
                    || line.starts_with('#'),
                "a stray line: {:?}",
                line
            );
        }
    }
}
