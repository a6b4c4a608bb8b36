//! Chooses the part of a long post that the in-depth stages read: topic features and the summary
//! draw on the words of a bounded window of blocks, while entity matching still scans every block.
//! A post's topic and its gist show in any long enough stretch spread over it, and reading more
//! added to the cost (jieba's cut above all), not to the answer.

use crate::extract::{TextBlock, Zone};

/// How many bytes of a long post's body text the window holds, about: half from the start, half
/// spread over the rest (a block is read whole, so the last one may run past).
///
/// Chosen on four held-out folds (vocabularies learned without them, topic models learned from
/// windows of the same size): against the whole post, tags F1, category and area stayed within
/// 0.006 and ROUGE-L fell 0.004, while `fill -j 2` over the corpus took about a third less CPU
/// (README, Performance). A window of the start alone scored up to 0.02 lower on category.
pub const WINDOW_BYTES: usize = 10_000;

/// Which blocks of a post the window holds, index for index with its blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    read: Vec<bool>,
}

impl Window {
    /// The window of a post: every block when the body holds at most [`WINDOW_BYTES`]. Of a
    /// longer post, the title and every heading (short, and what topic scoring weighs most), the
    /// body blocks from the start until half of the window is read, then body blocks at an even
    /// stride over the rest until the other half is.
    pub fn of(blocks: &[TextBlock]) -> Self {
        let body: usize = (blocks.iter().filter(|b| is_body(b)))
            .map(|b| b.text.len())
            .sum();
        if body <= WINDOW_BYTES {
            return Self::whole(blocks.len());
        }
        let half = WINDOW_BYTES / 2;
        let mut read = Vec::with_capacity(blocks.len());
        let mut head = 0;
        let mut rest_blocks = blocks.iter();
        for block in rest_blocks.by_ref() {
            read.push(true);
            if is_body(block) {
                head += block.text.len();
                if head >= half {
                    break;
                }
            }
        }
        // A body block of the rest is read while the bytes read so far are at most the share of
        // the bytes seen so far that the other half of the window is of the whole rest.
        let rest = body - head;
        let (mut seen, mut taken) = (0, 0);
        for block in rest_blocks {
            if !is_body(block) {
                read.push(true);
                continue;
            }
            let take = taken * rest <= seen * half;
            read.push(take);
            if take {
                taken += block.text.len();
            }
            seen += block.text.len();
        }
        Self { read }
    }

    /// A window of all `blocks` blocks.
    pub fn whole(blocks: usize) -> Self {
        Self {
            read: vec![true; blocks],
        }
    }

    /// Whether the window holds the block at `index` (a block past the end is held).
    pub fn reads(&self, index: usize) -> bool {
        self.read.get(index).copied().unwrap_or(true)
    }

    /// The text of the window's body blocks (headings, paragraphs, English originals), one per
    /// line: where topic scoring looks for tags' literal aliases.
    pub fn body_text(&self, blocks: &[TextBlock]) -> String {
        let mut text = String::new();
        for (i, block) in blocks.iter().enumerate() {
            if block.zone != Zone::Title && self.reads(i) {
                text.push_str(&block.text);
                text.push('\n');
            }
        }
        text
    }
}

fn is_body(block: &TextBlock) -> bool {
    matches!(block.zone, Zone::Paragraph | Zone::English)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(zone: Zone, bytes: usize) -> TextBlock {
        TextBlock {
            zone,
            text: "字".repeat(bytes / 3),
            line: 1,
            bold: Vec::new(),
            speaker: None,
        }
    }

    fn read_bytes(blocks: &[TextBlock], window: &Window) -> usize {
        (blocks.iter().enumerate())
            .filter(|(i, b)| window.reads(*i) && is_body(b))
            .map(|(_, b)| b.text.len())
            .sum()
    }

    #[test]
    fn a_post_that_fits_is_read_whole() {
        let blocks: Vec<TextBlock> = (0..10).map(|_| block(Zone::Paragraph, 999)).collect();
        assert!(blocks.iter().map(|b| b.text.len()).sum::<usize>() <= WINDOW_BYTES);
        assert_eq!(Window::of(&blocks), Window::whole(10));
    }

    #[test]
    fn a_long_post_is_read_at_its_start_and_evenly_after_with_every_heading() {
        let mut blocks = vec![block(Zone::Title, 30)];
        for section in 0..20 {
            blocks.push(block(Zone::Heading, 30));
            for _ in 0..10 {
                blocks.push(block(Zone::Paragraph, 600 + section * 3));
            }
        }
        let window = Window::of(&blocks);
        let read = read_bytes(&blocks, &window);
        // About the window's size (each block is read whole), out of about 135 KB.
        assert!(
            (WINDOW_BYTES..WINDOW_BYTES + 1300).contains(&read),
            "{read}"
        );
        for (i, b) in blocks.iter().enumerate() {
            if b.zone != Zone::Paragraph {
                assert!(window.reads(i), "block {i} is a title or heading");
            }
        }
        // The first half is the start: the first paragraphs until half the window is read. The
        // other half is spread over the rest, a paragraph every so often and never two of one
        // section, so that the sections after the first few each have one or none, and no three
        // sections in a row are all left out.
        let head = (WINDOW_BYTES / 2).div_ceil(600);
        assert!((2..2 + head).all(|i| window.reads(i)));
        let per_section: Vec<usize> = (0..20)
            .map(|s| (0..10).filter(|p| window.reads(2 + s * 11 + p)).count())
            .collect();
        assert!(
            per_section[1..].iter().all(|&n| n <= 1)
                && per_section[1..]
                    .windows(3)
                    .all(|w| w.iter().sum::<usize>() >= 1),
            "{per_section:?}"
        );
    }

    #[test]
    fn the_body_text_is_the_windows_blocks_but_the_title_one_per_line() {
        let mut blocks = vec![block(Zone::Title, 30), block(Zone::Heading, 9)];
        blocks.extend((0..40).map(|_| block(Zone::Paragraph, 900)));
        let window = Window::of(&blocks);
        let expected: String = (blocks.iter().enumerate().skip(1))
            .filter(|(i, _)| window.reads(*i))
            .map(|(_, b)| format!("{}\n", b.text))
            .collect();
        assert_eq!(window.body_text(&blocks), expected);
        assert!(expected.len() < 40 * 900 / 2);
    }

    #[test]
    fn the_window_never_grows_with_the_post() {
        for blocks_len in [30, 300, 3000] {
            let blocks: Vec<TextBlock> = (0..blocks_len)
                .map(|_| block(Zone::Paragraph, 900))
                .collect();
            let read = read_bytes(&blocks, &Window::of(&blocks));
            assert!(
                read <= WINDOW_BYTES + 900,
                "{blocks_len} blocks: {read} bytes read"
            );
        }
    }
}
