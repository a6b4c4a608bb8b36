//! The normalized text form of a dictionary file: the leading `#` comment block, then entries
//! sorted by name (lowercase, then bytes), aliases sorted and deduplicated, keys in contract
//! order, flow lists. `tests/dictionaries.rs` checks that shipped files are already in it.

use std::cmp::Ordering;

use super::Entry;
use crate::write::yaml_scalar;

/// Orders names and aliases: Unicode lowercase first, then the bytes, so `apple` and `Apple`
/// sit together in a fixed order.
pub fn compare_names(a: &str, b: &str) -> Ordering {
    a.to_lowercase()
        .cmp(&b.to_lowercase())
        .then_with(|| a.cmp(b))
}

/// Puts entries into normalized order: sorted by name, alias lists sorted and deduplicated, the
/// name not repeated among the aliases.
pub fn normalize_entries(entries: &mut [Entry]) {
    for entry in entries.iter_mut() {
        let name = entry.name.clone();
        entry.aliases.retain(|a| *a != name);
        sort_dedup(&mut entry.aliases);
        sort_dedup(&mut entry.ambiguous);
    }
    entries.sort_by(|a, b| compare_names(&a.name, &b.name));
}

fn sort_dedup(items: &mut Vec<String>) {
    items.sort_by(|a, b| compare_names(a, b));
    items.dedup();
}

/// The leading comment block of a dictionary text (every line up to the first that is not a
/// `#` comment), line endings included.
pub fn header(text: &str) -> &str {
    let mut end = 0;
    for line in text.split_inclusive('\n') {
        if !line.starts_with('#') {
            break;
        }
        end += line.len();
    }
    &text[..end]
}

/// Renders entries after a header, in the order given (call [`normalize_entries`] first).
pub fn render(header: &str, entries: &[Entry]) -> String {
    let mut out = String::with_capacity(header.len() + entries.len() * 64);
    out.push_str(header);
    if !header.is_empty() && !header.ends_with('\n') {
        out.push('\n');
    }
    for entry in entries {
        out.push_str("- name: ");
        out.push_str(&yaml_scalar(&entry.name));
        out.push('\n');
        if !entry.aliases.is_empty() {
            out.push_str("  aliases: ");
            push_flow_list(&mut out, &entry.aliases);
        }
        if !entry.ambiguous.is_empty() {
            out.push_str("  ambiguous: ");
            push_flow_list(&mut out, &entry.ambiguous);
        }
        if let Some(prior) = entry.prior {
            out.push_str(&format!("  prior: {}\n", format_prior(prior)));
        }
        if let Some(count) = entry.count {
            out.push_str(&format!("  count: {count}\n"));
        }
        if entry.case_sensitive {
            out.push_str("  case_sensitive: true\n");
        }
        if let Some(note) = &entry.note {
            out.push_str("  note: ");
            out.push_str(&yaml_scalar(note));
            out.push('\n');
        }
    }
    out
}

/// A prior with two decimals (`0.62`, `0.50`, `1.00`): finer steps mean nothing on a few
/// hundred posts and would churn diffs.
pub fn format_prior(prior: f64) -> String {
    format!("{prior:.2}")
}

fn push_flow_list(out: &mut String, items: &[String]) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&flow_scalar(item));
    }
    out.push_str("]\n");
}

/// A scalar inside `[…]`: like a block scalar, but `,`, brackets and braces end a plain item.
fn flow_scalar(item: &str) -> String {
    let plain = yaml_scalar(item);
    if plain == item && item.contains([',', '[', ']', '{', '}']) {
        format!("'{}'", item.replace('\'', "''"))
    } else {
        plain
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::field::Field;
    use crate::vocab::load::Source;
    use crate::vocab::Vocabulary;

    fn entries(text: &str) -> Vec<Entry> {
        Vocabulary::from_sources(vec![Source {
            path: PathBuf::from("t.yaml"),
            field: Field::MediaBooks,
            text: text.to_owned(),
            layer: 0,
        }])
        .unwrap()
        .entries()
        .to_vec()
    }

    #[test]
    fn renders_the_normalized_form() {
        let text = "# media\n- name: the Daily\n  note: 'podcast: NYT'\n- name: 2001, A Space Odyssey\n  aliases: [太空漫游, '2001', Odyssey, 太空漫游]\n  prior: 0.625\n  count: 3\n";
        let mut list = entries(text);
        normalize_entries(&mut list);
        assert_eq!(
            render(header(text), &list),
            "# media\n- name: '2001, A Space Odyssey'\n  aliases: ['2001', Odyssey, 太空漫游]\n  prior: 0.62\n  count: 3\n- name: the Daily\n  note: 'podcast: NYT'\n"
        );
    }

    #[test]
    fn rendering_reads_back_the_same() {
        let text = "# x\n- name: Alpha\n  aliases: ['a, b', '[c]', \"it's\"]\n  ambiguous: [Alpha]\n  case_sensitive: true\n";
        let list = entries(text);
        let again = entries(&render(header(text), &list));
        assert_eq!(list.len(), again.len());
        assert_eq!(list[0].aliases, again[0].aliases);
        assert!(again[0].case_sensitive);
    }
}
