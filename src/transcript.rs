//! Turns a caption file (`.txt`, `.srt` or `.vtt`, English or Chinese) into the text of a draft
//! post: cue numbers, timestamps, WebVTT headers and NOTE/STYLE blocks, inline tags, `>>`
//! speaker marks and the repeated lines of rolling captions go; the caption lines are joined into
//! paragraphs (a new one on a long pause or a change of speaker). Pure: text in, text out.

use std::path::Path;

use crate::app::Options;
use crate::field::Field;
use crate::write::yaml_scalar;

/// A pause this long (in seconds) between two captions starts a new paragraph.
const PARAGRAPH_PAUSE: f64 = 2.0;
/// A paragraph this long (in Han characters, or Latin words times three) ends at its next
/// sentence end; twice this long, at its next caption, so unpunctuated captions break too.
const PARAGRAPH_LENGTH: usize = 300;

/// The kinds of transcript frontfill reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text, one caption or sentence a line; blank lines separate paragraphs.
    Text,
    /// SubRip: numbered cues with `00:00:01,000 --> 00:00:02,000` timings.
    Srt,
    /// WebVTT: a `WEBVTT` header, then cues with `00:00:01.000 --> 00:00:02.000` timings.
    Vtt,
}

impl Format {
    /// The format a file name's extension says, if it is a transcript.
    pub fn of_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" => Some(Format::Text),
            "srt" => Some(Format::Srt),
            "vtt" => Some(Format::Vtt),
            _ => None,
        }
    }
}

/// Whether a file name has a transcript extension (`.txt`, `.srt`, `.vtt`).
pub fn is_transcript(path: &Path) -> bool {
    Format::of_path(path).is_some()
}

/// The post's name for a transcript: the file stem without a trailing language code
/// (`talk.en.vtt` and `talk.zh-Hans.srt` are both `talk`).
pub fn post_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match stem.rsplit_once('.') {
        Some((name, code)) if !name.is_empty() && is_language_code(code) => name.to_owned(),
        _ => stem,
    }
}

fn is_language_code(code: &str) -> bool {
    let mut parts = code.split(['-', '_']);
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (2..=4).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// One caption line after cleaning, with what the timing and marks say about it.
#[derive(Debug, Clone)]
struct Line {
    text: String,
    /// Start of its cue in seconds, when timed.
    start: Option<f64>,
    /// End of its cue in seconds, when timed.
    end: Option<f64>,
    /// A `>>` mark, a `<v Speaker>` tag or a dialogue dash opened it.
    new_speaker: bool,
    /// A blank line in a plain-text transcript came before it.
    new_paragraph: bool,
}

/// The paragraphs of a transcript, each one line of text.
pub fn transcript_paragraphs(text: &str, format: Format) -> Vec<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines = match format {
        Format::Text => text_lines(&text),
        Format::Srt | Format::Vtt => cue_lines(&text, format),
    };
    paragraphs(&dedup_rolling(lines))
}

fn text_lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut blank = false;
    for raw in text.lines() {
        let raw = strip_timestamp(raw.trim());
        let (text, new_speaker) = clean_caption(raw, false);
        if text.is_empty() {
            blank |= raw.trim().is_empty();
            continue;
        }
        lines.push(Line {
            text,
            start: None,
            end: None,
            new_speaker,
            new_paragraph: std::mem::take(&mut blank),
        });
    }
    lines
}

/// Drops a leading `[00:01:02]`, `(01:02)` or bare `00:01:02.500` from a plain-text line.
fn strip_timestamp(line: &str) -> &str {
    let inner = line
        .strip_prefix(['[', '('])
        .and_then(|rest| rest.split_once([']', ')']))
        .filter(|(stamp, _)| parse_time(stamp).is_some());
    if let Some((_, rest)) = inner {
        return rest.trim_start_matches([' ', '-', '\t']);
    }
    let end = line.find(char::is_whitespace).unwrap_or(line.len());
    if parse_time(&line[..end]).is_some() {
        return line[end..].trim_start_matches([' ', '-', '\t']);
    }
    line
}

fn cue_lines(text: &str, format: Format) -> Vec<Line> {
    let mut lines = Vec::new();
    for block in text.split("\n\n").map(str::trim).filter(|b| !b.is_empty()) {
        let first = block.lines().next().unwrap_or("");
        if format == Format::Vtt
            && ["WEBVTT", "NOTE", "STYLE", "REGION"].iter().any(|w| {
                first == *w
                    || first.starts_with(&format!("{w} "))
                    || first.starts_with(&format!("{w}\t"))
            })
        {
            continue;
        }
        // The cue number or identifier sits above the timing line and is dropped with it.
        let mut block_lines = block.lines().skip_while(|l| !l.contains("-->"));
        let Some(timing) = block_lines.next() else {
            continue;
        };
        let (start, end) = parse_timing(timing);
        for raw in block_lines {
            let (text, new_speaker) = clean_caption(raw, true);
            if text.is_empty() {
                continue;
            }
            lines.push(Line {
                text,
                start,
                end,
                new_speaker,
                new_paragraph: false,
            });
        }
    }
    lines
}

/// `00:00:01,000 --> 00:00:04,000 align:start` to (1.0, 4.0).
fn parse_timing(line: &str) -> (Option<f64>, Option<f64>) {
    let Some((from, to)) = line.split_once("-->") else {
        return (None, None);
    };
    let to = to.split_whitespace().next().unwrap_or("");
    (parse_time(from.trim()), parse_time(to))
}

/// `HH:MM:SS.mmm`, `MM:SS`, with `,` or `.` before the fraction, to seconds.
fn parse_time(stamp: &str) -> Option<f64> {
    let stamp = stamp.trim();
    let parts: Vec<&str> = stamp.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let mut seconds = 0.0;
    for (i, part) in parts.iter().enumerate() {
        let last = i == parts.len() - 1;
        let part = if last {
            part.replace(',', ".")
        } else {
            (*part).to_owned()
        };
        let digits_ok = !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_digit() || (last && c == '.'))
            && part.chars().next().is_some_and(|c| c.is_ascii_digit());
        if !digits_ok {
            return None;
        }
        seconds = seconds * 60.0 + part.parse::<f64>().ok()?;
    }
    Some(seconds)
}

/// Strips tags, entities and speaker marks from one caption line; tells whether a mark said the
/// speaker changed. `cues` also reads a leading dialogue dash as a change of speaker.
fn clean_caption(raw: &str, cues: bool) -> (String, bool) {
    let mut new_speaker = false;
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find(['<', '{']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let close = if tail.starts_with('<') { '>' } else { '}' };
        let opens_tag = tail[1..].chars().next().is_some_and(|c| {
            if close == '>' {
                c.is_ascii_alphanumeric() || c == '/'
            } else {
                c == '\\'
            }
        });
        match tail.find(close).filter(|_| opens_tag) {
            Some(end) => {
                // `<v Speaker>` names who speaks: a new voice is a new paragraph.
                if tail.starts_with("<v ") || tail.starts_with("<v.") {
                    new_speaker = true;
                }
                rest = &tail[end + 1..];
            }
            None => {
                out.push_str(&tail[..1]);
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    let decoded = decode_entities(&out);
    let mut text = decoded.split_whitespace().collect::<Vec<_>>().join(" ");
    loop {
        let trimmed = text.trim_start();
        if let Some(after) = trimmed.strip_prefix(">>") {
            new_speaker = true;
            text = after.trim_start_matches('>').trim_start().to_owned();
        } else if cues && (trimmed.starts_with("- ") || trimmed.starts_with("– ")) {
            new_speaker = true;
            text = trimmed
                .split_once(' ')
                .map_or("", |(_, r)| r)
                .trim_start()
                .to_owned();
        } else {
            break;
        }
    }
    if is_sound_label(&text) {
        text.clear();
    }
    (text, new_speaker)
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&lrm;", "")
        .replace("&rlm;", "")
        .replace("&amp;", "&")
}

/// `[Music]`, `(applause)`, `[音乐]`: a caption of a sound, not of speech.
fn is_sound_label(text: &str) -> bool {
    let pairs = [('[', ']'), ('(', ')'), ('（', '）'), ('【', '】')];
    pairs.iter().any(|(open, close)| {
        text.starts_with(*open)
            && text.ends_with(*close)
            && text.chars().count() <= 24
            && text.chars().filter(|c| c == open).count() == 1
    })
}

/// Rolling captions repeat each line in the next cue (and grow a line word by word); keep each
/// line once, in its longest form.
fn dedup_rolling(lines: Vec<Line>) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    for line in lines {
        let recent = out.len().saturating_sub(2);
        if let Some(seen) = out[recent..].iter_mut().rev().find(|l| l.text == line.text) {
            seen.end = line.end.or(seen.end);
            continue;
        }
        if let Some(last) = out.last_mut() {
            if line.start.is_some() && !line.new_speaker && line.text.starts_with(&last.text) {
                last.text = line.text;
                last.end = line.end.or(last.end);
                continue;
            }
            if line.start.is_some() && last.text.starts_with(&line.text) {
                continue;
            }
        }
        out.push(line);
    }
    out
}

fn paragraphs(lines: &[Line]) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    let mut previous: Option<&Line> = None;
    for line in lines {
        let pause = match (previous.and_then(|p| p.end), line.start) {
            (Some(end), Some(start)) => start - end >= PARAGRAPH_PAUSE,
            _ => false,
        };
        let long = length(&current);
        let sentence_end = current.ends_with(['。', '！', '？', '.', '!', '?', '…', '"', '”']);
        let too_long = (long >= PARAGRAPH_LENGTH && sentence_end) || long >= 2 * PARAGRAPH_LENGTH;
        if !current.is_empty() && (line.new_speaker || line.new_paragraph || pause || too_long) {
            paragraphs.push(std::mem::take(&mut current));
        }
        join_into(&mut current, &line.text);
        previous = Some(line);
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    paragraphs
}

/// Paragraph length: Han characters, plus three per Latin word (a word carries about as much as
/// three characters).
fn length(text: &str) -> usize {
    let han = text.chars().filter(|c| is_cjk(*c)).count();
    let words = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .count();
    han + 3 * words
}

/// Chinese text joins without a space; English, and a mix at the seam, with one.
fn join_into(paragraph: &mut String, line: &str) {
    let seam_is_cjk = paragraph.chars().next_back().is_some_and(is_cjk)
        || line.chars().next().is_some_and(is_cjk);
    if !paragraph.is_empty() && !seam_is_cjk {
        paragraph.push(' ');
    }
    paragraph.push_str(line);
}

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303f}' // CJK punctuation
        | '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}'
        | '\u{f900}'..='\u{faff}'
        | '\u{ff00}'..='\u{ffef}' // full-width forms
        | '\u{20000}'..='\u{2fa1f}')
}

/// What goes above the transcript in a new post.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// The post's title.
    pub title: String,
    /// The video's URL, when known.
    pub source: Option<String>,
    /// The date, when known.
    pub date: Option<String>,
}

/// The new post: front matter in the canonical layout (`title`, `source` and `date` when given,
/// `draft: true`, the run's fields empty, each under this repo's key and in its order), then the
/// paragraphs. Filling the fields is left to the engine, so import fills exactly as `fill` does.
pub fn render_post(draft: &Draft, paragraphs: &[String], options: &Options) -> String {
    let mut entries: Vec<(String, String)> = Vec::new();
    if let Some(date) = &draft.date {
        entries.push(("date".to_owned(), yaml_scalar(date)));
    }
    if let Some(source) = &draft.source {
        entries.push(("source".to_owned(), yaml_scalar(source)));
    }
    entries.push(("title".to_owned(), yaml_scalar(&draft.title)));
    entries.push(("draft".to_owned(), "true".to_owned()));
    let mut fields: Vec<Field> = options
        .policy
        .managed
        .clone()
        .unwrap_or_else(|| Field::MANAGED.to_vec());
    if options.policy.summary_en && !fields.contains(&Field::SummaryEn) {
        fields.push(Field::SummaryEn);
    }
    for field in fields {
        let empty = if field.is_list() { "[]" } else { "''" };
        entries.push((options.key(field), empty.to_owned()));
    }
    let order = |key: &str| {
        options
            .key_order
            .iter()
            .position(|k| k == key)
            .unwrap_or(options.key_order.len())
    };
    entries.sort_by_key(|(key, _)| order(key));
    let mut post = String::from("---\n");
    for (key, value) in entries {
        post.push_str(&format!("{key}: {value}\n"));
    }
    post.push_str("---\n");
    for (i, paragraph) in paragraphs.iter().enumerate() {
        if i > 0 {
            post.push('\n');
        }
        post.push_str(&escape_markdown(paragraph));
        post.push('\n');
    }
    post
}

/// A caption that happens to start like Markdown syntax (`# `, `> `, `- `, `1. `) stays text.
fn escape_markdown(paragraph: &str) -> String {
    let starts_block = paragraph.starts_with(['#', '>', '-', '*', '+', '='])
        || paragraph.split_once(['.', ')']).is_some_and(|(n, _)| {
            !n.is_empty() && n.len() <= 9 && n.chars().all(|c| c.is_ascii_digit())
        });
    if starts_block {
        format!("\\{paragraph}")
    } else {
        paragraph.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srt_cues_become_one_paragraph_until_a_pause() {
        let srt = "1\n00:00:01,000 --> 00:00:02,000\n大家好，\n\n2\n00:00:02,100 --> 00:00:03,000\n<i>欢迎</i>回来。\n\n3\n00:00:09,000 --> 00:00:10,000\n今天聊聊AI。\n";
        assert_eq!(
            transcript_paragraphs(srt, Format::Srt),
            vec!["大家好，欢迎回来。", "今天聊聊AI。"]
        );
    }

    #[test]
    fn rolling_vtt_lines_are_kept_once() {
        let vtt = "WEBVTT\nKind: captions\nLanguage: en\n\nNOTE made by hand\n\n00:00:00.000 --> 00:00:02.000 align:start position:0%\nso<00:00:00.500><c> today</c>\n\n00:00:02.000 --> 00:00:02.010\nso today\n\n00:00:02.010 --> 00:00:04.000\nso today\nwe talk about chips\n\n00:00:04.000 --> 00:00:06.000\nwe talk about chips\n&gt;&gt; and I disagree\n";
        assert_eq!(
            transcript_paragraphs(vtt, Format::Vtt),
            vec!["so today we talk about chips", "and I disagree"]
        );
    }

    #[test]
    fn text_keeps_blank_line_paragraphs_and_drops_timestamps() {
        let text =
            "[00:01] Hello there.\n00:02 This is a test.\n\n(00:00:05) [Music]\nSecond part.\n";
        assert_eq!(
            transcript_paragraphs(text, Format::Text),
            vec!["Hello there. This is a test.", "Second part."]
        );
    }

    #[test]
    fn names_drop_language_codes() {
        assert_eq!(post_name(Path::new("a/talk.en.vtt")), "talk");
        assert_eq!(post_name(Path::new("talk.zh-Hans.srt")), "talk");
        assert_eq!(post_name(Path::new("v1.2 notes.txt")), "v1.2 notes");
        assert_eq!(post_name(Path::new("访谈.txt")), "访谈");
    }

    #[test]
    fn a_post_has_the_canonical_layout() {
        let draft = Draft {
            title: "yes".to_owned(),
            source: Some("https://example.com/v".to_owned()),
            date: Some("2025-01-02".to_owned()),
        };
        let post = render_post(
            &draft,
            &["# one".to_owned(), "two".to_owned()],
            &Options::default(),
        );
        assert_eq!(
            post,
            "---\ndate: '2025-01-02'\nsource: https://example.com/v\ntags: []\ntitle: 'yes'\nsummary: ''\ndraft: true\ncategory: ''\narea: ''\npeople: []\ncompanies_orgs: []\nproducts_models: []\nmedia_books: []\n---\n\\# one\n\ntwo\n"
        );
    }
}
