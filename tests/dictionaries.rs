//! The shipped dictionaries load cleanly (no unknown keys, no alias collisions) and are already
//! in normalized form: sorted, deduplicated, keys in contract order (typos' `verify.rs` idea).

use std::path::PathBuf;

use frontfill::vocab::format::{header, normalize_entries, render};
use frontfill::vocab::{Source, Vocabulary, SHIPPED};

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
    for (field, name, text) in SHIPPED {
        let vocab = Vocabulary::from_sources(vec![Source {
            path: PathBuf::from(format!("dictionaries/{name}")),
            field,
            text: text.to_owned(),
            layer: 0,
        }])
        .unwrap_or_else(|e| panic!("{e}"));
        let mut entries = vocab.entries().to_vec();
        normalize_entries(&mut entries);
        let expected = render(header(text), &entries);
        if expected != text {
            let first = expected
                .lines()
                .zip(text.lines())
                .position(|(a, b)| a != b)
                .map_or(expected.lines().count().min(text.lines().count()), |i| i);
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
