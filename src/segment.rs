//! Splits text into word tokens: runs holding Han characters go through jieba-rs (the only module
//! that knows it), everything else through Unicode word boundaries. The jieba table is built on
//! first use, so a run that segments nothing never pays for it, and it can be built on a
//! background thread while the rest of a post is prepared.
//!
//! The table is built from a trimmed copy of jieba's dictionary (`dictionaries/jieba/dict.txt`, made by
//! `tests/bench/run.sh --trim`): every single character, every word jieba's own counts make
//! common, and every word that the full dictionary produces as a token on the learning posts,
//! plus one placeholder that keeps the total frequency, and so every route's score, unchanged.
//! It is under a third of the full table and segments real posts almost exactly the same way
//! (token agreement on held-out posts is in the README's Performance section).

use std::cell::RefCell;
use std::hash::BuildHasher;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use jieba_rs::Jieba;
use rustc_hash::{FxBuildHasher, FxHashMap};
use unicode_segmentation::UnicodeSegmentation;

use crate::extract::TextBlock;
use crate::vocab::{compiled, Vocabulary};

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
    jieba: Arc<OnceLock<Jieba>>,
    user_words: Arc<Vec<String>>,
    /// Whether the table starts from the build's dictionary with the shipped vocabulary's Han
    /// aliases already in it.
    shipped: bool,
    /// Keys this segmenter's entries in the per-thread run cache.
    id: u64,
    /// Whether a background build was started.
    building: Arc<AtomicBool>,
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
            jieba: Arc::new(OnceLock::new()),
            user_words: Arc::new(user_words),
            shipped: false,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            building: Arc::new(AtomicBool::new(false)),
        }
    }

    /// A segmenter that knows the vocabulary's Han aliases as single tokens. For the shipped
    /// vocabulary they are already in the dictionary the build wrote, at the frequencies
    /// `add_word` would give them, so no word is added at start-up.
    pub fn for_vocabulary(vocab: &Vocabulary) -> Self {
        if vocab.is_shipped() {
            Self {
                shipped: true,
                ..Self::new(Vec::new())
            }
        } else {
            Self::new(vocab.han_words())
        }
    }

    fn jieba(&self) -> &Jieba {
        self.jieba
            .get_or_init(|| build_jieba(&self.user_words, self.shipped))
    }

    /// Builds the jieba table now.
    pub fn prepare(&self) {
        self.jieba();
    }

    /// Starts building the jieba table on a background thread, unless it is built or being
    /// built; the first segmentation then waits only for what is left of the build.
    pub fn prepare_in_background(&self) {
        if self.jieba.get().is_some() || self.building.swap(true, Ordering::Relaxed) {
            return;
        }
        let (cell, words, shipped) = (
            Arc::clone(&self.jieba),
            Arc::clone(&self.user_words),
            self.shipped,
        );
        let spawned = std::thread::Builder::new()
            .name("jieba".to_owned())
            .spawn(move || {
                cell.get_or_init(|| build_jieba(&words, shipped));
            });
        // Without a thread the table is simply built on first use.
        drop(spawned);
    }

    /// Starts loading jieba's part-of-speech model on a background thread, once per process.
    /// [`Segmenter::is_person_name`] needs it for a name jieba does not know; three posts in four
    /// have none, so it is loaded only for a post that may (it costs as much as the dictionary).
    pub fn prepare_tagger_in_background() {
        if TAGGER_STARTED.swap(true, Ordering::Relaxed) {
            return;
        }
        // The model is a process-wide table, the same for every dictionary, so an empty table
        // that tags an unknown word loads it.
        drop(
            std::thread::Builder::new()
                .name("jieba-pos".to_owned())
                .spawn(|| drop(Jieba::empty().tag("陶哲轩", true))),
        );
    }

    /// Whether the part-of-speech model is loaded or loading (a batch asks only until it is).
    pub fn tagger_started() -> bool {
        TAGGER_STARTED.load(Ordering::Relaxed)
    }

    /// Whether jieba reads the whole text as one person's name (part-of-speech `nr`, from its
    /// dictionary or its HMM guess for unknown words), such as `陶哲轩`.
    pub fn is_person_name(&self, text: &str) -> bool {
        let jieba = self.jieba();
        // Tagging cuts the text the same way first; only a whole-text token can be a name, and
        // only an unknown one needs the part-of-speech model, so most spans never load it.
        if !matches!(jieba.cut(text, true).as_slice(), [only] if only.word == text) {
            return false;
        }
        let tags = jieba.tag(text, true);
        matches!(tags.as_slice(), [only] if only.tag == "nr" && only.word == text)
    }

    /// The tokens of every block of a post, cut once and shared by the stages that read words
    /// (alias alignment, topic features), index for index with `blocks`.
    pub fn segment_blocks<'a>(&self, blocks: &'a [TextBlock]) -> Vec<Vec<Token<'a>>> {
        self.segment_blocks_where(blocks, |_| true)
    }

    /// The tokens of the blocks that `cut` picks, index for index with `blocks`; the others'
    /// lists are left empty, and a stage that needs words of one of those cuts what it needs
    /// ([`Self::segment`], [`Self::segment_touching`]).
    pub fn segment_blocks_where<'a>(
        &self,
        blocks: &'a [TextBlock],
        cut: impl Fn(usize) -> bool,
    ) -> Vec<Vec<Token<'a>>> {
        // A new post: the thread's run cache starts empty. Nearly all of its hits are runs of
        // the same post (cut again for the summary and the matcher), and a cache kept across
        // posts grew to a table whose lookups missed the CPU caches (7.5M more instructions
        // over 100 drafts, and slower).
        RUNS.with(|cache| cache.borrow_mut().clear(self.id));
        (blocks.iter().enumerate())
            .map(|(i, b)| {
                if cut(i) {
                    self.segment(&b.text)
                } else {
                    Vec::new()
                }
            })
            .collect()
    }

    /// Splits text into word tokens; punctuation and spaces are dropped.
    pub fn segment<'a>(&self, text: &'a str) -> Vec<Token<'a>> {
        let mut tokens = Vec::with_capacity(text.len() / 3);
        // The thread's cache is borrowed once per text, not once per run: a post is segmented
        // as thousands of short runs, most of them already cut.
        RUNS.with(|cache| {
            let mut cache = cache.borrow_mut();
            script_runs(text, |run, has_han| {
                self.push_run(&mut cache, text, run, has_han, &mut tokens);
            });
        });
        tokens
    }

    /// The tokens [`Self::segment`] gives for the runs of `text` that hold one of the byte
    /// offsets `at` (sorted), and no others, a run without Han taken only between the breaks
    /// (line ends, `。`, `、`; see [`is_break_at`]) around the offset: alias alignment needs the
    /// words at a few places of a block that nothing else reads, and cutting only the runs there
    /// spares jieba the rest. Only the stretch between breaks around each offset is scanned for
    /// runs, not the whole block (that scan was over a quarter of this function's cost): no run
    /// with Han and no word holds a break, so the runs and words there are the whole text's.
    pub fn segment_touching<'a>(&self, text: &'a str, at: &[usize]) -> Vec<Token<'a>> {
        let bytes = text.as_bytes();
        let mut tokens = Vec::new();
        let mut next = 0;
        RUNS.with(|cache| {
            let mut cache = cache.borrow_mut();
            // Offsets at or past the end (sorted, so all that are left) are in no run.
            while let Some(&p) = at.get(next).filter(|&&p| p < text.len()) {
                let stretch = stretch_around(bytes, p);
                script_runs(&text[stretch.clone()], |run, has_han| {
                    let run = stretch.start + run.start..stretch.start + run.end;
                    while at.get(next).is_some_and(|&p| p < run.start) {
                        next += 1;
                    }
                    if at.get(next).is_some_and(|&p| p < run.end) {
                        self.push_run(&mut cache, text, run, has_han, &mut tokens);
                    }
                });
                // Offsets past the stretch's last run are in no run, of it or of a later stretch.
                while at.get(next).is_some_and(|&p| p < stretch.end) {
                    next += 1;
                }
            }
        });
        tokens
    }

    /// Appends the tokens of one run of `text`, with their spans in `text`.
    fn push_run<'a>(
        &self,
        cache: &mut RunCache,
        text: &'a str,
        run: Range<usize>,
        has_han: bool,
        tokens: &mut Vec<Token<'a>>,
    ) {
        let slice = &text[run.clone()];
        if has_han {
            self.cut_run(cache, slice, |span, word| {
                push_token(tokens, word, run.start + span.start..run.start + span.end);
            });
        } else {
            latin_words(slice, |span| {
                push_token(
                    tokens,
                    &slice[span.clone()],
                    run.start + span.start..run.start + span.end,
                );
            });
        }
    }
}

impl Segmenter {
    /// Hands jieba's tokens in a Han run to `emit` (span in the run, word), from the thread's
    /// cache when this segmenter cut the same run before. A post's blocks are cut once
    /// ([`Self::segment_blocks`]), but the summary's cleaned sentences and the blocks whose
    /// normalization changed their words share most of their runs with what was already cut.
    fn cut_run<'r>(
        &self,
        cache: &mut RunCache,
        run: &'r str,
        mut emit: impl FnMut(Range<usize>, &'r str),
    ) {
        if cache.owner != self.id || cache.bytes() > RUN_CACHE_BYTES {
            cache.clear(self.id);
        }
        let hash = FxBuildHasher.hash_one(run);
        let cached = cache
            .index
            .get(&hash)
            .map(|&i| cache.entries[i as usize].clone());
        // A run whose hash another run holds is cut afresh and takes the slot over.
        if let Some((_, spans)) =
            cached.filter(|(text, _)| &cache.text[text.start as usize..text.end as usize] == run)
        {
            for &(start, end) in &cache.spans[spans.start as usize..spans.end as usize] {
                let span = start as usize..end as usize;
                emit(span.clone(), &run[span]);
            }
            return;
        }
        let first = cache.spans.len();
        for token in self.jieba().cut(run, true) {
            cache
                .spans
                .push((token.byte_start as u32, token.byte_end as u32));
            // jieba's word is the run's slice at the span, already cut.
            emit(token.byte_start..token.byte_end, token.word);
        }
        let start = cache.text.len();
        cache.text.push_str(run);
        cache.entries.push((
            start as u32..cache.text.len() as u32,
            first as u32..cache.spans.len() as u32,
        ));
        cache.index.insert(hash, (cache.entries.len() - 1) as u32);
    }
}

/// Bounds the cache within one huge post (it is emptied for every post anyway).
const RUN_CACHE_BYTES: usize = 8 << 20;

/// Token spans of the Han runs a thread has cut, for one segmenter at a time. Runs and spans sit
/// in two flat buffers, found by the run's hash: a first pass over a post caches thousands of
/// runs, and an allocation for each cost more than cutting them again.
#[derive(Default)]
struct RunCache {
    owner: u64,
    /// Entry by the hash of its run.
    index: FxHashMap<u64, u32>,
    /// Per run: its bytes in `text`, its token spans in `spans`.
    entries: Vec<(Range<u32>, Range<u32>)>,
    text: String,
    spans: Vec<(u32, u32)>,
}

impl RunCache {
    fn clear(&mut self, owner: u64) {
        self.owner = owner;
        self.index.clear();
        self.entries.clear();
        self.text.clear();
        self.spans.clear();
    }

    fn bytes(&self) -> usize {
        self.text.len() + self.spans.len() * 8 + self.entries.len() * 32
    }
}

thread_local! {
    static RUNS: RefCell<RunCache> = RefCell::new(RunCache::default());
}

/// Whether [`Segmenter::prepare_tagger_in_background`] ran in this process.
static TAGGER_STARTED: AtomicBool = AtomicBool::new(false);

/// Tells segmenters apart in the thread caches (their user words segment differently).
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The trimmed jieba dictionary (`word frequency tag` lines).
const DICTIONARY: &str = include_str!("../dictionaries/jieba/dict.txt");

fn build_jieba(user_words: &[String], shipped: bool) -> Jieba {
    let (dictionary, spaced) = if shipped {
        compiled::JIEBA
            .split_once("\n\n")
            .unwrap_or((compiled::JIEBA, ""))
    } else {
        (DICTIONARY, "")
    };
    let mut jieba = Jieba::with_dict(&mut dictionary.as_bytes())
        .expect("the shipped jieba dictionary is well-formed (a unit test loads it)");
    // Words with a space cannot be dictionary lines; the build lists them with the frequency
    // `add_word` gave them.
    for line in spaced.lines() {
        if let Some((word, freq)) = line.split_once('\t') {
            jieba.add_word(word, freq.parse().ok(), None);
        }
    }
    for word in user_words {
        jieba.add_word(word, None, None);
    }
    jieba
}

/// Adds `word`, found at `span` of the text, as a token unless it has no letter or digit. Inlined
/// into both branches of [`Segmenter::segment`]: it runs for every token of a post, and the call
/// was a sixth of its cost.
#[inline(always)]
fn push_token<'a>(tokens: &mut Vec<Token<'a>>, word: &'a str, span: Range<usize>) {
    // Most tokens are Han words that `token_kind` tells by their first two bytes: that test comes
    // first here, where it is inlined, ahead of the whole of `token_kind`.
    let kind = match word.as_bytes() {
        [lead, next, ..] if is_common_han(*lead, Some(next)) => TokenKind::Han,
        _ => match token_kind(word) {
            Some(kind) => kind,
            None => return,
        },
    };
    tokens.push(Token {
        text: word,
        span,
        kind,
    });
}

/// The class of a word, or `None` for one without letters or digits (punctuation, spaces).
fn token_kind(word: &str) -> Option<TokenKind> {
    match word.as_bytes() {
        // Most of jieba's tokens start with a Han character of U+4000..U+9FFF, which its first
        // two bytes alone tell (see `is_common_han`); a token with a Han character is Han.
        [lead, next, ..] if is_common_han(*lead, Some(next)) => Some(TokenKind::Han),
        bytes if word.is_ascii() => {
            if bytes.iter().all(u8::is_ascii_digit) {
                Some(TokenKind::Number)
            } else if bytes.iter().any(u8::is_ascii_alphanumeric) {
                Some(TokenKind::Latin)
            } else {
                None
            }
        }
        _ if word.chars().any(is_han) => Some(TokenKind::Han),
        _ if word.chars().any(char::is_alphanumeric) => Some(TokenKind::Latin),
        _ => None,
    }
}

pub use crate::vocab::keys::is_han;

/// The length of the UTF-8 sequence that `lead` starts: the byte-level scans (the key scan, the
/// summary's script survey) step by characters without decoding them.
#[inline]
pub(crate) fn utf8_width(lead: u8) -> usize {
    match lead {
        0..=0x7f => 1,
        0x80..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// Whether a character whose UTF-8 starts with `lead` (then `next`) is a Han character of
/// U+4000..U+9FFF, told without decoding it: lead bytes 0xE5 to 0xE9 are U+5000..U+9FFF, all Han,
/// and 0xE4 is U+4000..U+4FFF, all Han but the hexagrams U+4DC0..U+4DFF (second byte 0xB7). Most
/// of a post is such characters, and 0xE4 leads some of the commonest (`一`, `不`, `了`, `人`),
/// which were decoded one by one when only 0xE5 to 0xE9 were told by their bytes.
fn is_common_han(lead: u8, next: Option<&u8>) -> bool {
    match lead {
        0xe5..=0xe9 => true,
        0xe4 => next != Some(&0xb7),
        _ => false,
    }
}

/// Punctuation that fills Chinese text (`，。、：“”《》（）—…`): none of it is a letter or digit,
/// and telling so by range spares the general Unicode tables, which are slow for it.
fn is_cjk_punctuation(c: char) -> bool {
    matches!(c, '\u{2010}'..='\u{2027}' | '\u{3001}'..='\u{3003}' | '\u{3008}'..='\u{3011}' | '\u{ff01}'..='\u{ff0f}' | '\u{ff1a}'..='\u{ff20}')
}

/// Hands the spans of the words in a run without Han characters to `emit`, at Unicode word
/// boundaries (UAX #29). Most such runs hold only ASCII and the punctuation of these posts
/// (English originals, names, numbers), which take a direct scan that gives the same words as
/// the general one at a fraction of its cost; a run of spaces and punctuation holds no word.
fn latin_words(run: &str, mut emit: impl FnMut(Range<usize>)) {
    if run.is_ascii() || run.chars().all(|c| word_break(c).is_some()) {
        known_words(run, emit);
    } else if run.chars().any(char::is_alphanumeric) {
        for (offset, word) in run.split_word_bound_indices() {
            emit(offset..offset + word.len());
        }
    }
}

/// The UAX #29 word-break classes that [`known_words`] tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WordBreak {
    /// ASCII letters (ALetter).
    Letter,
    /// ASCII digits (Numeric).
    Digit,
    /// `_` (ExtendNumLet).
    Underscore,
    /// `:`, `：`, `·`
    MidLetter,
    /// `.`, `'`, `’`, `‘`, `．` (MidNumLet and Single_Quote, which the rules treat alike).
    MidNumLet,
    /// `,`, `;`, `，`, `；`
    MidNum,
    /// Spaces, line ends and the rest of the punctuation: always a boundary around words.
    Other,
}

/// The class of an ASCII character or of common non-ASCII punctuation; `None` for any other
/// character, which leaves its run to the general scan.
fn word_break(c: char) -> Option<WordBreak> {
    if let Ok(byte) = u8::try_from(c) {
        if byte.is_ascii() {
            return Some(ascii_word_break(byte));
        }
    }
    Some(match c {
        '：' | '·' => WordBreak::MidLetter,
        '’' | '‘' | '．' => WordBreak::MidNumLet,
        '，' | '；' => WordBreak::MidNum,
        '。' | '、' | '“' | '”' | '（' | '）' | '《' | '》' | '！' | '？' | '—' | '–' | '…'
        | '【' | '】' | '「' | '」' | '\u{a0}' | '\u{3000}' => WordBreak::Other,
        _ => return None,
    })
}

fn ascii_word_break(byte: u8) -> WordBreak {
    ASCII_WORD_BREAK[usize::from(byte & 0x7f)]
}

/// [`ascii_word_break_of`] for every ASCII byte, looked up once per byte of English text.
const ASCII_WORD_BREAK: [WordBreak; 128] = {
    let mut classes = [WordBreak::Other; 128];
    let mut byte: u8 = 0;
    while byte < 128 {
        classes[byte as usize] = ascii_word_break_of(byte);
        byte += 1;
    }
    classes
};

const fn ascii_word_break_of(byte: u8) -> WordBreak {
    match byte {
        b'a'..=b'z' | b'A'..=b'Z' => WordBreak::Letter,
        b'0'..=b'9' => WordBreak::Digit,
        b'_' => WordBreak::Underscore,
        b':' => WordBreak::MidLetter,
        b'.' | b'\'' => WordBreak::MidNumLet,
        b',' | b';' => WordBreak::MidNum,
        _ => WordBreak::Other,
    }
}

/// The words of a text made of characters [`word_break`] knows, as UAX #29 cuts them: letters,
/// digits and `_` stick together (rules WB5, WB8-WB10, WB13a-b); MidLetter and MidNumLet join
/// two letters (WB6-7), MidNum and MidNumLet two digits (WB11-12). Everything else is a
/// boundary, and the segments between words (spaces, punctuation) are not emitted.
fn known_words(text: &str, mut emit: impl FnMut(Range<usize>)) {
    use WordBreak::{Digit, Letter, MidLetter, MidNum, MidNumLet, Underscore};
    let class_at = |i: usize| {
        let &byte = text.as_bytes().get(i)?;
        if byte.is_ascii() {
            return Some((ascii_word_break(byte), 1));
        }
        let c = text[i..].chars().next()?;
        Some((word_break(c).unwrap_or(WordBreak::Other), c.len_utf8()))
    };
    let mut i = 0;
    while let Some((first, width)) = class_at(i) {
        if !matches!(first, Letter | Digit | Underscore) {
            i += width;
            continue;
        }
        let start = i;
        let mut last = first;
        i += width;
        while let Some((class, width)) = class_at(i) {
            match class {
                Letter | Digit | Underscore => {
                    last = class;
                    i += width;
                }
                MidLetter | MidNumLet | MidNum => {
                    let Some((next, next_width)) = class_at(i + width) else {
                        break;
                    };
                    let joins = match (last, next) {
                        (Letter, Letter) => class != MidNum,
                        (Digit, Digit) => class != MidLetter,
                        _ => false,
                    };
                    if !joins {
                        break;
                    }
                    last = next;
                    i += width + next_width;
                }
                WordBreak::Other => break,
            }
        }
        emit(start..i);
    }
}

/// The stretch of the text around its byte `p` (any byte, not only a character's first) from the
/// break at or before it to the next one ([`is_break_at`]), or to the text's ends. Breaks are
/// found by their first byte with `memchr`: `\n`, or 0xE3, which leads `。` and `、` but also
/// the rest of U+3000..U+3FFF (other CJK punctuation, kana), checked and passed over.
fn stretch_around(bytes: &[u8], p: usize) -> Range<usize> {
    let mut start = 0;
    let mut before = &bytes[..=p];
    while let Some(i) = memchr::memrchr2(b'\n', 0xe3, before) {
        if is_break_at(bytes, i) {
            start = i;
            break;
        }
        before = &before[..i];
    }
    let mut end = bytes.len();
    let mut from = p + 1;
    while let Some(i) = bytes
        .get(from..)
        .and_then(|rest| memchr::memchr2(b'\n', 0xe3, rest))
    {
        if is_break_at(bytes, from + i) {
            end = from + i;
            break;
        }
        from += i + 1;
    }
    start..end
}

/// Whether a line end, `。` or `、` starts at byte `i`: none of them is glued into a run by
/// [`script_runs`], and in UAX #29 each is a boundary on both sides of every word (a line end,
/// or class Other; a combining mark after one joins it, not a word). So the runs with Han and
/// the words of a text are those of its stretches from one such character to the next, each
/// cut alone.
fn is_break_at(bytes: &[u8], i: usize) -> bool {
    matches!(bytes[i..], [b'\n', ..] | [0xe3, 0x80, 0x81 | 0x82, ..])
}

/// Cuts text into runs for the two segmenters and hands each to `visit`, in order, with whether
/// it holds Han. A Han run also takes the letters and digits glued to it without a space
/// (`用ChatGPT写`), so jieba can see mixed words such as `B站`. A run without Han is handed over
/// only when it holds a word: one of spaces and punctuation alone (the `，` between two clauses of
/// Chinese, the commonest run of all) has no letter or digit, so the word scan would find no
/// token in it. (A callback rather than a list: a block has dozens of runs, and growing a list
/// for each block cost more than the scan.)
fn script_runs(text: &str, mut visit: impl FnMut(Range<usize>, bool)) {
    // Start of the pending run without Han, whether a word has joined it, and the word being
    // read: its start and whether it holds Han. A word without Han simply joins the pending run.
    let mut pending = 0;
    let mut pending_words = false;
    let mut word: Option<(usize, bool)> = None;
    let mut close_word = |word: (usize, bool), end: usize| match word {
        (start, true) => {
            if pending < start && pending_words {
                visit(pending..start, false);
            }
            visit(start..end, true);
            (pending, pending_words) = (end, false);
        }
        (_, false) => pending_words = true,
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let (glued, han, width) = if byte.is_ascii() {
            let glued = byte.is_ascii_alphanumeric()
                || matches!(byte, b'-' | b'_' | b'.' | b'+' | b'#' | b'&');
            (glued, false, 1)
        } else if is_common_han(byte, bytes.get(i + 1)) {
            (true, true, 3)
        } else {
            let c = text[i..].chars().next().unwrap_or_default();
            let han = is_han(c);
            let glued = han || (!is_cjk_punctuation(c) && c.is_alphanumeric());
            (glued, han, c.len_utf8())
        };
        match (&mut word, glued) {
            (Some((_, has_han)), true) => *has_han |= han,
            (None, true) => word = Some((i, han)),
            (Some(_), false) => close_word(word.take().unwrap_or_default(), i),
            (None, false) => {}
        }
        i += width;
        // Within a word, the common Han characters and ASCII letters and digits that follow are
        // told by their bytes alone, in a loop that keeps nothing but the position: most of a
        // post's characters are such stretches.
        if let Some((_, has_han)) = &mut word {
            while let Some(&byte) = bytes.get(i) {
                if is_common_han(byte, bytes.get(i + 1)) {
                    *has_han = true;
                    i += 3;
                } else if byte.is_ascii_alphanumeric() {
                    i += 1;
                } else {
                    break;
                }
            }
        }
    }
    if let Some(word) = word {
        close_word(word, text.len());
    }
    if pending < text.len() && pending_words {
        visit(pending..text.len(), false);
    }
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
    fn common_han_bytes_are_exactly_the_han_characters_they_claim() {
        for c in '\u{800}'..='\u{ffff}' {
            let bytes = c.to_string().into_bytes();
            let told = is_common_han(bytes[0], bytes.get(1));
            assert_eq!(
                told,
                is_han(c) && ('\u{4000}'..='\u{9fff}').contains(&c),
                "{c:?}"
            );
        }
        for word in [
            "人工智能",
            "一个",
            "了",
            "䷀",
            "䷀人",
            "䷿a",
            "B站",
            "〇",
            "㐀",
            "ChatGPT",
            "2024",
            "3.5",
            "—",
            "ü",
            "…",
        ] {
            let slow = if word.chars().any(is_han) {
                Some(TokenKind::Han)
            } else if word.chars().all(|c| c.is_ascii_digit()) {
                Some(TokenKind::Number)
            } else if word.chars().any(char::is_alphanumeric) {
                Some(TokenKind::Latin)
            } else {
                None
            };
            assert_eq!(token_kind(word), slow, "{word}");
        }
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
    fn shipped_dictionary_loads_and_keeps_the_total() {
        let jieba = build_jieba(&[], false);
        assert!(jieba.has_word("我们") && jieba.has_word("人工智能"));
        // The placeholder word carries the dropped frequency; it can never be cut from text.
        assert!(jieba.has_word("\u{e000}"));
        assert!(!run_list("\u{e000}").iter().any(|(_, han)| *han));
    }

    #[test]
    fn build_dictionary_equals_adding_the_shipped_words_at_run_time() {
        let words = Vocabulary::shipped()
            .expect("valid dictionaries")
            .han_words();
        assert!(words.len() > 100);
        let merged = build_jieba(&[], true);
        let added = build_jieba(&words, false);
        // `suggest_freq` reads a word's frequency and the table's total.
        for word in &words {
            assert!(merged.has_word(word), "{word}");
            assert_eq!(
                merged.suggest_freq(word),
                added.suggest_freq(word),
                "{word}"
            );
        }
        let text = words.join("的");
        let cut = |jieba: &Jieba| -> Vec<String> {
            jieba
                .tag(&text, true)
                .iter()
                .map(|t| format!("{}/{}", t.word, t.tag))
                .collect()
        };
        assert_eq!(cut(&merged), cut(&added));
    }

    #[test]
    fn cached_runs_belong_to_their_segmenter() {
        let seg = Segmenter::new(vec!["新芯片".to_owned()]);
        let text = "今天发布了新芯片，今天发布了新芯片";
        let first = words(&seg, text);
        assert!(first.contains(&"新芯片".to_owned()), "{first:?}");
        assert_eq!(first, words(&seg, text));
        let (a, b) = first.split_at(first.len() / 2);
        assert_eq!(a, b);
        // Another segmenter on the same thread does not see this one's runs.
        let plain = words(&Segmenter::default(), text);
        assert!(!plain.contains(&"新芯片".to_owned()), "{plain:?}");
        assert_eq!(words(&seg, text), first);
    }

    fn run_list(text: &str) -> Vec<(Range<usize>, bool)> {
        let mut runs = Vec::new();
        script_runs(text, |run, han| runs.push((run, han)));
        runs
    }

    /// The run split written char by char, as it was before the byte scan.
    fn char_runs(text: &str) -> Vec<(Range<usize>, bool)> {
        let mut runs: Vec<(Range<usize>, bool)> = Vec::new();
        let (mut start, mut in_word, mut has_han) = (0, false, false);
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
            if is_word_char(c) {
                if !in_word {
                    flush(&mut runs, start..i, false);
                    (start, in_word, has_han) = (i, true, false);
                }
                has_han |= is_han(c);
            } else if in_word {
                flush(&mut runs, start..i, has_han);
                (start, in_word) = (i, false);
            }
        }
        flush(&mut runs, start..text.len(), in_word && has_han);
        runs
    }

    /// The characters that make words for [`char_runs`].
    fn is_word_char(c: char) -> bool {
        is_han(c) || c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '+' | '#' | '&')
    }

    #[test]
    fn cjk_punctuation_is_neither_letter_nor_digit() {
        let all = (0..=0x10ffff_u32).filter_map(char::from_u32);
        let punctuation: Vec<char> = all.filter(|&c| is_cjk_punctuation(c)).collect();
        assert!(punctuation.len() == 59 && punctuation.contains(&'，'));
        for c in punctuation {
            assert!(!c.is_alphanumeric() && !is_han(c), "{c:?}");
        }
    }

    /// The general word-boundary scan, for comparison.
    fn uax29_words(text: &str) -> Vec<Range<usize>> {
        text.split_word_bound_indices()
            .filter(|(_, w)| w.chars().any(char::is_alphanumeric))
            .map(|(i, w)| i..i + w.len())
            .collect()
    }

    fn fast_words(text: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        latin_words(text, |span| {
            if text[span.clone()].chars().any(char::is_alphanumeric) {
                out.push(span);
            }
        });
        out
    }

    #[test]
    fn known_words_cut_like_unicode_word_boundaries() {
        for text in [
            "Hello, world: it's 3.14, or 1,000;5 e.g. U.S.A. a:b a::b __init__ x_1 1_x",
            "don't 'quoted' a.1 1.a 1..2 a..b a.b.c 3.14.15 _ __ a_ _a. ..a ' : ; ,",
            "\r\nline\tTab  double  spaces--dash C++ C# AT&T 10:30 v1.2.3-beta",
            "it’s “quoted” — a–b… a·b a：b 1，000 1；2 a．b 1．5 【x】 (y) 《z》\u{a0}w\u{3000}v",
            "café naïve e\u{301}t\u{200d}x: the general scan",
        ] {
            assert_eq!(fast_words(text), uax29_words(text), "{text}");
        }
    }

    #[test]
    fn every_known_class_is_the_unicode_one() {
        // Each character between letters and between digits joins or splits them as the
        // general scan does.
        let known = (0..=0x10ffff_u32)
            .filter_map(char::from_u32)
            .filter(|&c| word_break(c).is_some());
        for c in known {
            for text in [
                format!("ab{c}cd"),
                format!("12{c}34"),
                format!("a{c}1"),
                format!("{c}{c}x{c}"),
            ] {
                assert_eq!(fast_words(&text), uax29_words(&text), "{text:?}");
                let mut direct = Vec::new();
                known_words(&text, |span| direct.push(span));
                direct.retain(|span| text[span.clone()].chars().any(char::is_alphanumeric));
                assert_eq!(direct, uax29_words(&text), "{text:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn known_words_agree_on_any_text(text in "[a-c0-2_:.',; \\-’，：·。“é]{0,24}") {
            proptest::prop_assert_eq!(fast_words(&text), uax29_words(&text));
        }

        #[test]
        fn script_runs_agree_with_the_char_scan(text in "[a-c1_ .,，。é中文〇·一了䷀㐀\\-]{0,20}") {
            // Runs without Han that hold no word character are left out, and rightly so:
            // the word scan finds no word in any of them.
            let (kept, left_out): (Vec<_>, Vec<_>) = char_runs(&text)
                .into_iter()
                .partition(|(run, han)| *han || text[run.clone()].chars().any(is_word_char));
            proptest::prop_assert_eq!(run_list(&text), kept);
            for (run, _) in left_out {
                proptest::prop_assert!(fast_words(&text[run]).is_empty());
            }
        }
    }

    #[test]
    fn touched_runs_are_cut_as_the_whole_text_cuts_them() {
        let seg = Segmenter::default();
        let text = "他说：OpenAI的GPT-4很强，我们用ChatGPT写代码。Hello, world 很好 2024年B站";
        let all = seg.segment(text);
        let runs = run_list(text);
        let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        for (n, &a) in bounds.iter().enumerate() {
            for &b in &bounds[n..] {
                let at = [a, b];
                let touched = |t: &Token<'_>| {
                    runs.iter().any(|(run, _)| {
                        run.contains(&t.span.start) && at.iter().any(|p| run.contains(p))
                    })
                };
                let expected: Vec<&Token<'_>> = all.iter().filter(|t| touched(t)).collect();
                let got = seg.segment_touching(text, &at);
                assert_eq!(got.iter().collect::<Vec<_>>(), expected, "at {at:?}");
            }
        }
    }

    /// One segmenter for every case: building jieba's table is most of a case's cost.
    fn shared_segmenter() -> &'static Segmenter {
        static SEGMENTER: OnceLock<Segmenter> = OnceLock::new();
        SEGMENTER.get_or_init(Segmenter::default)
    }

    /// The tokens of the whole text's segmentation that lie in a run holding one of `at`, a run
    /// without Han taken only between the breaks around the offset.
    fn touched_by_whole_text<'a>(text: &'a str, at: &[usize]) -> Vec<Token<'a>> {
        let breaks: Vec<usize> = (0..text.len())
            .filter(|&i| is_break_at(text.as_bytes(), i))
            .collect();
        let pieces: Vec<Range<usize>> = run_list(text)
            .into_iter()
            .flat_map(|(run, _)| {
                let inside = breaks.iter().copied().filter(|s| run.contains(s));
                let cuts: Vec<usize> = std::iter::once(run.start)
                    .chain(inside)
                    .chain([run.end])
                    .collect();
                cuts.windows(2).map(|w| w[0]..w[1]).collect::<Vec<_>>()
            })
            .collect();
        let touched = |t: &Token<'_>| {
            pieces
                .iter()
                .any(|piece| piece.contains(&t.span.start) && at.iter().any(|p| piece.contains(p)))
        };
        (shared_segmenter().segment(text).into_iter())
            .filter(|t| touched(t))
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn touched_runs_are_cut_as_the_whole_text_cuts_them_between_breaks(
            text in "[a-c1_ .,':，：。\n\r中文了一é\u{301}\u{3001}\u{3041}]{0,30}",
            at in proptest::collection::vec(0..40_usize, 0..4),
        ) {
            let mut at: Vec<usize> = at.into_iter().map(|p| p * text.len() / 40).collect();
            at.sort_unstable();
            let got = shared_segmenter().segment_touching(&text, &at);
            proptest::prop_assert_eq!(got, touched_by_whole_text(&text, &at));
        }
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
