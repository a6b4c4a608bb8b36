//! Turns a Markdown body into plain-text blocks tagged with their zone (title, heading, paragraph,
//! English original inside `<details>`), with the `**bold**` spans and a `**Name**:` speaker label
//! marked. Code, HTML markup, images and URLs are dropped. The only module that knows pulldown-cmark.

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
use serde::Serialize;

/// Where in a post a piece of text sits; zones weigh differently in scoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    /// The `title` in the front matter.
    Title,
    /// A Markdown heading.
    Heading,
    /// Body text: paragraphs, list items, table cells, quotes.
    Paragraph,
    /// An English original inside `<details>`.
    English,
}

/// A block of plain text from the post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextBlock {
    /// The block's zone.
    pub zone: Zone,
    /// The text with Markdown markup removed.
    pub text: String,
    /// The 1-based file line where the block starts.
    pub line: usize,
    /// Byte ranges in `text` that were `**bold**`.
    pub bold: Vec<Range<usize>>,
    /// The byte range in `text` of a leading `**Name**:` speaker label (name only).
    pub speaker: Option<Range<usize>>,
}

impl TextBlock {
    /// The text after the speaker label and its colon, or the whole text.
    pub fn content(&self) -> &str {
        match &self.speaker {
            Some(label) => {
                let rest = &self.text[label.end..];
                rest.trim_start_matches(['*', ' '])
                    .trim_start_matches([':', '：'])
                    .trim_start()
            }
            None => &self.text,
        }
    }
}

/// Extracts the text blocks of a body. `first_line` is the file line on which the body starts.
pub fn extract_blocks(body: &str, first_line: usize) -> Vec<TextBlock> {
    let mut lines = LineCursor::new(body, first_line);
    let mut line_at = |offset: usize| lines.line_at(offset);

    let mut out = Vec::new();
    let mut current: Option<TextBlock> = None;
    let strong = StrongRuns::scan(body);
    let http = http_starts(body);
    let source = Source { body, http: &http };
    let mut cuts = CutCursor::default();
    // The run that the last bold span came from, to join a run split over events.
    let mut last_run: Option<usize> = None;
    let mut skip = 0usize;
    let mut in_heading = false;
    let mut details = 0usize;
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        let zone = if in_heading {
            Zone::Heading
        } else if details > 0 {
            Zone::English
        } else {
            Zone::Paragraph
        };
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::Image { .. } | Tag::MetadataBlock(_)) => {
                skip += 1;
            }
            Event::End(TagEnd::CodeBlock | TagEnd::Image | TagEnd::MetadataBlock(_)) => {
                skip = skip.saturating_sub(1);
            }
            Event::Start(Tag::Link {
                link_type: LinkType::Autolink | LinkType::Email,
                ..
            }) => skip += 1,
            Event::End(TagEnd::Link) if skip > 0 => skip -= 1,
            Event::Start(Tag::Heading { .. }) => {
                flush(&mut current, &mut out);
                in_heading = true;
                current = Some(new_block(Zone::Heading, line_at(range.start)));
                reserve_source(&mut current, &range);
            }
            Event::End(TagEnd::Heading(_)) => {
                flush(&mut current, &mut out);
                in_heading = false;
            }
            Event::Start(
                tag @ (Tag::Paragraph | Tag::Item | Tag::TableCell | Tag::BlockQuote(_)),
            ) => {
                flush(&mut current, &mut out);
                current = Some(new_block(zone, line_at(range.start)));
                if matches!(tag, Tag::Paragraph | Tag::TableCell) {
                    reserve_source(&mut current, &range);
                }
            }
            Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell | TagEnd::BlockQuote(_),
            ) => {
                flush(&mut current, &mut out);
            }
            Event::Text(text) if skip == 0 => {
                let block = current.get_or_insert_with(|| new_block(zone, line_at(range.start)));
                if is_source(body, &range, &text) {
                    push_source_text(block, source, range, &strong, &mut cuts, &mut last_run);
                } else {
                    push_decoded_text(block, &text, range, &strong, &mut last_run);
                }
            }
            Event::SoftBreak | Event::HardBreak if skip == 0 => {
                if let Some(block) = current.as_mut() {
                    block.text.push(' ');
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                for piece in scan_html(&html, &mut details) {
                    let block = current
                        .get_or_insert_with(|| new_block(Zone::English, line_at(range.start)));
                    if block.zone == Zone::English {
                        push_text(&mut block.text, &piece);
                        block.text.push(' ');
                    }
                }
                if details == 0 && current.as_ref().is_some_and(|b| b.zone == Zone::English) {
                    flush(&mut current, &mut out);
                }
            }
            _ => {}
        }
    }
    flush(&mut current, &mut out);
    out
}

/// The file line of body offsets asked in (mostly) increasing order: newlines are counted from
/// the last offset asked, so the body is read once rather than indexed by line.
struct LineCursor<'b> {
    body: &'b [u8],
    /// The last offset asked, and its line.
    at: usize,
    line: usize,
    first_line: usize,
}

impl<'b> LineCursor<'b> {
    fn new(body: &'b str, first_line: usize) -> Self {
        Self {
            body: body.as_bytes(),
            at: 0,
            line: first_line,
            first_line,
        }
    }

    /// The file line of body offset `offset`: `first_line` plus the newlines before it.
    fn line_at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.body.len());
        if offset < self.at {
            (self.at, self.line) = (0, self.first_line);
        }
        self.line += memchr::memchr_iter(b'\n', &self.body[self.at..offset]).count();
        self.at = offset;
        self.line
    }
}

/// Whether a text event is the body's own bytes at its range: a borrowed event that starts there
/// is, without comparing its bytes.
fn is_source(body: &str, range: &Range<usize>, text: &str) -> bool {
    let source = body.get(range.clone());
    match source {
        Some(source) if std::ptr::eq(source.as_ptr(), text.as_ptr()) => source.len() == text.len(),
        _ => source == Some(text),
    }
}

/// Where the last text event's overlapping markers and runs started: events come in body order,
/// so the next event's start from there on rather than by a search over the whole post.
#[derive(Debug, Default)]
struct CutCursor {
    at: usize,
    markers: usize,
    inner: usize,
    /// The cut points of the last event that had any, kept to reuse its allocation.
    points: Vec<usize>,
}

impl CutCursor {
    /// The runs in `runs` (sorted, disjoint) that overlap `range`, as `runs` indexes; `first` is
    /// where the last call's runs started.
    fn overlapping(runs: &[Range<usize>], range: &Range<usize>, first: &mut usize) -> Range<usize> {
        while runs.get(*first).is_some_and(|r| r.end <= range.start) {
            *first += 1;
        }
        let len = runs[*first..]
            .iter()
            .take_while(|r| r.start < range.end)
            .count();
        *first..*first + len
    }

    /// The markers and inner runs of `strong` that overlap `range`.
    fn cut(&mut self, strong: &StrongRuns, range: &Range<usize>) -> (Range<usize>, Range<usize>) {
        if range.start < self.at {
            (self.markers, self.inner) = (0, 0);
        }
        self.at = range.start;
        (
            Self::overlapping(&strong.markers, range, &mut self.markers),
            Self::overlapping(&strong.inner, range, &mut self.inner),
        )
    }
}

/// Makes room in a block for as much text as its source holds, which markup removed and entities
/// decoded never exceed: a paragraph comes in many text events (one per line, bold run or
/// entity), and its text was reallocated as it grew. Not for a list item or quote, whose source
/// holds the paragraphs that become blocks of their own.
fn reserve_source(block: &mut Option<TextBlock>, source: &Range<usize>) {
    if let Some(block) = block {
        block.text.reserve(source.len());
    }
}

fn new_block(zone: Zone, line: usize) -> TextBlock {
    TextBlock {
        zone,
        text: String::new(),
        line,
        bold: Vec::new(),
        speaker: None,
    }
}

/// The `**bold**` runs of a body, found on the source rather than taken from pulldown-cmark:
/// CommonMark only opens `**` before punctuation when whitespace or punctuation precedes it, so
/// `读了**《三体》**。` stays literal and its closer may pair with the next run's opener instead.
/// Chinese text has no spaces to give, so runs are paired per line as their authors meant them.
#[derive(Debug, Default)]
struct StrongRuns {
    /// Byte ranges of the `**` markers, sorted.
    markers: Vec<Range<usize>>,
    /// Byte ranges of the bold text between paired markers, sorted.
    inner: Vec<Range<usize>>,
}

/// Where `**` occurs in `text`, left to right without overlap (as `match_indices("**")`, which
/// a test compares): found from the `*`s of one vectorised byte search over the whole text (a
/// `str` search per star went through the slower portable `memchr` and was set up each time).
fn double_stars(text: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    // The first star that may open a pair: the second star of a pair opens none.
    let mut free = 0;
    memchr::memchr_iter(b'*', bytes).filter(move |&star| {
        let opens = star >= free && bytes.get(star + 1) == Some(&b'*');
        if opens {
            free = star + 2;
        }
        opens
    })
}

/// The longest run, in bytes, that a `**…**` pair may enclose.
const MAX_BOLD_RUN: usize = 160;

impl StrongRuns {
    fn scan(body: &str) -> Self {
        let mut runs = StrongRuns::default();
        // `**` never spans a line, so one pass over the body finds each line's markers.
        let mut markers = double_stars(body).peekable();
        let mut line = Vec::new();
        while let Some(first) = markers.next() {
            let line_end =
                memchr::memchr(b'\n', &body.as_bytes()[first..]).map_or(body.len(), |i| first + i);
            line.clear();
            line.push(first);
            while let Some(m) = markers.next_if(|&m| m < line_end) {
                line.push(m);
            }
            runs.pair_line(body, &line);
        }
        runs
    }

    /// Pairs the markers of one line, left to right, around the runs that look like bold text.
    fn pair_line(&mut self, body: &str, markers: &[usize]) {
        let mut i = 0;
        while i + 1 < markers.len() {
            let (open, close) = (markers[i], markers[i + 1]);
            let text = &body[open + 2..close];
            let plausible = !text.is_empty()
                && text.len() <= MAX_BOLD_RUN
                // Both are ASCII, which never occurs inside a multi-byte char: a byte test
                // finds them as a char search does, without decoding the run.
                && !text.bytes().any(|b| matches!(b, b'*' | b'`'))
                && !text.starts_with(char::is_whitespace)
                && !text.ends_with(char::is_whitespace);
            if plausible {
                self.markers.push(open..open + 2);
                self.markers.push(close..close + 2);
                self.inner.push(open + 2..close);
                i += 2;
            } else {
                i += 1;
            }
        }
    }

    /// The index in `markers` (sorted, disjoint) of the marker that covers byte `at`.
    fn marker_at(markers: &[Range<usize>], at: usize) -> Option<usize> {
        let i = markers.partition_point(|r| r.end <= at);
        (markers.get(i)?.start <= at).then_some(i)
    }

    /// The index in `inner` (sorted, disjoint) of the run whose bold text contains `a..b`.
    fn run_at(inner: &[Range<usize>], a: usize, b: usize) -> Option<usize> {
        let i = inner.partition_point(|r| r.end <= a);
        let r = inner.get(i)?;
        (r.start <= a && b <= r.end).then_some(i)
    }
}

/// The body that source text events are slices of, with where `http` occurs in it.
#[derive(Clone, Copy)]
struct Source<'b> {
    body: &'b str,
    /// The offsets of every `http` in `body`, sorted.
    http: &'b [usize],
}

/// Where `http` occurs in `body`: one search over the body, so that the many text events that are
/// slices of it (most without a URL) need not each be searched for one.
fn http_starts(body: &str) -> Vec<usize> {
    // `http` cannot overlap itself, so the non-overlapping matches are all of them.
    memchr::memmem::find_iter(body.as_bytes(), b"http").collect()
}

impl Source<'_> {
    /// Appends `body[piece]` with bare URLs removed, as `push_text` does.
    fn push(self, out: &mut String, piece: Range<usize>) {
        let i = self.http.partition_point(|&at| at < piece.start);
        let holds_http = self.http.get(i).is_some_and(|&at| at + 4 <= piece.end);
        if holds_http {
            push_text(out, &self.body[piece]);
        } else {
            out.push_str(&self.body[piece]);
        }
    }
}

/// Appends a text event that is a verbatim slice of the body: markers of paired `**` runs are
/// dropped, and the parts inside a run are recorded as bold.
fn push_source_text(
    block: &mut TextBlock,
    source: Source<'_>,
    range: Range<usize>,
    strong: &StrongRuns,
    cursor: &mut CutCursor,
    last_run: &mut Option<usize>,
) {
    // Both lists are sorted and their ranges disjoint: only those overlapping the event can cut it.
    let (markers, inner) = cursor.cut(strong, &range);
    if markers.is_empty() && inner.is_empty() {
        // Most events: no marker to drop and nothing bold.
        source.push(&mut block.text, range);
        return;
    }
    // Every piece lies in the event, so the marker covering it or the run holding it is one of
    // those overlapping the event: they are looked up there, not in the whole post's lists.
    let first_run = inner.start;
    let (markers, inner) = (&strong.markers[markers], &strong.inner[inner]);
    let cuts = &mut cursor.points;
    cuts.clear();
    cuts.extend([range.start, range.end]);
    for r in markers.iter().chain(inner) {
        for p in [r.start, r.end] {
            if p > range.start && p < range.end {
                cuts.push(p);
            }
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    for piece in cuts.windows(2) {
        let (a, b) = (piece[0], piece[1]);
        if StrongRuns::marker_at(markers, a).is_some() {
            continue;
        }
        let start = block.text.len();
        source.push(&mut block.text, a..b);
        let run = StrongRuns::run_at(inner, a, b).map(|i| first_run + i);
        mark_bold(block, run, start, last_run);
    }
}

/// Appends a text event that differs from its source (an escape or entity); bold when the whole
/// event sits inside a run.
fn push_decoded_text(
    block: &mut TextBlock,
    text: &str,
    range: Range<usize>,
    strong: &StrongRuns,
    last_run: &mut Option<usize>,
) {
    let start = block.text.len();
    push_text(&mut block.text, text);
    mark_bold(
        block,
        StrongRuns::run_at(&strong.inner, range.start, range.end),
        start,
        last_run,
    );
}

/// Records `start..` (to the end of the block text) as bold when `run` is a bold run; a run split
/// over several events (an entity, a soft break) stays one span.
fn mark_bold(
    block: &mut TextBlock,
    run: Option<usize>,
    start: usize,
    last_run: &mut Option<usize>,
) {
    let end = block.text.len();
    let Some(run) = run.filter(|_| end > start) else {
        return;
    };
    match block.bold.last_mut() {
        Some(last) if *last_run == Some(run) && last.end == start => last.end = end,
        _ => block.bold.push(start..end),
    }
    *last_run = Some(run);
}

fn flush(current: &mut Option<TextBlock>, out: &mut Vec<TextBlock>) {
    let Some(mut block) = current.take() else {
        return;
    };
    let trimmed_end = block.text.trim_end().len();
    block.text.truncate(trimmed_end);
    if block.text.trim().is_empty() {
        return;
    }
    block.speaker = find_speaker(&block);
    out.push(block);
}

/// A speaker label is a short bold run at the very start, followed by (or ending in) a colon.
fn find_speaker(block: &TextBlock) -> Option<Range<usize>> {
    let first = block.bold.first()?;
    if first.start != 0 || block.text[first.clone()].chars().count() > 40 {
        return None;
    }
    let name = &block.text[first.clone()];
    let stripped = name.trim_end_matches([':', '：', ' ']);
    if stripped.len() < name.len() && !stripped.is_empty() {
        return Some(first.start..first.start + stripped.len());
    }
    let after = block.text[first.end..].trim_start_matches(' ');
    (after.starts_with(':') || after.starts_with('：')).then(|| first.clone())
}

/// Whether `text` holds `http`: looked for from its `h`s, which a fast byte search finds (most
/// text has none), rather than by a substring search set up for each piece.
fn has_http(text: &str) -> bool {
    memchr::memchr_iter(b'h', text.as_bytes()).any(|i| text.as_bytes()[i..].starts_with(b"http"))
}

/// Appends text with bare URLs removed.
fn push_text(out: &mut String, text: &str) {
    if !has_http(text) {
        out.push_str(text);
        return;
    }
    let mut rest = text;
    while let Some(i) = rest.find("http://").or_else(|| rest.find("https://")) {
        out.push_str(&rest[..i]);
        let url_len = rest[i..]
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '）' | '>' | '，' | '。'))
            .unwrap_or(rest.len() - i);
        rest = &rest[i + url_len..];
    }
    out.push_str(rest);
}

/// Tracks `<details>` nesting through an HTML fragment and returns the text that sits inside a
/// `<details>` (other than its `<summary>` label), such as `<p class="english-text">…</p>`.
fn scan_html(html: &str, details: &mut usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut in_summary = false;
    let mut rest = html;
    loop {
        let (text, tag) = match memchr::memchr(b'<', rest.as_bytes()) {
            Some(i) => (&rest[..i], Some(i)),
            None => (rest, None),
        };
        if *details > 0 && !in_summary && !text.trim().is_empty() {
            pieces.push(decode_entities(text.trim()));
        }
        let Some(i) = tag else { break };
        let end = memchr::memchr(b'>', &rest.as_bytes()[i..]).map_or(rest.len(), |j| i + j + 1);
        let name = rest[i + 1..end].trim_start_matches('/');
        let closing = rest[i + 1..].starts_with('/');
        if starts_with_ignore_case(name, "details") {
            *details = if closing {
                details.saturating_sub(1)
            } else {
                *details + 1
            };
        } else if starts_with_ignore_case(name, "summary") {
            in_summary = !closing;
        }
        rest = &rest[end..];
    }
    pieces
}

/// Whether `text` starts with `prefix` (lowercase ASCII) in any case, as its ASCII lowercase copy
/// would, without making the copy for each tag.
fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

fn decode_entities(text: &str) -> String {
    // Every entity starts with `&`: text without one is copied rather than searched six times.
    if !text.contains('&') {
        return text.to_owned();
    }
    text.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_bold_and_speakers() {
        let body = "## 开场\n\n**主持人**：大家好，今天聊**英伟达**。\n\n<details>\n<summary>Original English</summary>\n\n**Host**: Hello, today **Nvidia**.\n\n</details>\n\n```\ncode 不要\n```\n";
        let blocks = extract_blocks(body, 10);
        let summary: Vec<_> = blocks
            .iter()
            .map(|b| (b.zone, b.text.as_str(), b.line))
            .collect();
        assert_eq!(
            summary,
            vec![
                (Zone::Heading, "开场", 10),
                (Zone::Paragraph, "主持人：大家好，今天聊英伟达。", 12),
                (Zone::English, "Host: Hello, today Nvidia.", 17),
            ]
        );
        assert_eq!(blocks[1].speaker, Some(0.."主持人".len()));
        assert_eq!(blocks[1].content(), "大家好，今天聊英伟达。");
        assert_eq!(&blocks[1].text[blocks[1].bold[1].clone()], "英伟达");
        assert_eq!(blocks[2].speaker, Some(0..4));
    }

    #[test]
    fn html_paragraph_inside_details_is_english() {
        let body = "<details>\n<summary>View/Hide Original English</summary>\n<p class=\"english-text\">Same here &amp; thanks.</p>\n</details>\n\n**Robert:** 彼此彼此。\n";
        let blocks = extract_blocks(body, 1);
        assert_eq!(blocks[0].zone, Zone::English);
        assert_eq!(blocks[0].text, "Same here & thanks.");
        assert_eq!(blocks[1].zone, Zone::Paragraph);
        assert_eq!(blocks[1].speaker, Some(0..6));
    }

    #[test]
    fn bold_runs_are_paired_the_way_chinese_authors_write_them() {
        let body = "他读了**《三体》**。后来**英伟达**和“**内卷**”都说**“躺平”**是 2 ** 3\n\n**AT&amp;T** 和 **Tim Cook**\n";
        let blocks = extract_blocks(body, 1);
        let b = &blocks[0];
        assert_eq!(
            b.text,
            "他读了《三体》。后来英伟达和“内卷”都说“躺平”是 2 ** 3"
        );
        let bold: Vec<&str> = b.bold.iter().map(|r| &b.text[r.clone()]).collect();
        assert_eq!(bold, ["《三体》", "英伟达", "内卷", "“躺平”"]);
        let b = &blocks[1];
        assert_eq!(b.text, "AT&T 和 Tim Cook");
        let bold: Vec<&str> = b.bold.iter().map(|r| &b.text[r.clone()]).collect();
        assert_eq!(bold, ["AT&T", "Tim Cook"]);
    }

    #[test]
    fn double_stars_are_found_as_match_indices_finds_them() {
        for text in [
            "",
            "*",
            "**",
            "***",
            "****",
            "a**b***c*d**",
            "中**文*",
            "*a*b**",
        ] {
            let expected: Vec<usize> = text.match_indices("**").map(|(i, _)| i).collect();
            assert_eq!(double_stars(text).collect::<Vec<_>>(), expected, "{text}");
        }
    }

    /// `StrongRuns::scan` as it was written with `str` searches, to prove the byte searches
    /// find the same markers and runs.
    fn scan_by_str_search(body: &str) -> StrongRuns {
        let mut runs = StrongRuns::default();
        let stars: Vec<usize> = body.match_indices("**").map(|(i, _)| i).collect();
        let mut markers = stars.into_iter().peekable();
        let mut line = Vec::new();
        while let Some(first) = markers.next() {
            let line_end = body[first..].find('\n').map_or(body.len(), |i| first + i);
            line.clear();
            line.push(first);
            while let Some(m) = markers.next_if(|&m| m < line_end) {
                line.push(m);
            }
            let mut i = 0;
            while i + 1 < line.len() {
                let (open, close) = (line[i], line[i + 1]);
                let text = &body[open + 2..close];
                let plausible = !text.is_empty()
                    && text.len() <= MAX_BOLD_RUN
                    && !text.contains(['*', '`'])
                    && !text.starts_with(char::is_whitespace)
                    && !text.ends_with(char::is_whitespace);
                if plausible {
                    runs.markers.push(open..open + 2);
                    runs.markers.push(close..close + 2);
                    runs.inner.push(open + 2..close);
                    i += 2;
                } else {
                    i += 1;
                }
            }
        }
        runs
    }

    #[test]
    fn strong_runs_are_scanned_as_str_searches_scan_them() {
        for body in crate::probe::every_string("*`a \n中", 6) {
            let (fast, slow) = (StrongRuns::scan(&body), scan_by_str_search(&body));
            assert_eq!(
                (fast.markers, fast.inner),
                (slow.markers, slow.inner),
                "{body:?}"
            );
        }
    }

    #[test]
    fn pieces_find_markers_and_runs_among_the_events_ones() {
        for body in crate::probe::every_string("a*中", 7) {
            let strong = StrongRuns::scan(&body);
            let bounds: Vec<usize> = (0..=body.len())
                .filter(|&o| body.is_char_boundary(o))
                .collect();
            let mut cursor = CutCursor::default();
            for (x, &start) in bounds.iter().enumerate() {
                for &end in &bounds[x + 1..] {
                    let (markers, inner) = cursor.cut(&strong, &(start..end));
                    let (first_marker, first_run) = (markers.start, inner.start);
                    let (markers, inner) = (&strong.markers[markers], &strong.inner[inner]);
                    // A piece `a..b` of the event: `start <= a < b <= end`.
                    let pieces = bounds
                        .iter()
                        .enumerate()
                        .skip(x)
                        .take_while(|&(_, &a)| a < end);
                    for (y, &a) in pieces {
                        assert_eq!(
                            StrongRuns::marker_at(markers, a).map(|i| first_marker + i),
                            StrongRuns::marker_at(&strong.markers, a),
                            "{body:?} {a}"
                        );
                        for &b in bounds[y + 1..].iter().filter(|&&b| b <= end) {
                            assert_eq!(
                                StrongRuns::run_at(inner, a, b).map(|i| first_run + i),
                                StrongRuns::run_at(&strong.inner, a, b),
                                "{body:?} {a}..{b}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn source_pieces_drop_urls_as_push_text_does() {
        for body in crate::probe::every_string("htp中", 6) {
            let http = http_starts(&body);
            let source = Source {
                body: &body,
                http: &http,
            };
            let bounds: Vec<usize> = (0..=body.len())
                .filter(|&o| body.is_char_boundary(o))
                .collect();
            for (x, &a) in bounds.iter().enumerate() {
                for &b in &bounds[x..] {
                    let (mut fast, mut slow) = (String::from("<"), String::from("<"));
                    source.push(&mut fast, a..b);
                    push_text(&mut slow, &body[a..b]);
                    assert_eq!(fast, slow, "{body:?} {a}..{b}");
                }
            }
        }
    }

    #[test]
    fn tag_names_are_told_as_their_lowercase_copy_tells_them() {
        for text in crate::probe::every_string("dDeEé/", 4) {
            for prefix in ["", "d", "de", "dee"] {
                assert_eq!(
                    starts_with_ignore_case(&text, prefix),
                    text.to_ascii_lowercase().starts_with(prefix),
                    "{text:?} {prefix:?}"
                );
            }
        }
    }

    #[test]
    fn entities_are_decoded_as_the_replace_chain_decodes_them() {
        let chain = |t: &str| {
            t.replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&nbsp;", " ")
        };
        for text in [
            "",
            "plain 中文",
            "a &amp; b",
            "&amp;lt;",
            "&lt;p&gt; &quot;x&quot; &#39;y&#39;&nbsp;z",
            "& alone",
        ] {
            assert_eq!(decode_entities(text), chain(text), "{text:?}");
        }
    }

    #[test]
    fn http_is_found_as_contains_finds_it() {
        for text in crate::probe::every_string("htp中", 6) {
            assert_eq!(has_http(&text), text.contains("http"), "{text}");
        }
    }

    #[test]
    fn line_cursor_counts_lines_as_line_starts_do() {
        for body in crate::probe::every_string("a\n中", 5) {
            let line_starts: Vec<usize> = std::iter::once(0)
                .chain(body.match_indices('\n').map(|(i, _)| i + 1))
                .collect();
            let expected = |offset: usize| 7 + line_starts.partition_point(|&s| s <= offset) - 1;
            let mut lines = LineCursor::new(&body, 7);
            // Forward, then backward, then forward again.
            let offsets = (0..=body.len())
                .chain((0..=body.len()).rev())
                .chain(0..=body.len());
            for offset in offsets.filter(|&o| body.is_char_boundary(o)) {
                assert_eq!(lines.line_at(offset), expected(offset), "{body:?} {offset}");
            }
        }
    }

    #[test]
    fn cut_cursor_finds_the_runs_a_search_finds() {
        for body in crate::probe::every_string("a*中", 7) {
            let strong = StrongRuns::scan(&body);
            let search = |runs: &[Range<usize>], range: &Range<usize>| {
                let first = runs.partition_point(|r| r.end <= range.start);
                let len = runs[first..].partition_point(|r| r.start < range.end);
                first..first + len
            };
            let mut cursor = CutCursor::default();
            let bounds: Vec<usize> = (0..=body.len())
                .filter(|&o| body.is_char_boundary(o))
                .collect();
            // Events in body order, then one that starts over.
            let ranges = bounds
                .windows(2)
                .map(|w| w[0]..w[1])
                .chain(bounds.windows(3).map(|w| w[0]..w[2]))
                .chain(std::iter::once(0..body.len()));
            for range in ranges {
                let expected = (
                    search(&strong.markers, &range),
                    search(&strong.inner, &range),
                );
                assert_eq!(cursor.cut(&strong, &range), expected, "{body:?} {range:?}");
            }
        }
    }

    #[test]
    fn source_text_is_told_as_comparing_bytes_tells_it() {
        let body = "ab&amp;ab";
        let decoded = String::from("ab");
        for (range, text) in [
            (0..2, &body[0..2]),
            (7..9, &body[7..9]),
            (0..2, &body[7..9]),
            (0..2, decoded.as_str()),
            (2..7, "&"),
            (0..3, &body[0..2]),
            (0..20, &body[0..2]),
        ] {
            assert_eq!(
                is_source(body, &range, text),
                body.get(range.clone()) == Some(text)
            );
        }
    }

    #[test]
    fn drops_urls_code_and_images() {
        let body =
            "看 https://example.com/x 和 `code` 以及 ![图](a.png) [链接](http://b) <https://c.d>\n";
        let blocks = extract_blocks(body, 1);
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].text, "看  和  以及  链接");
    }
}
