//! Front matter splitting and parsing on arbitrary bytes: never panics, and every range it hands
//! the writer lies inside the text, on character boundaries, in order.

#![no_main]

use std::path::Path;

use frontfill::document::Document;
use frontfill::front_matter::FrontMatter;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = Document::from_bytes(Path::new("fuzz.md"), data.to_vec()) else {
        return;
    };
    assert_eq!(doc.text.as_bytes(), data, "the text is the bytes as read");
    assert_eq!(doc.body.end, doc.text.len());
    let _ = doc.body();
    match &doc.front {
        Some(front) => {
            assert_eq!(front.open.start, doc.bom);
            assert_eq!(front.open.end, front.yaml.start);
            assert_eq!(front.yaml.end, front.close.start);
            assert_eq!(front.close.end, doc.body.start);
            let _ = &doc.text[front.yaml.clone()];
        }
        None => assert_eq!(doc.body.start, doc.bom),
    }
    let Ok(fm) = FrontMatter::parse(&doc) else {
        return;
    };
    let mut last = 0;
    for entry in &fm.entries {
        let yaml = doc.front.as_ref().expect("entries come from front matter").yaml.clone();
        assert!(yaml.start <= entry.span.start && entry.span.end <= yaml.end);
        assert!(last <= entry.span.start, "entries overlap");
        assert!(entry.span.start < entry.key_end && entry.key_end <= entry.span.end);
        let _ = &doc.text[entry.span.clone()];
        let _ = &doc.text[entry.span.start..entry.key_end];
        last = entry.span.end;
    }
    if fm.layout_known {
        assert_eq!(fm.entries.len(), fm.values.len());
    }
});
