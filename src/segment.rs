//! Splits text into word tokens: runs holding Han characters go through jieba-rs (the only module
//! that knows it), everything else through Unicode word boundaries. The jieba table is built on
//! first use, so a run that segments nothing never pays for it.

use std::ops::Range;
use std::sync::OnceLock;

use jieba_rs::Jieba;
use unicode_segmentation::UnicodeSegmentation;

/// What a token is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Holds at least one Han character.
    Han,
    /// Latin (or other alphabetic) word.
    Latin,
    /// Digits only.
    Number,
}

/// A word in a text, with its byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    /// The word as it appears.
    pub text: &'a str,
    /// Byte range in the segmented text.
    pub span: Range<usize>,
    /// Script class.
    pub kind: TokenKind,
}

/// A shared, lazily built segmenter with the vocabulary's words added to jieba's dictionary.
pub struct Segmenter {
    jieba: OnceLock<Jieba>,
    user_words: Vec<String>,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segmenter")
            .field("user_words", &self.user_words.len())
            .field("built", &self.jieba.get().is_some())
            .finish()
    }
}

impl Default for Segmenter {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

impl Segmenter {
    /// A segmenter that will know these extra words (names with Han characters) as single tokens.
    pub fn new(user_words: Vec<String>) -> Self {
        Self {
            jieba: OnceLock::new(),
            user_words,
        }
    }

    fn jieba(&self) -> &Jieba {
        self.jieba.get_or_init(|| {
            let mut jieba = Jieba::new();
            for word in &self.user_words {
                jieba.add_word(word, None, None);
            }
            jieba
        })
    }

    /// Builds the jieba table now (for example on a background thread during start-up).
    pub fn prepare(&self) {
        self.jieba();
    }

    /// Whether jieba reads the whole text as one person's name (part-of-speech `nr`, from its
    /// dictionary or its HMM guess for unknown words), such as `陶哲轩`.
    pub fn is_person_name(&self, text: &str) -> bool {
        let tags = self.jieba().tag(text, true);
        matches!(tags.as_slice(), [only] if only.tag == "nr" && only.word == text)
    }

    /// Splits text into word tokens; punctuation and spaces are dropped.
    pub fn segment<'a>(&self, text: &'a str) -> Vec<Token<'a>> {
        let mut tokens = Vec::with_capacity(text.len() / 3);
        for (run, has_han) in script_runs(text) {
            let slice = &text[run.clone()];
            if has_han {
                for t in self.jieba().cut(slice, true) {
                    push_token(
                        &mut tokens,
                        text,
                        run.start + t.byte_start..run.start + t.byte_end,
                    );
                }
            } else {
                for (offset, word) in slice.split_word_bound_indices() {
                    let start = run.start + offset;
                    push_token(&mut tokens, text, start..start + word.len());
                }
            }
        }
        tokens
    }
}

fn push_token<'a>(tokens: &mut Vec<Token<'a>>, text: &'a str, span: Range<usize>) {
    let word = &text[span.clone()];
    let kind = if word.chars().any(is_han) {
        TokenKind::Han
    } else if word.chars().all(|c| c.is_ascii_digit()) {
        TokenKind::Number
    } else if word.chars().any(char::is_alphanumeric) {
        TokenKind::Latin
    } else {
        return;
    };
    tokens.push(Token {
        text: word,
        span,
        kind,
    });
}

/// Whether a character is a Han ideograph.
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{2ebef}' | '〇')
}

/// Cuts text into runs for the two segmenters. A Han run also takes the letters and digits glued
/// to it without a space (`用ChatGPT写`), so jieba can see mixed words such as `B站`.
fn script_runs(text: &str) -> Vec<(Range<usize>, bool)> {
    let mut runs: Vec<(Range<usize>, bool)> = Vec::new();
    let mut start = 0;
    let mut in_word = false;
    let mut has_han = false;
    let flush = |runs: &mut Vec<(Range<usize>, bool)>, range: Range<usize>, han: bool| {
        if range.is_empty() {
            return;
        }
        match runs.last_mut() {
            Some((last, false)) if !han && last.end == range.start => last.end = range.end,
            _ => runs.push((range, han)),
        }
    };
    for (i, c) in text.char_indices() {
        let glued =
            is_han(c) || c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '+' | '#' | '&');
        if glued {
            if !in_word {
                flush(&mut runs, start..i, false);
                start = i;
                in_word = true;
                has_han = false;
            }
            has_han |= is_han(c);
        } else if in_word {
            flush(&mut runs, start..i, has_han);
            start = i;
            in_word = false;
        }
    }
    flush(&mut runs, start..text.len(), in_word && has_han);
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(seg: &Segmenter, text: &str) -> Vec<String> {
        seg.segment(text)
            .into_iter()
            .map(|t| t.text.to_owned())
            .collect()
    }

    #[test]
    fn segments_mixed_text() {
        let seg = Segmenter::default();
        let got = words(&seg, "我们用ChatGPT写代码, machine learning is fun.");
        assert!(got.contains(&"ChatGPT".to_owned()), "{got:?}");
        assert!(got.contains(&"代码".to_owned()), "{got:?}");
        assert!(got.contains(&"machine".to_owned()), "{got:?}");
        assert!(!got.iter().any(|w| w == "," || w == " "), "{got:?}");
    }

    #[test]
    fn user_words_become_single_tokens() {
        let seg = Segmenter::new(vec!["黄仁勋".to_owned()]);
        assert!(words(&seg, "今天黄仁勋发布了新芯片").contains(&"黄仁勋".to_owned()));
    }

    #[test]
    fn tags_person_names() {
        let seg = Segmenter::default();
        assert!(seg.is_person_name("陶哲轩"));
        assert!(!seg.is_person_name("人工智能"));
        assert!(!seg.is_person_name("陶哲轩和毛泽东"));
    }

    #[test]
    fn spans_point_into_the_text() {
        let seg = Segmenter::default();
        let text = "他说：Hello world，很好";
        for t in seg.segment(text) {
            assert_eq!(&text[t.span.clone()], t.text);
        }
    }
}
