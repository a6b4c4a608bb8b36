//! A post as bytes on disk: checks that it is a text file we may touch (size, NUL bytes, UTF-8),
//! then splits the front matter from the body as byte ranges into the original text. Nothing here
//! copies, re-encodes or normalizes the text: the writer splices into these exact bytes.

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Posts larger than this are refused rather than read.
pub const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

const BOM: &str = "\u{feff}";

/// The fenced YAML block at the top of a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontBlock {
    /// The opening `---` line, with its line ending.
    pub open: Range<usize>,
    /// The YAML between the fences (every line keeps its line ending).
    pub yaml: Range<usize>,
    /// The closing `---` or `...` line, with its line ending if it has one.
    pub close: Range<usize>,
    /// The 1-based file line of the first YAML line.
    pub first_line: usize,
}

/// A post split into front matter and body, as ranges into [`Document::text`].
#[derive(Debug, Clone)]
pub struct Document {
    /// Where the post came from (used in every message about it).
    pub path: PathBuf,
    /// The whole post, exactly as read.
    pub text: String,
    /// Length of the UTF-8 byte order mark, 0 or 3.
    pub bom: usize,
    /// The front matter block, if the post has one.
    pub front: Option<FrontBlock>,
    /// The Markdown body.
    pub body: Range<usize>,
    /// The line ending the post uses (`"\r\n"` or `"\n"`), for lines we add.
    pub newline: &'static str,
}

impl Document {
    /// Checks raw bytes and splits them into a document.
    ///
    /// # Errors
    /// A NUL byte, invalid UTF-8, a TOML (`+++`) or `----` fence, or an unclosed fence.
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Self> {
        if bytes.len() as u64 > MAX_FILE_SIZE {
            return Err(Error::TooLarge {
                path: path.to_path_buf(),
                size: bytes.len() as u64,
                limit: MAX_FILE_SIZE,
            });
        }
        // `contains` scans with memchr; the byte-by-byte search runs only for a binary file.
        if let Some(pos) = bytes
            .contains(&0)
            .then(|| bytes.iter().position(|&b| b == 0))
            .flatten()
        {
            return Err(Error::Binary {
                path: path.to_path_buf(),
                line: line_of(&bytes, pos),
            });
        }
        // simdutf8 checks Chinese text several times faster than the standard library, which
        // is still asked where the first bad byte is when there is one.
        let checked = if simdutf8::basic::from_utf8(&bytes).is_ok() {
            // SAFETY: simdutf8 has just validated every byte of `bytes` as UTF-8.
            Ok(unsafe { String::from_utf8_unchecked(bytes) })
        } else {
            String::from_utf8(bytes)
        };
        let text = match checked {
            Ok(text) => text,
            Err(err) => {
                let offset = err.utf8_error().valid_up_to();
                return Err(Error::NotUtf8 {
                    path: path.to_path_buf(),
                    line: line_of(err.as_bytes(), offset),
                    offset,
                });
            }
        };
        Self::from_text(path, text)
    }

    /// Splits text that is already known to be UTF-8.
    ///
    /// # Errors
    /// A TOML (`+++`) or `----` fence, or an unclosed fence.
    pub fn from_text(path: &Path, text: String) -> Result<Self> {
        let bom = if text.starts_with(BOM) { BOM.len() } else { 0 };
        let fail = |line: usize, message: &str| Error::FrontMatter {
            path: path.to_path_buf(),
            line,
            message: message.to_owned(),
        };
        let mut lines = LineIter::new(&text, bom);
        let Some(first) = lines.next() else {
            return Ok(Self::without_front(path, text, bom));
        };
        let fence = fence_content(&text[first.clone()]);
        if fence.starts_with("---\r") {
            // The whole file is one line: we would not see the front matter, and would add a
            // second block above it.
            return Err(fail(
                1,
                "front matter lines end in a bare CR (`\\r`); use LF or CRLF line endings",
            ));
        }
        if fence == "+++" {
            return Err(fail(
                1,
                "TOML front matter (`+++`) is not supported; use YAML between `---` fences",
            ));
        }
        if fence.len() >= 4 && fence.bytes().all(|b| b == b'-') {
            return Err(fail(
                1,
                "front matter must open with exactly `---`, not `----`",
            ));
        }
        if fence != "---" {
            return Ok(Self::without_front(path, text, bom));
        }
        let newline = if text[first.clone()].ends_with("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        let yaml_start = first.end;
        for (index, line) in lines.enumerate() {
            let content = fence_content(&text[line.clone()]);
            let line_number = index + 2;
            if content == "---" || content == "..." {
                let body = line.end..text.len();
                return Ok(Self {
                    path: path.to_path_buf(),
                    front: Some(FrontBlock {
                        open: first,
                        yaml: yaml_start..line.start,
                        close: line,
                        first_line: 2,
                    }),
                    body,
                    bom,
                    newline,
                    text,
                });
            }
            if content.len() >= 4 && content.bytes().all(|b| b == b'-') {
                return Err(fail(
                    line_number,
                    "front matter must close with exactly `---`, not `----`",
                ));
            }
        }
        Err(fail(1, "unclosed front matter: no closing `---` fence"))
    }

    fn without_front(path: &Path, text: String, bom: usize) -> Self {
        let newline = match text.find('\n') {
            Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
            _ => "\n",
        };
        Self {
            path: path.to_path_buf(),
            body: bom..text.len(),
            front: None,
            bom,
            newline,
            text,
        }
    }

    /// The whole post as text (a byte-order mark, if any, included).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The Markdown body.
    pub fn body(&self) -> &str {
        &self.text[self.body.clone()]
    }

    /// The YAML text between the fences, if there is front matter.
    pub fn yaml(&self) -> Option<&str> {
        self.front.as_ref().map(|f| &self.text[f.yaml.clone()])
    }

    /// The 1-based file line on which the body starts.
    pub fn body_first_line(&self) -> usize {
        1 + self.text[..self.body.start].matches('\n').count()
    }
}

/// A fence line without its line ending and trailing blanks.
fn fence_content(line: &str) -> &str {
    line.trim_end_matches(['\n', '\r', ' ', '\t'])
}

fn line_of(bytes: &[u8], offset: usize) -> usize {
    1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count()
}

/// Iterates line ranges (each with its line ending) starting at a byte offset.
struct LineIter<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> LineIter<'a> {
    fn new(text: &'a str, pos: usize) -> Self {
        Self { text, pos }
    }
}

impl Iterator for LineIter<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        let end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i + 1);
        self.pos = end;
        Some(start..end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Result<Document> {
        Document::from_text(Path::new("t.md"), text.to_owned())
    }

    #[test]
    fn splits_simple_front_matter() {
        let doc = split("---\ntitle: x\n---\nbody\n").unwrap();
        assert_eq!(doc.yaml(), Some("title: x\n"));
        assert_eq!(doc.body(), "body\n");
        assert_eq!(doc.newline, "\n");
        assert_eq!(doc.body_first_line(), 4);
    }

    #[test]
    fn keeps_bom_and_crlf() {
        let doc = split("\u{feff}---\r\ntitle: x\r\n...\r\nbody").unwrap();
        assert_eq!(doc.bom, 3);
        assert_eq!(doc.yaml(), Some("title: x\r\n"));
        assert_eq!(doc.body(), "body");
        assert_eq!(doc.newline, "\r\n");
    }

    #[test]
    fn accepts_trailing_blanks_on_fences() {
        let doc = split("--- \ntitle: x\n---\t\nbody").unwrap();
        assert_eq!(doc.yaml(), Some("title: x\n"));
    }

    #[test]
    fn closing_fence_at_end_of_file() {
        let doc = split("---\na: 1\n---").unwrap();
        assert_eq!(doc.body(), "");
    }

    #[test]
    fn no_front_matter() {
        let doc = split("# Hello\n").unwrap();
        assert!(doc.front.is_none());
        assert_eq!(doc.body(), "# Hello\n");
    }

    #[test]
    fn rejects_toml_four_dashes_and_unclosed() {
        for (text, line) in [
            ("+++\na = 1\n+++\n", 1),
            ("----\na: 1\n----\n", 1),
            ("---\na: 1\n", 1),
            ("---\na: 1\n----\nx", 3),
            ("---\ra: 1\r---\rbody\n", 1),
        ] {
            match split(text) {
                Err(Error::FrontMatter { line: l, .. }) => assert_eq!(l, line, "{text:?}"),
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn rejects_nul_and_invalid_utf8_with_line() {
        let err = Document::from_bytes(Path::new("b.md"), b"a\nb\0".to_vec()).unwrap_err();
        assert!(matches!(err, Error::Binary { line: 2, .. }));
        let err = Document::from_bytes(Path::new("b.md"), b"a\n\nc\xff".to_vec()).unwrap_err();
        assert!(matches!(
            err,
            Error::NotUtf8 {
                line: 3,
                offset: 4,
                ..
            }
        ));
    }

    proptest::proptest! {
        /// The fast UTF-8 check accepts and rejects what the standard library does, and a
        /// rejected file names the same first bad byte.
        #[test]
        fn utf8_check_agrees_with_std(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(vec![0xe4u8, 0xb8, 0xad, 0xf0, 0x9f, 0xc3, 0xa9, 0xff, 0x80]),
                    proptest::sample::select(b"a-\n".to_vec()),
                ],
                0..80,
            )
        ) {
            let text = format!("---\na: 1\n---\n{}", "中文 text ".repeat(8));
            let mut input = text.into_bytes();
            input.extend_from_slice(&bytes);
            let expected = String::from_utf8(input.clone()).map_err(|e| e.utf8_error().valid_up_to());
            match (Document::from_bytes(Path::new("p.md"), input), expected) {
                (Ok(_), Ok(_)) => {}
                (Err(Error::NotUtf8 { offset, .. }), Err(valid)) => proptest::prop_assert_eq!(offset, valid),
                (got, want) => proptest::prop_assert!(false, "{got:?} vs {want:?}"),
            }
        }
    }
}
