//! The shipped dictionaries load cleanly (no unknown keys, no alias collisions) and are already
//! in normalized form: sorted, deduplicated, keys in contract order (typos' `verify.rs` idea).

use std::path::PathBuf;

use frontfill::vocab::format::{parse, render};
use frontfill::vocab::{Vocabulary, SHIPPED};

#[test]
fn shipped_dictionaries_load() {
    let vocab = Vocabulary::shipped().expect("shipped dictionaries are valid");
    for (field, name, _) in SHIPPED {
        let counts = vocab
            .files()
            .iter()
            .find(|f| f.field == field)
            .unwrap_or_else(|| panic!("{name} was not read"));
        assert!(counts.entries > 0, "{name} has no entries");
    }
}

#[test]
fn shipped_dictionaries_are_normalized() {
    for (_, name, text) in SHIPPED {
        let path = PathBuf::from(format!("dictionaries/{name}"));
        let file = parse(&path, text).unwrap_or_else(|e| panic!("{e}"));
        let expected = render(&file);
        if expected != text {
            let first = expected
                .lines()
                .zip(text.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(expected.lines().count().min(text.lines().count()));
            panic!(
                "dictionaries/{name} is not in normalized form; first difference at line {}:\n  file:       {:?}\n  normalized: {:?}",
                first + 1,
                text.lines().nth(first).unwrap_or(""),
                expected.lines().nth(first).unwrap_or("")
            );
        }
        assert!(
            text.starts_with('#'),
            "dictionaries/{name} must start with a comment block"
        );
    }
}

#[test]
fn fixture_dictionaries_load() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dictionaries");
    let vocab = Vocabulary::load_layers(false, &[dir]).expect("fixture dictionaries are valid");
    assert_eq!(vocab.entries().len(), 8);
}
