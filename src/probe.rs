//! Inputs for the tests that prove a fast path equal to the plain one it replaced: every string
//! over a small alphabet of the characters that matter to it.

/// Every string of at most `max_len` characters drawn from `alphabet`, the empty one first,
/// shorter before longer.
pub(crate) fn every_string(alphabet: &str, max_len: usize) -> Vec<String> {
    let alphabet: Vec<char> = alphabet.chars().collect();
    let mut texts = vec![String::new()];
    let mut last = texts.clone();
    for _ in 0..max_len {
        last = last
            .iter()
            .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
            .collect();
        texts.extend(last.iter().cloned());
    }
    texts
}
