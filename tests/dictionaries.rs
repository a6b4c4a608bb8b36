//! The shipped dictionaries load cleanly (no unknown keys, no alias collisions) and are already
//! in normalized form: sorted, deduplicated, keys in contract order (typos' `verify.rs` idea).

use std::path::{Path, PathBuf};

use frontfill::vocab::format::{parse, render};
use frontfill::vocab::{Vocabulary, SHIPPED};

#[test]
fn shipped_dictionaries_load() {
    // The run loads the build's precompiled table, which skips the loader's checks (alias
    // collisions included); they run here on the YAML itself.
    Vocabulary::load_layers_from_yaml(true, &[]).expect("shipped dictionaries are valid");
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

#[test]
fn shipped_tags_and_taxonomy_load_and_are_normalized() {
    use frontfill::topic::learn::{render_tags, render_taxonomy};
    use frontfill::topic::{
        parse_tags, parse_taxonomy, TopicModel, SHIPPED_TAGS, SHIPPED_TAXONOMY,
    };

    TopicModel::shipped().expect("shipped tags.yaml and taxonomy.yaml are valid");
    let tags = parse_tags(Path::new("dictionaries/tags.yaml"), SHIPPED_TAGS).unwrap();
    let taxonomy =
        parse_taxonomy(Path::new("dictionaries/taxonomy.yaml"), SHIPPED_TAXONOMY).unwrap();
    assert!(tags.len() > 100, "tags.yaml has {} tags", tags.len());
    assert!(
        tags.windows(2).all(|w| w[0].name < w[1].name),
        "tags.yaml is sorted by name without duplicates"
    );
    for (kind, names) in [
        (
            "areas",
            taxonomy.areas.iter().map(|a| &a.name).collect::<Vec<_>>(),
        ),
        (
            "categories",
            taxonomy.categories.iter().map(|c| &c.name).collect(),
        ),
    ] {
        assert!(
            names.windows(2).all(|w| w[0] < w[1]),
            "taxonomy.yaml {kind} are sorted by name without duplicates"
        );
    }
    assert!(
        render_tags(&tags) == SHIPPED_TAGS,
        "dictionaries/tags.yaml is not in normalized form (rewrite it with render_tags)"
    );
    assert!(
        render_taxonomy(&taxonomy) == SHIPPED_TAXONOMY,
        "dictionaries/taxonomy.yaml is not in normalized form (rewrite it with render_taxonomy)"
    );
}
