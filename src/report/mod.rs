//! Renders the outcome of a run: per-post lines and the closing summary for people
//! ([`human`]), JSON Lines for editors and scripts ([`json`]), and unified diffs. It returns text;
//! the binary decides where it goes.

pub mod human;
pub mod json;

use std::path::Path;

use similar::TextDiff;

/// A unified diff of a post before and after filling, with `a/` and `b/` headers.
pub fn unified_diff(path: &Path, old: &str, new: &str) -> String {
    // `a//tmp/post.md` would confuse patch tools; keep one slash after the a/ and b/ prefixes.
    let display = path.display().to_string();
    let name = display.trim_start_matches('/');
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}
