//! Finds where a post mentions vocabulary entries: text blocks in, [`Mention`]s out, each with
//! the alias, line, zone and position. Aliases match by a hashed index of their keys' prefixes
//! ([`scan`]; keys and patterns precompiled by the build for the shipped vocabulary) on
//! NFKC-normalized text, ASCII case checked per alias, Latin ones at word boundaries; Han aliases
//! must start and end on jieba token boundaries. Also
//! proposes names the vocabulary lacks (open vocabulary) from bold names, speaker labels and
//! glosses such as `**黄仁勋**（Jensen Huang）`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use serde::Serialize;
use unicode_normalization::char::is_combining_mark;

use crate::extract::{TextBlock, Zone};
use crate::field::Field;
use crate::segment::{is_han, Segmenter, Token};
use crate::vocab::compiled::shipped_search;
use crate::vocab::keys::{
    is_stable_punctuation, pattern_sets, search_spec, PatternSpec, SearchSpec,
};
use crate::vocab::{normalize, normalized, push_folded, EntryId, Vocabulary};

mod scan;
use scan::{KeyScan, PADDING};

/// Where in the post a mention sits; scoring weighs these differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// The front matter `title`.
    Title,
    /// A Markdown heading.
    Heading,
    /// A `**Name**:` speaker label.
    Speaker,
    /// A `**bold**` span in the body.
    Bold,
    /// Plain body text.
    Body,
    /// An English original inside `<details>`.
    English,
}

impl Place {
    /// Every place, in weight order.
    pub const ALL: [Place; 6] = [
        Place::Title,
        Place::Heading,
        Place::Speaker,
        Place::Bold,
        Place::Body,
        Place::English,
    ];

    /// The snake_case name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Place::Title => "title",
            Place::Heading => "heading",
            Place::Speaker => "speaker",
            Place::Bold => "bold",
            Place::Body => "body",
            Place::English => "english",
        }
    }
}

/// What a mention is of: a vocabulary entry, or a name the vocabulary does not have.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subject {
    /// A vocabulary entry.
    Entry(EntryId),
    /// A proposed new name for a field.
    New {
        /// The field it would go in.
        field: Field,
        /// The name that would be written.
        name: String,
    },
}

/// Why an unknown name was proposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cue {
    /// A bold Latin person name, `**Jensen Huang**`.
    BoldName,
    /// A speaker label that reads as a person name, `**Lisa Su**:`.
    SpeakerName,
    /// A Chinese name glossed in English, `**黄仁勋**（Jensen Huang）`.
    Gloss,
    /// A work in title marks that is bold or in the title, `**《三体》**`.
    BookTitle,
    /// A bold Chinese name that jieba tags as a person, or a transliteration with a middle
    /// dot, `**陶哲轩**`, `**蒂姆·库克**`.
    HanName,
}

impl Cue {
    /// The snake_case name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Cue::BoldName => "bold_name",
            Cue::SpeakerName => "speaker_name",
            Cue::Gloss => "gloss",
            Cue::BookTitle => "book_title",
            Cue::HanName => "han_name",
        }
    }
}

/// One place where a post names a subject.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention<'p> {
    /// What is named.
    pub subject: Subject,
    /// The text as it appears in the post, borrowed from its block: a post has thousands of
    /// mentions, and a copy of each alias was an allocation apiece.
    pub alias: &'p str,
    /// Index of the text block.
    pub block: usize,
    /// The 1-based file line of the block.
    pub line: usize,
    /// The zone of the block (title, heading, paragraph, English).
    pub zone: Zone,
    /// The finer place: title, heading, speaker label, bold, body or English original.
    pub place: Place,
    /// How far into the post, from 0 (start) to 1 (end), by characters.
    pub position: f64,
    /// Whether the alias also names other entries.
    pub ambiguous: bool,
}

/// A name proposed from the text's structure, with the forms it is written in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Proposal {
    /// The field it would go in.
    pub field: Field,
    /// The name to write.
    pub name: String,
    /// Forms to count in the text (the name and, for a gloss, the Chinese form).
    pub forms: Vec<String>,
    /// Why it was proposed.
    pub cue: Cue,
}

/// One alias pattern of the search: the entries it names and how it must align.
#[derive(Debug, Clone, PartialEq)]
struct Pattern {
    entries: Vec<EntryId>,
    han: bool,
    ambiguous: bool,
    /// For an exact-case alias, its key: the text as written must read exactly this.
    case: Option<String>,
}

impl From<(PatternSpec, Option<String>)> for Pattern {
    fn from((spec, case): (PatternSpec, Option<String>)) -> Self {
        Self {
            entries: spec.entries.into_iter().map(EntryId).collect(),
            han: spec.han,
            ambiguous: spec.ambiguous,
            case,
        }
    }
}

/// The search for the ASCII-lowercased alias keys (lowered text has the same byte offsets); the
/// value it reports for a key indexes its group, the patterns the key stands for (see
/// [`SearchSpec`]).
#[derive(Clone, PartialEq)]
struct Search {
    keys: KeyScan,
    group_starts: Vec<u32>,
    group_ids: Vec<u32>,
    patterns: Vec<Pattern>,
}

impl std::fmt::Debug for Search {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Search")
            .field("patterns", &self.patterns.len())
            .finish()
    }
}

impl Search {
    /// `None` when there are no keys, so nothing to scan for.
    fn build(spec: SearchSpec) -> Option<Self> {
        if spec.keys.is_empty() {
            return None;
        }
        Some(Self {
            keys: KeyScan::new(&spec.keys),
            group_starts: spec.group_starts,
            group_ids: spec.group_ids,
            patterns: spec.patterns.into_iter().map(Pattern::from).collect(),
        })
    }

    /// Adds the occurrences of keys in `text`, overlapping ones included, by start; an
    /// exact-case pattern only where `text` reads as its key. `lowered` is `text`
    /// ASCII-lowercased, then [`PADDING`] zero bytes. Some hits [`MatchText::keep_aligned`]
    /// would drop are left out (see [`KeyScan::scan`]). Hits borrow their pattern's entries:
    /// most are dropped by alignment or overlap, so copying them is wasted.
    fn push_hits<'p>(&'p self, text: &str, lowered: &[u8], hits: &mut Vec<Hit<'p>>) {
        self.keys.scan(lowered, text.len(), |span, key| {
            let key = key as usize;
            let group = self.group_starts[key] as usize..self.group_starts[key + 1] as usize;
            for &id in &self.group_ids[group] {
                let pattern = &self.patterns[id as usize];
                if pattern
                    .case
                    .as_deref()
                    .is_some_and(|key| text.as_bytes()[span.clone()] != *key.as_bytes())
                {
                    continue;
                }
                hits.push(Hit {
                    span: span.clone(),
                    entries: &pattern.entries,
                    han: pattern.han,
                    ambiguous: pattern.ambiguous || pattern.entries.len() > 1,
                });
            }
        });
    }

    /// The search for the shipped vocabulary, from the keys and patterns the build
    /// precompiled; `Some(None)` when it has no keys, `None` if they do not decode (the caller
    /// then builds them).
    fn shipped() -> Option<Option<Self>> {
        shipped_search().map(Self::build)
    }
}

/// The compiled vocabulary: one search for the normalized aliases (exact-case ones checked
/// against the text as written), plus what discovery learns from the vocabulary's names.
#[derive(Debug)]
pub struct Matcher {
    search: Option<Search>,
    /// First words of the Latin names in `people` (`Jensen`, `Sam`): a bold `Jensen Wu` reads
    /// as a person, a bold `Canadian Pacific` does not.
    given_names: BTreeSet<String>,
}

impl Matcher {
    /// Compiles a vocabulary.
    pub fn new(vocab: &Vocabulary) -> Self {
        let shipped = vocab.is_shipped().then(Search::shipped).flatten();
        let search = shipped.unwrap_or_else(|| {
            Search::build(search_spec(pattern_sets(
                vocab
                    .aliases()
                    .iter()
                    .map(|a| (a.key.as_str(), a.entry.0, a.exact, a.han, a.ambiguous)),
            )))
        });
        // A folded alias also hits text that an exact alias of another entry names (both
        // `Apple` and `APPLE`); collisions are rejected at load unless ambiguous, so marking
        // the ambiguity here is enough.
        let given_names = vocab
            .entries()
            .iter()
            .filter(|e| e.field == Field::People)
            .flat_map(|e| e.surface_forms())
            .filter(|form| looks_like_person(form, None))
            .filter_map(|form| form.split(' ').next().map(str::to_owned))
            .collect();
        Self {
            search,
            given_names,
        }
    }

    /// Finds every vocabulary mention in a post.
    pub fn find_mentions<'p>(&self, post: &MatchText<'p>) -> Vec<Mention<'p>> {
        // Room for a mention every 80 bytes of text at once, rather than a list doubled over and
        // over: in nine posts of ten of 500 fresh drafts they are sparser (165 bytes apart in
        // the median post, 40 at the densest), and a denser post grows the list.
        let bytes: usize = post.blocks.iter().map(|b| b.text.len()).sum();
        let mut out = Vec::with_capacity(bytes / 80);
        let mut lowered = Vec::new();
        // One list of hits and one of kept hits for every block, each emptied as it is read,
        // rather than two allocated (and the hits grown) per block.
        let mut hits: Vec<Hit<'_>> = Vec::new();
        let mut kept = Vec::new();
        for (index, block, norm) in post.blocks() {
            if let Some(search) = &self.search {
                lowered.clear();
                lowered.extend_from_slice(norm.text.as_bytes());
                lowered.make_ascii_lowercase();
                lowered.resize(norm.text.len() + PADDING, 0);
                search.push_hits(&norm.text, &lowered, &mut hits);
            }
            post.keep_aligned(index, &mut hits);
            let mut chars = CharCursor::new(&block.text);
            select_longest(&mut hits, &mut kept);
            for hit in kept.drain(..) {
                let original = norm.original(&hit.span);
                let place = post.layout.place(block, &original);
                let position = post.layout.position(index, chars.count_to(original.start));
                for entry in hit.entries.iter() {
                    out.push(Mention {
                        subject: Subject::Entry(*entry),
                        alias: &block.text[original.clone()],
                        block: index,
                        line: block.line,
                        zone: block.zone,
                        place,
                        position,
                        ambiguous: hit.ambiguous,
                    });
                }
            }
        }
        out
    }

    /// Proposes names the vocabulary does not know: people from bold Latin names, speaker
    /// labels and English glosses; works from title marks in bold or in the title. Spans a
    /// known mention already covers are skipped.
    pub fn propose_names(
        &self,
        blocks: &[TextBlock],
        vocab: &Vocabulary,
        known: &[Mention<'_>],
        segmenter: &Segmenter,
    ) -> Vec<Proposal> {
        // One list by block rather than a list per block: a post has thousands of mentions, and
        // a vector apiece cost an allocation or more per block. `find_mentions` gives them by
        // block already; sorting them all by alias as well cost more than the rest of this
        // function but the tagging, when only the few blocks with bold spans need their aliases.
        let mut known_by_block: Vec<(usize, &str)> =
            known.iter().map(|m| (m.block, m.alias)).collect();
        if !known_by_block.is_sorted_by_key(|&(block, _)| block) {
            known_by_block.sort_by_key(|&(block, _)| block);
        }
        // Whether a bold Han label the vocabulary lacks is tagged as a person: a speaker label
        // repeats at every turn, and tagging it costs a segmentation each time.
        let mut han_names: HashMap<String, bool> = HashMap::new();
        let mut found: BTreeMap<(Field, String), Proposal> = BTreeMap::new();
        let mut add = |field: Field, name: String, han: Option<String>, cue: Cue| {
            if !vocab.lookup(&name).is_empty()
                || han.as_deref().is_some_and(|h| !vocab.lookup(h).is_empty())
            {
                return;
            }
            let proposal = found
                .entry((field, name.clone()))
                .or_insert_with(|| Proposal {
                    field,
                    forms: vec![name.clone()],
                    name,
                    cue,
                });
            proposal.cue = proposal.cue.min(cue);
            if let Some(han) = han {
                if !proposal.forms.contains(&han) {
                    proposal.forms.push(han);
                }
            }
        };
        for (index, block) in blocks.iter().enumerate() {
            if block.zone == Zone::English {
                continue;
            }
            for (span, title) in book_titles(&block.text) {
                // `**《书》**` and `《**书**》` both count.
                let marked = block.zone != Zone::Paragraph
                    || block
                        .bold
                        .iter()
                        .any(|b| b.start <= span.start + 3 && span.end <= b.end + 3);
                if marked {
                    add(Field::MediaBooks, title, None, Cue::BookTitle);
                }
            }
            if block.zone != Zone::Paragraph {
                continue;
            }
            let first = known_by_block.partition_point(|&(b, _)| b < index);
            let count = known_by_block[first..].partition_point(|&(b, _)| b == index);
            let in_block = &known_by_block[first..first + count];
            // A block names the same alias many times; each distinct one is looked for once.
            let aliases = std::cell::OnceCell::new();
            let covered = |span: &Range<usize>| {
                let aliases = aliases.get_or_init(|| {
                    let mut aliases: Vec<&str> = in_block.iter().map(|&(_, a)| a).collect();
                    aliases.sort_unstable();
                    aliases.dedup();
                    aliases
                });
                let text = &block.text[span.clone()];
                aliases.iter().any(|a| contains(text, a))
            };
            for span in &block.bold {
                let text = normalized(&block.text[span.clone()]);
                let is_label = block
                    .speaker
                    .as_ref()
                    .is_some_and(|s| s.start == span.start);
                let label = text.trim_end_matches([':', ' ']);
                // Without a parenthetical after the span, the second try reads the label again.
                let gloss = may_hold_parentheses(label)
                    .then(|| split_gloss(label))
                    .flatten()
                    .or_else(|| {
                        let after = leading_parenthetical(&block.text[span.end..]);
                        (!after.is_empty())
                            .then(|| split_gloss(&format!("{label}{after}")))
                            .flatten()
                    });
                if let Some((han, latin)) = gloss {
                    let person =
                        looks_like_person(&latin, Some(&self.given_names)) || han.contains('·');
                    if person && !covered(span) {
                        add(Field::People, latin, Some(han), Cue::Gloss);
                    }
                    continue;
                }
                // Cheapest tests first: tagging may load jieba's part-of-speech model.
                if has_han_name_shape(label) && !covered(span) && {
                    if let Some(&known) = han_names.get(label) {
                        known
                    } else {
                        let name = vocab.lookup(label).is_empty()
                            && (label.contains('·') || segmenter.is_person_name(label));
                        han_names.insert(label.to_owned(), name);
                        name
                    }
                } {
                    add(Field::People, label.to_owned(), None, Cue::HanName);
                    continue;
                }
                if looks_like_person(label, Some(&self.given_names)) && !covered(span) {
                    let cue = if is_label {
                        Cue::SpeakerName
                    } else {
                        Cue::BoldName
                    };
                    add(Field::People, label.to_owned(), None, cue);
                }
            }
        }
        found.into_values().collect()
    }

    /// Whether [`Matcher::propose_names`] may ask jieba to tag a bold Han name it does not know
    /// (which loads the part-of-speech model): some bold span in a paragraph is two to four Han
    /// characters the vocabulary lacks. Needs no segmentation, so it can be asked early.
    pub fn may_tag_names(blocks: &[TextBlock], vocab: &Vocabulary) -> bool {
        blocks
            .iter()
            .filter(|block| block.zone == Zone::Paragraph)
            .flat_map(|block| block.bold.iter().map(|span| &block.text[span.clone()]))
            .any(|bold| {
                let text = normalize(bold);
                let label = text.trim_end_matches([':', ' ']);
                (2..=4).contains(&label.chars().count())
                    && label.chars().all(is_han)
                    && vocab.lookup(label).is_empty()
            })
    }

    /// Finds the mentions of proposed names (every form, case as written, at word boundaries).
    pub fn find_proposed<'p>(
        &self,
        post: &MatchText<'p>,
        proposals: &[Proposal],
    ) -> Vec<Mention<'p>> {
        if proposals.is_empty() {
            return Vec::new();
        }
        let mut forms: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, proposal) in proposals.iter().enumerate() {
            for form in &proposal.forms {
                forms.entry(normalize(form)).or_default().push(i);
            }
        }
        // A post proposes a handful of forms: a vectorized substring search per form beats
        // building an automaton for them. Every occurrence counts, overlapping ones too; the
        // order of hits does not matter, as only one form can span given text.
        let finders: Vec<(memchr::memmem::Finder<'_>, bool)> = forms
            .keys()
            .filter(|key| !key.is_empty())
            .map(|key| (memchr::memmem::Finder::new(key), key.chars().any(is_han)))
            .collect();
        let found = occurrences_by_block(&post.norms, &finders);
        let mut out = Vec::new();
        let mut kept = Vec::new();
        let mut rest = found.as_slice();
        while let Some(&(index, _, _)) = rest.first() {
            let count = rest.iter().take_while(|(i, _, _)| *i == index).count();
            let (in_block, after) = rest.split_at(count);
            rest = after;
            let block = &post.blocks[index];
            let norm = &post.norms[index];
            let mut hits: Vec<Hit<'_>> = in_block
                .iter()
                .map(|(_, span, han)| Hit {
                    span: span.clone(),
                    entries: &[],
                    han: *han,
                    ambiguous: false,
                })
                .collect();
            post.keep_aligned(index, &mut hits);
            let mut chars = CharCursor::new(&block.text);
            select_longest(&mut hits, &mut kept);
            for hit in kept.drain(..) {
                let key = &norm.text[hit.span.clone()];
                let original = norm.original(&hit.span);
                let place = post.layout.place(block, &original);
                let position = post.layout.position(index, chars.count_to(original.start));
                for &i in forms.get(key).into_iter().flatten() {
                    out.push(Mention {
                        subject: Subject::New {
                            field: proposals[i].field,
                            name: proposals[i].name.clone(),
                        },
                        alias: &block.text[original.clone()],
                        block: index,
                        line: block.line,
                        zone: block.zone,
                        place,
                        position,
                        ambiguous: false,
                    });
                }
            }
        }
        out
    }
}

/// Whether `needle` occurs in `text`. Bold spans are short: comparing at each offset costs less
/// than setting up a vectorized search, which a long span still gets.
fn contains(text: &str, needle: &str) -> bool {
    let (text, needle) = (text.as_bytes(), needle.as_bytes());
    if needle.len() > text.len() {
        return false;
    }
    if needle.is_empty() || text.len() > 64 {
        return memchr::memmem::find(text, needle).is_some();
    }
    text.windows(needle.len()).any(|w| w == needle)
}

/// Every occurrence of each finder's needle (not empty, no line break) in each normalized block,
/// as (block, span in it, the finder's flag), by block and then finder as a search per block
/// would give them. Each needle is searched once over the blocks joined by line breaks, which
/// normalized text never holds, so no occurrence spans two blocks; a search per block would
/// pay a search's set-up thousands of times.
fn occurrences_by_block(
    norms: &[NormText],
    finders: &[(memchr::memmem::Finder<'_>, bool)],
) -> Vec<(usize, Range<usize>, bool)> {
    let mut joined = String::with_capacity(norms.iter().map(|norm| norm.text.len() + 1).sum());
    let mut starts = Vec::with_capacity(norms.len());
    for norm in norms {
        starts.push(joined.len());
        joined.push_str(&norm.text);
        joined.push('\n');
    }
    let mut found = Vec::new();
    for (finder, flag) in finders {
        for span in occurrences(joined.as_bytes(), finder) {
            let index = starts.partition_point(|&s| s <= span.start) - 1;
            let start = starts[index];
            found.push((index, span.start - start..span.end - start, *flag));
        }
    }
    found.sort_by_key(|(index, _, _)| *index);
    found
}

/// Every occurrence of a finder's needle (not empty) in `text`, overlapping ones included.
fn occurrences<'a>(
    text: &'a [u8],
    finder: &'a memchr::memmem::Finder<'_>,
) -> impl Iterator<Item = Range<usize>> + 'a {
    let mut from = 0;
    std::iter::from_fn(move || {
        let start = from + finder.find(text.get(from..)?)?;
        from = start + 1;
        Some(start..start + finder.needle().len())
    })
}

/// A raw search hit in normalized text, before alignment checks.
#[derive(Debug, Clone)]
struct Hit<'p> {
    span: Range<usize>,
    entries: &'p [EntryId],
    han: bool,
    ambiguous: bool,
}

/// A hit that survived alignment and overlap, with the entries of every alias on its span.
#[derive(Debug)]
struct Kept<'p> {
    span: Range<usize>,
    /// Borrowed from the pattern until another alias on the same span adds its entries.
    entries: std::borrow::Cow<'p, [EntryId]>,
    ambiguous: bool,
}

/// A post's blocks as matching reads them: each normalized once (for the vocabulary, then for
/// proposed names) beside its own tokens.
pub struct MatchText<'p> {
    blocks: &'p [TextBlock],
    tokens: &'p [Vec<Token<'p>>],
    segmenter: &'p Segmenter,
    norms: Vec<NormText>,
    layout: Layout,
}

impl<'p> MatchText<'p> {
    /// Normalizes the blocks; `tokens` are their own ([`Segmenter::segment_blocks_where`]),
    /// index for index, and `segmenter` cut them. A block left uncut has an empty list; its Han
    /// hits are aligned by cutting only the runs at their edges.
    ///
    /// # Panics
    /// If there is not one token list per block.
    pub fn new(
        blocks: &'p [TextBlock],
        tokens: &'p [Vec<Token<'p>>],
        segmenter: &'p Segmenter,
    ) -> Self {
        assert_eq!(blocks.len(), tokens.len(), "one token list per block");
        Self {
            blocks,
            tokens,
            segmenter,
            norms: blocks.iter().map(|b| NormText::new(&b.text)).collect(),
            layout: Layout::new(blocks),
        }
    }

    fn blocks(&self) -> impl Iterator<Item = (usize, &'p TextBlock, &NormText)> + '_ {
        self.blocks
            .iter()
            .zip(&self.norms)
            .enumerate()
            .map(|(index, (block, norm))| (index, block, norm))
    }

    /// Drops a block's hits that start or end inside a word: Latin hits at word boundaries, Han
    /// hits on jieba token boundaries. Where normalization kept the block's tokens (nearly
    /// always), a Han hit is mapped back and checked against them; otherwise the normalized
    /// text is segmented, and only when it has a Han hit.
    fn keep_aligned(&self, index: usize, hits: &mut Vec<Hit<'_>>) {
        let norm = &self.norms[index];
        let text = norm.text.as_str();
        let han = hits.iter().any(|h| h.han);
        let own = (!norm.same_tokens && han).then(|| self.segmenter.segment(text));
        // A block that was not cut (topic features read only part of a long post) has only the
        // runs at its Han hits' edges cut: the same words there, and no jieba for the rest.
        let touched;
        let tokens = if norm.same_tokens && han && self.tokens[index].is_empty() {
            let mut at: Vec<usize> = (hits.iter().filter(|h| h.han))
                .flat_map(|h| {
                    let edges = norm.original(&h.span);
                    [edges.start, edges.end.saturating_sub(1).max(edges.start)]
                })
                .collect();
            at.sort_unstable();
            touched = self
                .segmenter
                .segment_touching(&self.blocks[index].text, &at);
            &touched
        } else {
            &self.tokens[index]
        };
        hits.retain(|hit| {
            if !hit.han {
                return is_word_bounded(text, &hit.span);
            }
            match &own {
                Some(own) => is_aligned(text, &hit.span, own, &hit.span),
                None => is_aligned(text, &hit.span, tokens, &norm.original(&hit.span)),
            }
        });
    }
}

impl std::fmt::Debug for MatchText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MatchText")
            .field("blocks", &self.blocks.len())
            .finish()
    }
}

/// Keeps the longest of overlapping hits (`Claude Code` over `Claude`, `唐纳德·特朗普` over
/// `特朗普`), leftmost first among equals; hits on the same span (ambiguous aliases) all stay.
/// The kept ones are appended to `kept` and `hits` is left empty, so that both lists serve
/// block after block.
fn select_longest<'p>(hits: &mut Vec<Hit<'p>>, kept: &mut Vec<Kept<'p>>) {
    // Most blocks have no hit or one, and nearly all the rest hits that do not overlap, in
    // text order (the scan reports by start): every one of those stays, in that order, so they
    // need no overlap index. Otherwise only the order of hits on the same span counts, and the
    // scan reports those together, in their key's group order, whatever order it finds keys in.
    let disjoint = hits
        .windows(2)
        .all(|w| w[0].span.start < w[1].span.start && w[0].span.end <= w[1].span.start);
    if disjoint {
        kept.extend(hits.drain(..).map(|hit| Kept {
            span: hit.span,
            entries: std::borrow::Cow::Borrowed(hit.entries),
            ambiguous: hit.ambiguous,
        }));
        return;
    }
    select_longest_indexed(hits, kept);
}

/// [`select_longest`] for any number of hits.
fn select_longest_indexed<'p>(hits: &mut Vec<Hit<'p>>, kept: &mut Vec<Kept<'p>>) {
    hits.sort_by(|a, b| {
        b.span
            .len()
            .cmp(&a.span.len())
            .then(a.span.start.cmp(&b.span.start))
    });
    // Kept spans never overlap, so by start they are also in end order: a hit can only overlap
    // the last one that starts before it ends. Keeps a long block's many hits n log n.
    let mut by_start: BTreeMap<usize, Kept<'p>> = BTreeMap::new();
    for hit in hits.drain(..) {
        if let Some(same) = by_start
            .get_mut(&hit.span.start)
            .filter(|k| k.span == hit.span)
        {
            for entry in hit.entries {
                if !same.entries.contains(entry) {
                    same.entries.to_mut().push(*entry);
                    same.ambiguous = true;
                }
            }
            continue;
        }
        let clear = by_start
            .range(..hit.span.end)
            .next_back()
            .is_none_or(|(_, k)| k.span.end <= hit.span.start);
        if clear {
            by_start.insert(
                hit.span.start,
                Kept {
                    span: hit.span,
                    entries: std::borrow::Cow::Borrowed(hit.entries),
                    ambiguous: hit.ambiguous,
                },
            );
        }
    }
    kept.extend(by_start.into_values());
}

/// A Latin letter or digit that continues a word (`LLM` + `s`); Han and kana do not, so
/// `用ChatGPT写` still has `ChatGPT` as a word.
fn is_word_char(c: char) -> bool {
    // Below U+2E80 nothing is Han, and testing the code point first spares Han and kana the
    // Unicode table lookup of `is_alphanumeric` (most hits' neighbours are Han).
    c.is_ascii_alphanumeric() || c == '_' || ((c as u32) < 0x2E80 && c.is_alphanumeric())
}

/// Whether a hit does not start or end inside a word: `Meta` is not in `metadata`.
fn is_word_bounded(text: &str, span: &Range<usize>) -> bool {
    let hit = &text[span.clone()];
    let starts_word = hit.chars().next().is_some_and(is_word_char);
    let ends_word = hit.chars().next_back().is_some_and(is_word_char);
    let before = text[..span.start].chars().next_back();
    let after = text[span.end..].chars().next();
    let glued_before = starts_word && before.is_some_and(is_word_char);
    let glued_after = ends_word && after.is_some_and(is_word_char);
    !glued_before && !glued_after
}

/// Whether a Han hit starts and ends on jieba token boundaries (or on punctuation it holds,
/// as in `《史记》`); its Latin edges must also be word-bounded. `edges` is the hit's span in the
/// text the `tokens` were cut from.
fn is_aligned(text: &str, span: &Range<usize>, tokens: &[Token<'_>], edges: &Range<usize>) -> bool {
    let hit = &text[span.clone()];
    let is_token_char = |c: char| is_han(c) || c.is_alphanumeric();
    // Tokens come in text order, so their starts and their ends are both sorted.
    let start_ok = !hit.chars().next().is_some_and(is_token_char)
        || tokens
            .binary_search_by_key(&edges.start, |t| t.span.start)
            .is_ok();
    let end_ok = !hit.chars().next_back().is_some_and(is_token_char)
        || tokens
            .binary_search_by_key(&edges.end, |t| t.span.end)
            .is_ok();
    start_ok && end_ok && is_word_bounded(text, span)
}

/// Full-width punctuation that normalization turns into ASCII of the same Unicode word-break
/// class, none of it glued into words by the segmenter (see `script_runs`): text segments the
/// same way before and after. The test `folds_that_segment_alike` proves it for each.
const SEGMENT_ALIKE: [char; 7] = ['，', '；', '：', '？', '！', '（', '）'];

/// A block's text normalized for matching, with a map back to the original byte offsets.
struct NormText {
    text: String,
    /// Consecutive stretches of `text`; a normalized offset maps into the stretch holding it.
    pieces: Vec<Piece>,
    original_len: usize,
    /// Whether the original's tokens, mapped through [`NormText::original`], are those of
    /// `text`: normalization changed only whitespace, [`SEGMENT_ALIKE`] punctuation and curly
    /// quotes, and no combining mark follows whitespace.
    same_tokens: bool,
}

/// Where a stretch of normalized text starts, and the original offset it comes from. A linear
/// stretch maps offset for offset (characters copied, or one replaced by one character); any
/// other is one character's expansion (`…` to `...`), all of it mapping to that character.
#[derive(Debug, Clone, Copy)]
struct Piece {
    norm: usize,
    orig: usize,
    linear: bool,
}

impl NormText {
    fn new(original: &str) -> Self {
        let mut norm = Self {
            text: String::with_capacity(original.len()),
            // A full-width mark in Chinese text (one every fifteen characters or so) starts two
            // stretches; grown by pushing, the list was reallocated twice per block on average.
            pieces: Vec::with_capacity(original.len() / 16),
            original_len: original.len(),
            same_tokens: true,
        };
        let bytes = original.as_bytes();
        let mut buf = String::new();
        let mut after_space = false;
        let mut prev_plain = false;
        // Where the run of characters copied as they are began; it is appended whole.
        let mut copy_from = 0;
        let mut offset = 0;
        while offset < bytes.len() {
            // ASCII and the CJK Unified Ideographs (U+4E00..U+9FFF, lead byte E4 with a second
            // byte from B8, or E5..E9) are their own normal form and nearly all of a post: they
            // stay in the run by their bytes alone. So does a space after a run character, as
            // it is its own normal form there (`folds_in_bulk_like_per_character` checks).
            let start = offset;
            loop {
                match bytes.get(offset) {
                    Some(b'\t'..=b'\r' | b' ') => break,
                    Some(0..=0x7f) => offset += plain_ascii_prefix(&bytes[offset..]).max(1),
                    Some(0xe5..=0xe9) => offset += 3,
                    Some(0xe4) if bytes[offset + 1] >= 0xb8 => offset += 3,
                    _ => break,
                }
            }
            if offset > start {
                // The run may end in a space that `plain_ascii_prefix` let in.
                after_space = bytes[offset - 1] == b' ';
                prev_plain = true;
            }
            let Some(&b) = bytes.get(offset) else {
                break;
            };
            if b == b' ' && copy_from < offset && bytes[offset - 1] != b' ' {
                after_space = true;
                prev_plain = true;
                offset += 1;
                continue;
            }
            let c = original[offset..]
                .chars()
                .next()
                .expect("a character starts here");
            // Punctuation that is its own normal form and no space or letter goes in the run too.
            if is_stable_punctuation(c) {
                prev_plain = false;
                offset += c.len_utf8();
                continue;
            }
            let plain = c.is_ascii() || ('\u{4e00}'..='\u{9fff}').contains(&c);
            let was_plain = std::mem::replace(&mut prev_plain, plain);
            norm.push_copied(original, copy_from..offset);
            copy_from = offset + c.len_utf8();
            norm.push_slow(offset, c, was_plain, &mut after_space, &mut buf);
            offset = copy_from;
        }
        norm.push_copied(original, copy_from..original.len());
        norm
    }

    /// Appends the normal form of `c` at `offset`, a character that is not plain ASCII or Han,
    /// or whitespace that may need collapsing. `was_plain`: the character before was plain.
    fn push_slow(
        &mut self,
        offset: usize,
        c: char,
        was_plain: bool,
        after_space: &mut bool,
        buf: &mut String,
    ) {
        // Full-width ASCII (`，`, `：`, `（`) is common: its fold is one ASCII character, not
        // whitespace, and it is no combining mark, so the general case below reduces to this.
        if let Some(ascii) = (c as u32)
            .checked_sub(0xfee0)
            .filter(|_| c <= '\u{ff5e}')
            .and_then(char::from_u32)
            .filter(char::is_ascii_graphic)
        {
            *after_space &= !ascii.is_ascii_alphanumeric();
            let folded = if ascii == '`' { '\'' } else { ascii };
            self.same_tokens &= SEGMENT_ALIKE.contains(&c);
            self.push_char(offset, c, folded);
            return;
        }
        buf.clear();
        push_folded(c, buf);
        if buf.chars().all(char::is_whitespace) {
            self.same_tokens &= c.is_whitespace();
            if !buf.is_empty() && !self.text.ends_with(' ') {
                self.push_char(offset, c, ' ');
            }
            *after_space = true;
            return;
        }
        // A mark joins the word-break segment of a space but not of a newline; format
        // characters may come between.
        if *after_space && is_combining_mark(c) {
            self.same_tokens = false;
        }
        *after_space &= !c.is_alphanumeric();
        let mut chars = buf.chars();
        match (chars.next(), chars.next()) {
            (Some(folded), None) => {
                // Curly quotes segment like `'` except after a Hebrew letter.
                let quote_alike = matches!(c, '‘' | '’') && was_plain;
                self.same_tokens &= folded == c || quote_alike || SEGMENT_ALIKE.contains(&c);
                self.push_char(offset, c, folded);
            }
            _ => {
                self.same_tokens = false;
                self.pieces.push(Piece {
                    norm: self.text.len(),
                    orig: offset,
                    linear: false,
                });
                self.text.push_str(buf);
            }
        }
    }

    /// Appends `folded`, the normal form of the original `c` at `offset`.
    fn push_char(&mut self, offset: usize, c: char, folded: char) {
        self.start_piece(offset, c.len_utf8() == folded.len_utf8());
        self.text.push(folded);
    }

    /// Appends a range of the original that is its own normal form.
    fn push_copied(&mut self, original: &str, range: Range<usize>) {
        if !range.is_empty() {
            self.start_piece(range.start, true);
            self.text.push_str(&original[range]);
        }
    }

    /// Starts a linear stretch for text from `offset` on, unless the last one goes on in step
    /// (the same offset shift, and `same_length` output).
    fn start_piece(&mut self, offset: usize, same_length: bool) {
        let at = self.text.len();
        let in_step = same_length
            && self
                .pieces
                .last()
                .is_some_and(|p| p.linear && p.orig + (at - p.norm) == offset);
        if !in_step {
            self.pieces.push(Piece {
                norm: at,
                orig: offset,
                linear: true,
            });
        }
    }

    /// The original byte range of a normalized range.
    fn original(&self, span: &Range<usize>) -> Range<usize> {
        let i = self.pieces.partition_point(|p| p.norm <= span.start);
        let piece = self.pieces[i.saturating_sub(1)];
        let start = if piece.linear {
            piece.orig + (span.start - piece.norm)
        } else {
            piece.orig
        };
        // The end is where the first character from `span.end` on came from: inside a linear
        // stretch by offset, else the start of the next stretch.
        let i = self.pieces.partition_point(|p| p.norm < span.end);
        let next = self.pieces.get(i);
        let end = match i.checked_sub(1).map(|j| self.pieces[j]) {
            Some(p) if p.linear && span.end < next.map_or(self.text.len(), |n| n.norm) => {
                p.orig + (span.end - p.norm)
            }
            _ => next.map_or(self.original_len, |n| n.orig),
        };
        start..end.max(start)
    }
}

/// How many of the first 8 bytes of `bytes` (0 if it is shorter) stay in a copied run as they
/// are, each as [`NormText::new`] would take it alone: ASCII from `!` on, and a space whose byte
/// before is in the run and no space. The first byte must be no space. English text has a space
/// every few letters, which ended the run byte by byte; here one test takes them in eight at a
/// time.
fn plain_ascii_prefix(bytes: &[u8]) -> usize {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let Some(chunk) = bytes.get(..8) else {
        return 0;
    };
    let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
    // Per byte, in its high bit: not ASCII; below a space (adding 0x60 sets it from 0x20 on);
    // a space (XOR with spaces leaves 0, which adding 0x7f does not lift to the high bit).
    // An add carries into the next byte only out of a byte that is not ASCII, so every byte
    // below the first bad one reads true.
    let wide = word & HIGH;
    let control = !word.wrapping_add(0x6060_6060_6060_6060) & HIGH;
    let space = !(word ^ 0x2020_2020_2020_2020).wrapping_add(0x7f7f_7f7f_7f7f_7f7f) & HIGH;
    let bad = wide | control | (space & (space << 8 | 0x80));
    bad.trailing_zeros() as usize / 8
}

/// Counts a block's characters up to rising byte offsets, each count going on from the last,
/// so positioning a block's mentions is linear in its length.
struct CharCursor<'t> {
    text: &'t str,
    byte: usize,
    chars: usize,
}

impl<'t> CharCursor<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            text,
            byte: 0,
            chars: 0,
        }
    }

    /// The number of characters before `byte`.
    fn count_to(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            (self.byte, self.chars) = (0, 0);
        }
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

/// Where each block sits in the post, for positions and places.
struct Layout {
    /// Characters before each block.
    offsets: Vec<usize>,
    total: usize,
}

impl Layout {
    fn new(blocks: &[TextBlock]) -> Self {
        let mut offsets = Vec::with_capacity(blocks.len());
        let mut total = 0;
        for block in blocks {
            offsets.push(total);
            total += block.text.chars().count();
        }
        Self {
            offsets,
            total: total.max(1),
        }
    }

    /// How far into the post a block's `within`-th character is, from 0 to 1.
    fn position(&self, block: usize, within: usize) -> f64 {
        (self.offsets[block] + within) as f64 / self.total as f64
    }

    fn place(&self, block: &TextBlock, span: &Range<usize>) -> Place {
        let inside = |r: &Range<usize>| r.start <= span.start && span.end <= r.end;
        match block.zone {
            Zone::Title => Place::Title,
            Zone::Heading => Place::Heading,
            Zone::English => Place::English,
            Zone::Paragraph => {
                if block.speaker.as_ref().is_some_and(inside) {
                    Place::Speaker
                } else if block.bold.iter().any(inside) {
                    Place::Bold
                } else {
                    Place::Body
                }
            }
        }
    }
}

/// Splits `黄仁勋（Jensen Huang）` or `黄仁勋 (Jensen Huang)` into the Han name and the Latin
/// gloss; anything else (a glossary entry `术语（English: 解释）`) gives `None`.
fn split_gloss(text: &str) -> Option<(String, String)> {
    let text = normalize(text);
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    if close != text.len() - 1 || close < open {
        return None;
    }
    let han = text[..open].trim();
    let latin = text[open + 1..close].trim();
    (!han.is_empty() && han.chars().all(|c| is_han(c) || c == '·'))
        .then(|| (han.to_owned(), latin.to_owned()))
}

/// The works in title marks, `《三体》`: the byte range of the marks and the title inside.
fn book_titles(text: &str) -> Vec<(Range<usize>, String)> {
    // The marks' last bytes are common in Han text, which slows `str::find` on a char; memmem
    // looks for the whole mark.
    let find = |mark: char, range: Range<usize>| {
        let mut buf = [0; 4];
        memchr::memmem::find(
            &text.as_bytes()[range.clone()],
            mark.encode_utf8(&mut buf).as_bytes(),
        )
        .map(|i| range.start + i)
    };
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = find('《', from..text.len()) {
        let inner = open + '《'.len_utf8();
        // The first mark after it, either kind.
        let closing = find('》', inner..text.len());
        let Some(close) = find('《', inner..closing.unwrap_or(text.len())).or(closing) else {
            break;
        };
        from = close;
        if !text[close..].starts_with('》') {
            continue;
        }
        let title = normalize(&text[inner..close]);
        if !title.is_empty() && title.chars().count() <= 40 {
            out.push((open..close + '》'.len_utf8(), title));
        }
        from = close + '》'.len_utf8();
    }
    out
}

/// The `（…）` right after a bold span, if the text continues with one.
fn leading_parenthetical(rest: &str) -> &str {
    let trimmed = rest.trim_start();
    let Some(first) = trimmed.chars().next() else {
        return "";
    };
    if first != '(' && first != '（' {
        return "";
    }
    match trimmed.find([')', '）']) {
        Some(i) if i < 80 => {
            let close = trimmed[i..].chars().next().map_or(1, char::len_utf8);
            &trimmed[..i + close]
        }
        _ => "",
    }
}

/// Whether a bold Han span is shaped like a person's name: two to four Han characters (a name
/// if jieba tags it so), or a transliteration of two or three parts joined by middle dots
/// (`蒂姆·库克`, a name as it is).
fn has_han_name_shape(text: &str) -> bool {
    // Counted as they come rather than collected: every bold span of a post is asked.
    let mut parts = 0;
    let mut han_parts = true;
    for part in text.split('·') {
        parts += 1;
        if parts > 3 {
            return false;
        }
        han_parts &= !part.is_empty() && part.chars().count() <= 5 && part.chars().all(is_han);
    }
    match parts {
        1 => (2..=4).contains(&text.chars().count()) && han_parts,
        _ => han_parts,
    }
}

/// Whether normalizing `text` may give a parenthesis: false when every character is one that
/// normalization keeps as it is (ASCII, Han, common CJK punctuation) and none is `(` or `)`.
fn may_hold_parentheses(text: &str) -> bool {
    !text.chars().all(|c| {
        (c.is_ascii() && c != '(' && c != ')')
            || ('\u{4e00}'..='\u{9fff}').contains(&c)
            || is_stable_punctuation(c)
    })
}

/// Whether a Latin string reads as a person's name: two to four capitalized words (initials and
/// short lowercase particles such as `van`, `de` allowed in the middle), no digits. With
/// `given`, the first word must also be a known given name.
fn looks_like_person(text: &str, given: Option<&BTreeSet<String>>) -> bool {
    // At most four words, kept on the stack: every bold span and gloss of a post is asked.
    let mut kept = [""; 4];
    let mut len = 0;
    for word in text.split(' ') {
        let Some(slot) = kept.get_mut(len) else {
            return false;
        };
        *slot = word;
        len += 1;
    }
    if len < 2 {
        return false;
    }
    let words = &kept[..len];
    let capitalized = |w: &str| {
        let mut chars = w.chars();
        chars.next().is_some_and(|c| c.is_ascii_uppercase())
            && chars.all(|c| c.is_ascii_alphabetic() || matches!(c, '.' | '\'' | '-'))
            && w.chars()
                .skip(1)
                .any(|c| c.is_ascii_lowercase() || c == '.')
    };
    let particle = |w: &str| w.len() <= 3 && w.chars().all(|c| c.is_ascii_lowercase());
    let shape = capitalized(words[0])
        && capitalized(words[words.len() - 1])
        && words[1..words.len() - 1]
            .iter()
            .all(|w| capitalized(w) || particle(w));
    shape && given.is_none_or(|names| names.contains(words[0]))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::extract::extract_blocks;
    use crate::vocab::Source;

    /// What a selection keeps of `hits`: it appends after what `kept` already holds, and leaves
    /// `hits` empty for the next block.
    fn selected<'p>(
        select: fn(&mut Vec<Hit<'p>>, &mut Vec<Kept<'p>>),
        mut hits: Vec<Hit<'p>>,
    ) -> Vec<Kept<'p>> {
        let earlier = Kept {
            span: 0..0,
            entries: std::borrow::Cow::Borrowed(&[]),
            ambiguous: false,
        };
        let mut kept = vec![earlier];
        select(&mut hits, &mut kept);
        assert!(hits.is_empty());
        assert_eq!(kept[0].span, 0..0);
        kept.split_off(1)
    }

    fn vocab(people: &str, orgs: &str, products: &str) -> Vocabulary {
        let source = |field, text: &str| Source {
            path: PathBuf::from(format!("{field}.yaml")),
            field,
            text: text.to_owned(),
            layer: 0,
        };
        Vocabulary::from_sources(vec![
            source(Field::People, people),
            source(Field::CompaniesOrgs, orgs),
            source(Field::ProductsModels, products),
        ])
        .unwrap()
    }

    fn names(vocab: &Vocabulary, body: &str) -> Vec<(String, String, Place)> {
        let matcher = Matcher::new(vocab);
        let segmenter = Segmenter::new(vocab.han_words());
        let blocks = extract_blocks(body, 1);
        let found = |tokens: &[Vec<Token<'_>>]| -> Vec<(String, String, Place)> {
            matcher
                .find_mentions(&MatchText::new(&blocks, tokens, &segmenter))
                .into_iter()
                .map(|m| {
                    let Subject::Entry(id) = m.subject else {
                        panic!("known mention expected")
                    };
                    (vocab.entry(id).name.clone(), m.alias.to_owned(), m.place)
                })
                .collect()
        };
        let cut = found(&segmenter.segment_blocks(&blocks));
        // Blocks outside a long post's window are not cut: alignment cuts the runs at the hits,
        // and must find the same mentions.
        let uncut = found(&segmenter.segment_blocks_where(&blocks, |_| false));
        assert_eq!(uncut, cut, "{body:?}");
        cut
    }

    fn found(vocab: &Vocabulary, body: &str) -> Vec<String> {
        names(vocab, body).into_iter().map(|(n, _, _)| n).collect()
    }

    #[test]
    fn latin_aliases_respect_word_boundaries() {
        let v = vocab(
            "",
            "- name: Meta\n- name: AI Lab\n",
            "- name: AI\n- name: LLM\n",
        );
        assert!(found(&v, "metadata and Metaverse and AIGC and LLMs\n").is_empty());
        assert_eq!(found(&v, "Meta, AI 和 LLM。\n"), ["Meta", "AI", "LLM"]);
        assert_eq!(found(&v, "用AI写代码，Meta的模型\n"), ["AI", "Meta"]);
    }

    #[test]
    fn case_rules_follow_the_contract() {
        let v = vocab(
            "",
            "- name: OpenAI\n- name: Apple Inc\n  aliases: [Apple]\n  case_sensitive: true\n",
            "- name: AI\n",
        );
        assert_eq!(found(&v, "OPENAI and openai\n"), ["OpenAI", "OpenAI"]);
        assert!(found(&v, "an apple a day, ai\n").is_empty());
        assert_eq!(found(&v, "Apple\n"), ["Apple Inc"]);
    }

    #[test]
    fn full_width_text_is_normalized() {
        let v = vocab("", "- name: OpenAI\n", "- name: GPT-4o\n");
        let got = names(&v, "ＯｐｅｎＡＩ发布了ＧＰＴ－４ｏ。\n");
        assert_eq!(got[0].0, "OpenAI");
        assert_eq!(got[0].1, "ＯｐｅｎＡＩ");
        assert_eq!(got[1].0, "GPT-4o");
    }

    #[test]
    fn han_aliases_align_with_tokens() {
        let v = vocab(
            "- name: Donald Trump\n  aliases: [特朗普, 唐纳德·特朗普]\n- name: 马克\n",
            "",
            "",
        );
        assert_eq!(
            names(&v, "唐纳德·特朗普说，特朗普政府很强。\n"),
            [
                (
                    "Donald Trump".to_owned(),
                    "唐纳德·特朗普".to_owned(),
                    Place::Body
                ),
                ("Donald Trump".to_owned(), "特朗普".to_owned(), Place::Body),
            ]
        );
        // 马克 inside 马克思 is not a token of its own.
        assert!(found(&v, "马克思主义\n").is_empty());
    }

    #[test]
    fn longest_alias_wins_and_places_are_marked() {
        let v = vocab("", "", "- name: Claude\n- name: Claude Code\n");
        assert_eq!(
            names(
                &v,
                "## Claude\n\n**Claude Code**: 好用。\n\n我们用 **Claude** 和 Claude Code。\n"
            ),
            [
                ("Claude".to_owned(), "Claude".to_owned(), Place::Heading),
                (
                    "Claude Code".to_owned(),
                    "Claude Code".to_owned(),
                    Place::Speaker
                ),
                ("Claude".to_owned(), "Claude".to_owned(), Place::Bold),
                (
                    "Claude Code".to_owned(),
                    "Claude Code".to_owned(),
                    Place::Body
                ),
            ]
        );
    }

    #[test]
    fn ambiguous_aliases_name_every_entry() {
        let v = vocab(
            "",
            "- name: DeepSeek\n  ambiguous: [DeepSeek]\n",
            "- name: DeepSeek\n  ambiguous: [DeepSeek]\n",
        );
        let matcher = Matcher::new(&v);
        let blocks = extract_blocks("DeepSeek 很强\n", 1);
        let segmenter = Segmenter::new(Vec::new());
        let tokens = segmenter.segment_blocks(&blocks);
        let mentions = matcher.find_mentions(&MatchText::new(&blocks, &tokens, &segmenter));
        assert_eq!(mentions.len(), 2);
        assert!(mentions.iter().all(|m| m.ambiguous));
    }

    #[test]
    fn proposes_bold_names_labels_and_glosses() {
        let v = vocab(
            "- name: Jensen Huang\n- name: Lisa Su\n- name: Dario Amodei\n",
            "",
            "",
        );
        let matcher = Matcher::new(&v);
        let body = "**Lisa Wong**: 你好。\n\n我们请到 **Dario Smith** 和 **Canadian Pacific**。\n\n**黄明**（Jensen Ming）说得对，黄明很好。\n\n**Host**: 好。\n";
        let blocks = extract_blocks(body, 1);
        let proposals = matcher.propose_names(&blocks, &v, &[], &Segmenter::new(Vec::new()));
        let got: Vec<_> = proposals.iter().map(|p| (p.name.as_str(), p.cue)).collect();
        assert_eq!(
            got,
            [
                ("Dario Smith", Cue::BoldName),
                ("Jensen Ming", Cue::Gloss),
                ("Lisa Wong", Cue::SpeakerName),
            ]
        );
        let segmenter = Segmenter::new(Vec::new());
        let tokens = segmenter.segment_blocks(&blocks);
        let mentions =
            matcher.find_proposed(&MatchText::new(&blocks, &tokens, &segmenter), &proposals);
        let ming = mentions
            .iter()
            .filter(|m| matches!(&m.subject, Subject::New { name, .. } if name == "Jensen Ming"))
            .count();
        assert_eq!(ming, 3);
    }

    #[test]
    fn proposes_works_in_bold_title_marks() {
        let v = vocab("", "", "");
        let matcher = Matcher::new(&v);
        let body = "## 读《沉思录》\n\n他推荐了**《深度工作》**，也提到《随便一本》。\n\n《深度工作》值得一读。\n";
        let blocks = extract_blocks(body, 1);
        let proposals = matcher.propose_names(&blocks, &v, &[], &Segmenter::new(Vec::new()));
        let got: Vec<_> = proposals
            .iter()
            .map(|p| (p.field, p.name.as_str(), p.cue))
            .collect();
        assert_eq!(
            got,
            [
                (Field::MediaBooks, "沉思录", Cue::BookTitle),
                (Field::MediaBooks, "深度工作", Cue::BookTitle),
            ]
        );
        let segmenter = Segmenter::new(Vec::new());
        let tokens = segmenter.segment_blocks(&blocks);
        let mentions =
            matcher.find_proposed(&MatchText::new(&blocks, &tokens, &segmenter), &proposals);
        assert_eq!(mentions.len(), 3);
    }

    #[test]
    fn name_shapes_read_without_collecting_agree_with_collecting() {
        // The forms with the words and parts collected first.
        fn han_shape_collected(text: &str) -> bool {
            let parts: Vec<&str> = text.split('·').collect();
            let han_parts = parts
                .iter()
                .all(|p| !p.is_empty() && p.chars().count() <= 5 && p.chars().all(is_han));
            match parts.len() {
                1 => (2..=4).contains(&text.chars().count()) && han_parts,
                2 | 3 => han_parts,
                _ => false,
            }
        }
        fn person_collected(text: &str, given: Option<&BTreeSet<String>>) -> bool {
            let words: Vec<&str> = text.split(' ').collect();
            if !(2..=4).contains(&words.len()) {
                return false;
            }
            let capitalized = |w: &str| {
                let mut chars = w.chars();
                chars.next().is_some_and(|c| c.is_ascii_uppercase())
                    && chars.all(|c| c.is_ascii_alphabetic() || matches!(c, '.' | '\'' | '-'))
                    && w.chars()
                        .skip(1)
                        .any(|c| c.is_ascii_lowercase() || c == '.')
            };
            let particle = |w: &str| w.len() <= 3 && w.chars().all(|c| c.is_ascii_lowercase());
            let shape = capitalized(words[0])
                && capitalized(words[words.len() - 1])
                && words[1..words.len() - 1]
                    .iter()
                    .all(|w| capitalized(w) || particle(w));
            shape && given.is_none_or(|names| names.contains(words[0]))
        }
        let given: BTreeSet<String> = ["Tim", "Jensen", "Ada"].map(str::to_owned).into();
        let words = [
            "",
            " ",
            "Tim",
            "Cook",
            "van",
            "de",
            "J.",
            "O'Neil",
            "Huang",
            "tim",
            "AI",
            "X",
            "黄仁勋",
        ];
        let mut texts = vec![String::new()];
        for a in words {
            texts.push(a.to_owned());
            for b in words {
                texts.push(format!("{a} {b}"));
                for c in ["Cook", "van", "", "de Bruijn", "Lee Sun", "a b c"] {
                    texts.push(format!("{a} {b} {c}"));
                    texts.push(format!("{a} {c} {b}"));
                }
            }
        }
        for parts in [
            "",
            "·",
            "蒂姆",
            "库克",
            "阿",
            "蒂姆库克阿诺德",
            "Tim",
            "黄仁勋",
        ] {
            for joined in [
                parts.to_owned(),
                format!("{parts}·库克"),
                format!("蒂姆·{parts}·库克"),
                format!("{parts}·{parts}·{parts}·{parts}"),
                format!("{parts}{parts}"),
            ] {
                texts.push(joined);
            }
        }
        for text in &texts {
            assert_eq!(
                has_han_name_shape(text),
                han_shape_collected(text),
                "{text:?}"
            );
            for names in [None, Some(&given)] {
                assert_eq!(
                    looks_like_person(text, names),
                    person_collected(text, names),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn known_names_are_not_proposed() {
        let v = vocab("- name: Jensen Huang\n  aliases: [黄仁勋]\n", "", "");
        let matcher = Matcher::new(&v);
        let blocks = extract_blocks("**黄仁勋**（Jensen Huang）和 **Jensen Huang**。\n", 1);
        assert!(matcher
            .propose_names(&blocks, &v, &[], &Segmenter::new(Vec::new()))
            .is_empty());
    }

    #[test]
    fn the_precompiled_search_equals_the_one_built_at_run_time() {
        let shipped = Vocabulary::shipped().expect("valid dictionaries");
        let yaml = Vocabulary::load_layers_from_yaml(true, &[]).expect("valid dictionaries");
        assert!(shipped.is_shipped() && !yaml.is_shipped());
        let (fast, built) = (Matcher::new(&shipped), Matcher::new(&yaml));
        assert!(fast.search.is_some());
        assert!(fast.search == built.search, "searches differ");
        assert_eq!(fast.given_names, built.given_names);
    }

    #[test]
    fn the_key_scan_finds_what_an_automaton_finds_for_the_shipped_keys() {
        let vocab = Vocabulary::shipped().expect("valid dictionaries");
        let spec = search_spec(pattern_sets(
            vocab
                .aliases()
                .iter()
                .map(|a| (a.key.as_str(), a.entry.0, a.exact, a.han, a.ambiguous)),
        ));
        // Each key amid text, cut short, and run into the next (sorted keys share prefixes), so
        // that hits overlap and text ends inside keys; and one long text of every key.
        let mut texts: Vec<String> = probe_texts().into_iter().step_by(7).collect();
        for pair in spec.keys.windows(2) {
            let cut: String = pair[1].chars().take(pair[1].chars().count() - 1).collect();
            texts.push(format!("x {}，{}{}。{cut}", pair[0], pair[0], pair[1]));
            texts.push(format!("{}{}", pair[0].to_ascii_uppercase(), pair[1]));
        }
        texts.push(spec.keys.join(" "));
        scan::assert_finds_like_an_automaton(&spec.keys, &texts);
    }

    #[test]
    fn one_caseless_scan_finds_what_two_scans_found() {
        let vocab = Vocabulary::shipped().expect("valid dictionaries");
        let [(exact_keys, exact), (folded_keys, folded)] = pattern_sets(
            vocab
                .aliases()
                .iter()
                .map(|a| (a.key.as_str(), a.entry.0, a.exact, a.han, a.ambiguous)),
        );
        let automaton = |keys: &[String]| {
            daachorse::CharwiseDoubleArrayAhoCorasick::<u32>::with_values(keys.iter().zip(0u32..))
                .unwrap()
        };
        let (exact_search, folded_search) = (automaton(&exact_keys), automaton(&folded_keys));
        let matcher = Matcher::new(&vocab);
        let search = matcher.search.as_ref().expect("shipped aliases");
        let mut texts: Vec<String> = probe_texts().into_iter().step_by(7).collect();
        for key in exact_keys.iter().chain(&folded_keys) {
            let upper = key.to_ascii_uppercase();
            let lower = key.to_ascii_lowercase();
            texts.push(format!("x {key} {upper}，{lower}。{key}s"));
        }
        type Found = (Range<usize>, Vec<u32>, bool, bool);
        let found = |span: Range<usize>, p: &PatternSpec| -> Found {
            let ambiguous = p.ambiguous || p.entries.len() > 1;
            (span, p.entries.clone(), p.han, ambiguous)
        };
        // Hits go through a stable sort by length, then start (`select_longest`).
        let by_span = |hits: &mut Vec<Found>| {
            hits.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.start.cmp(&b.0.start)));
        };
        for text in texts {
            let mut two: Vec<Found> = exact_search
                .find_overlapping_iter(&text)
                .map(|m| found(m.start()..m.end(), &exact[m.value() as usize]))
                .collect();
            let lowered = text.to_ascii_lowercase();
            two.extend(
                folded_search
                    .find_overlapping_iter(&lowered)
                    .map(|m| found(m.start()..m.end(), &folded[m.value() as usize])),
            );
            let mut padded = lowered.into_bytes();
            padded.resize(text.len() + PADDING, 0);
            let mut hits = Vec::new();
            search.push_hits(&text, &padded, &mut hits);
            let mut one: Vec<Found> = hits
                .into_iter()
                .map(|h| {
                    let entries = h.entries.iter().map(|e| e.0).collect();
                    (h.span, entries, h.han, h.ambiguous)
                })
                .collect();
            // The scan leaves out some hits alignment drops as not word-bounded.
            two.retain(|hit| is_word_bounded(&text, &hit.0));
            one.retain(|hit| is_word_bounded(&text, &hit.0));
            by_span(&mut two);
            by_span(&mut one);
            assert_eq!(one, two, "{text:?}");
        }
    }

    /// Every string of up to three characters, then pseudo-random longer ones, over characters
    /// of every word-break class, the folds normalization makes and the segmenter's glue.
    fn probe_texts() -> Vec<String> {
        let alphabet = "aZ1中国アא_.-'\",: \n\u{a0}\u{3000}\u{301}\u{903}\u{ad}\u{200d}!，；：？！（）’‘…Ａ·•＋";
        let mut texts = crate::probe::every_string(alphabet, 3);
        let alphabet: Vec<char> = alphabet.chars().collect();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..20_000 {
            let len = 4 + next(10);
            texts.push((0..len).map(|_| alphabet[next(alphabet.len())]).collect());
        }
        texts
    }

    #[test]
    fn folds_that_segment_alike() {
        let segmenter = Segmenter::default();
        let mut stable = 0;
        for text in probe_texts() {
            let norm = NormText::new(&text);
            if !norm.same_tokens {
                continue;
            }
            stable += 1;
            let own: Vec<Range<usize>> = segmenter
                .segment(&norm.text)
                .iter()
                .map(|t| norm.original(&t.span))
                .collect();
            let mapped: Vec<Range<usize>> = segmenter
                .segment(&text)
                .into_iter()
                .map(|t| t.span)
                .collect();
            assert_eq!(own, mapped, "{text:?} normalized to {:?}", norm.text);
        }
        assert!(stable > 10_000, "only {stable} probes keep their tokens");
        for c in SEGMENT_ALIKE {
            assert!(NormText::new(&format!("a{c}1")).same_tokens, "{c}");
        }
    }

    #[test]
    fn stretches_map_back_like_a_per_character_map() {
        // The map this replaced: one `(normalized, original)` entry per character with output.
        let per_character = |original: &str| {
            let mut map = Vec::new();
            let mut text = String::new();
            let mut buf = String::new();
            for (offset, c) in original.char_indices() {
                buf.clear();
                push_folded(c, &mut buf);
                if buf.chars().all(char::is_whitespace) {
                    if !buf.is_empty() && !text.ends_with(' ') {
                        map.push((text.len(), offset));
                        text.push(' ');
                    }
                    continue;
                }
                map.push((text.len(), offset));
                text.push_str(&buf);
            }
            (text, map)
        };
        for original in probe_texts().iter().step_by(5) {
            let norm = NormText::new(original);
            let (text, map) = per_character(original);
            assert_eq!(norm.text, text);
            let bounds: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            for (i, &start) in bounds.iter().enumerate() {
                for &end in &bounds[i + 1..] {
                    let j = map.partition_point(|&(n, _)| n <= start);
                    let from = map[j.saturating_sub(1)].1;
                    let j = map.partition_point(|&(n, _)| n < end);
                    let to = map.get(j).map_or(original.len(), |&(_, o)| o);
                    assert_eq!(
                        norm.original(&(start..end)),
                        from..to.max(from),
                        "{original:?} at {start}..{end}"
                    );
                }
            }
        }
    }

    impl NormText {
        /// The per-character fold [`NormText::new`] replaced, kept as its reference.
        fn per_character(original: &str) -> Self {
            let mut norm = Self {
                text: String::with_capacity(original.len()),
                pieces: Vec::new(),
                original_len: original.len(),
                same_tokens: true,
            };
            let mut buf = String::new();
            let mut after_space = false;
            let mut prev_plain = false;
            // Where the run of characters copied as they are began; it is appended whole.
            let mut copy_from = 0;
            for (offset, c) in original.char_indices() {
                // ASCII and the CJK Unified Ideographs are their own normal form, and nearly all of a
                // post: they skip the per-character fold.
                let plain = c.is_ascii() || ('\u{4e00}'..='\u{9fff}').contains(&c);
                let was_plain = std::mem::replace(&mut prev_plain, plain);
                if plain && !c.is_whitespace() {
                    after_space = false;
                    continue;
                }
                norm.push_copied(original, copy_from..offset);
                copy_from = offset + c.len_utf8();
                buf.clear();
                push_folded(c, &mut buf);
                if buf.chars().all(char::is_whitespace) {
                    norm.same_tokens &= c.is_whitespace();
                    if !buf.is_empty() && !norm.text.ends_with(' ') {
                        norm.push_char(offset, c, ' ');
                    }
                    after_space = true;
                    continue;
                }
                // A mark joins the word-break segment of a space but not of a newline; format
                // characters may come between.
                if after_space && is_combining_mark(c) {
                    norm.same_tokens = false;
                }
                after_space &= !c.is_alphanumeric();
                let mut chars = buf.chars();
                match (chars.next(), chars.next()) {
                    (Some(folded), None) => {
                        // Curly quotes segment like `'` except after a Hebrew letter.
                        let quote_alike = matches!(c, '‘' | '’') && was_plain;
                        norm.same_tokens &=
                            folded == c || quote_alike || SEGMENT_ALIKE.contains(&c);
                        norm.push_char(offset, c, folded);
                    }
                    _ => {
                        norm.same_tokens = false;
                        norm.pieces.push(Piece {
                            norm: norm.text.len(),
                            orig: offset,
                            linear: false,
                        });
                        norm.text.push_str(&buf);
                    }
                }
            }
            norm.push_copied(original, copy_from..original.len());
            norm
        }
    }

    fn assert_same_norm(text: &str) {
        let (fast, slow) = (NormText::new(text), NormText::per_character(text));
        assert_eq!(fast.text, slow.text, "{text:?}");
        assert_eq!(fast.same_tokens, slow.same_tokens, "{text:?}");
        assert_eq!(fast.original_len, slow.original_len);
        let pieces = |n: &NormText| -> Vec<(usize, usize, bool)> {
            n.pieces
                .iter()
                .map(|p| (p.norm, p.orig, p.linear))
                .collect()
        };
        assert_eq!(pieces(&fast), pieces(&slow), "{text:?}");
    }

    #[test]
    fn folds_in_bulk_like_per_character() {
        for text in probe_texts() {
            assert_same_norm(&text);
        }
        // Every character, alone and between the contexts the bulk copy treats apart.
        // (Past U+2FFFF only unassigned and private-use characters, and the tags and variation
        // selectors of plane 14.)
        let chars = (0..=0x2ffff)
            .chain(0xe0000..=0xe01ef)
            .filter_map(char::from_u32);
        for c in chars {
            for context in ["a{}", " {}", "中{}b", "a\n{}  é"] {
                assert_same_norm(&context.replace("{}", c.encode_utf8(&mut [0; 4])));
            }
        }
    }

    #[test]
    fn folds_ascii_eight_bytes_at_a_time_like_per_character() {
        // Spaces, controls and wider characters at every place of an eight-byte chunk, and
        // ASCII runs that end inside one.
        for middle in crate::probe::every_string("a \t\u{1}é中", 4) {
            for cut in 0..=8 {
                assert_same_norm(&format!("{}{middle}ijkl mnop  qr s", &"abcdefgh"[..cut]));
                assert_same_norm(&format!("中{}{middle}", &"a c e g "[..cut]));
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn folds_in_bulk_like_per_character_on_any_text(
            text in "[a Z1\t\n\r中丂乀龥é’‘\u{301}\u{a0}\u{3000}\u{2003}\u{ff21}，…·•\u{4dff}\u{a000}]{0,24}"
        ) {
            let (fast, slow) = (NormText::new(&text), NormText::per_character(&text));
            proptest::prop_assert_eq!(&fast.text, &slow.text);
            proptest::prop_assert_eq!(fast.same_tokens, slow.same_tokens);
            let pieces = |n: &NormText| -> Vec<(usize, usize, bool)> {
                n.pieces.iter().map(|p| (p.norm, p.orig, p.linear)).collect()
            };
            proptest::prop_assert_eq!(pieces(&fast), pieces(&slow));
        }
    }

    #[test]
    fn occurrences_are_the_overlapping_matches_of_an_automaton() {
        let keys = ["a", "aa", "a1", "中国", "国中", "'", " ", "中", "Ａ"];
        let automaton = aho_corasick::AhoCorasick::new(keys).unwrap();
        let finders: Vec<_> = keys.iter().map(memchr::memmem::Finder::new).collect();
        for text in probe_texts().iter().step_by(3) {
            let mut expected: Vec<Range<usize>> = automaton
                .find_overlapping_iter(text.as_str())
                .map(|m| m.range())
                .collect();
            let mut got: Vec<Range<usize>> = finders
                .iter()
                .flat_map(|f| occurrences(text.as_bytes(), f))
                .collect();
            expected.sort_by_key(|r| (r.start, r.end));
            got.sort_by_key(|r| (r.start, r.end));
            assert_eq!(got, expected, "{text:?}");
        }
    }

    #[test]
    fn one_search_over_joined_blocks_finds_what_a_search_per_block_finds() {
        let keys = ["a", "aa", "a1", "中国", "国中", " ", "中", "Ａ", "a a"];
        let finders: Vec<_> = keys
            .iter()
            .zip([true, false].into_iter().cycle())
            .map(|(k, flag)| (memchr::memmem::Finder::new(k), flag))
            .collect();
        let texts = probe_texts();
        for blocks in texts.chunks(5).step_by(3) {
            let norms: Vec<NormText> = blocks.iter().map(|t| NormText::new(t)).collect();
            let mut per_block = Vec::new();
            for (index, norm) in norms.iter().enumerate() {
                for (finder, flag) in &finders {
                    per_block.extend(
                        occurrences(norm.text.as_bytes(), finder).map(|span| (index, span, *flag)),
                    );
                }
            }
            assert_eq!(
                occurrences_by_block(&norms, &finders),
                per_block,
                "{blocks:?}"
            );
        }
    }

    #[test]
    fn disjoint_hits_are_kept_as_the_overlap_index_keeps_them() {
        // Every list of up to three hits over spans in 0..=3, in any order, with entries
        // shared or not: the fast path (disjoint, in order) must agree with the index.
        let entries = [EntryId(3), EntryId(5), EntryId(7)];
        let spans: Vec<Range<usize>> = (0..=3).flat_map(|s| (s..=3).map(move |e| s..e)).collect();
        let kinds: Vec<(Range<usize>, usize, bool)> = spans
            .iter()
            .flat_map(|span| [(0, false), (1, true), (2, false)].map(|(n, a)| (span.clone(), n, a)))
            .collect();
        let view = |kept: Vec<Kept<'_>>| -> Vec<(Range<usize>, Vec<EntryId>, bool)> {
            kept.into_iter()
                .map(|k| (k.span, k.entries.into_owned(), k.ambiguous))
                .collect()
        };
        let mut lists: Vec<Vec<usize>> = vec![vec![]];
        let mut frontier = lists.clone();
        for _ in 0..3 {
            frontier = frontier
                .iter()
                .flat_map(|l| {
                    (0..kinds.len()).map(move |k| {
                        let mut l = l.clone();
                        l.push(k);
                        l
                    })
                })
                .collect();
            lists.extend(frontier.iter().cloned());
        }
        for list in &lists {
            let hits = || -> Vec<Hit<'_>> {
                list.iter()
                    .map(|&k| {
                        let (span, n, ambiguous) = &kinds[k];
                        Hit {
                            span: span.clone(),
                            entries: &entries[*n..*n + 1 + *n % 2],
                            han: false,
                            ambiguous: *ambiguous,
                        }
                    })
                    .collect()
            };
            assert_eq!(
                view(selected(select_longest, hits())),
                view(selected(select_longest_indexed, hits())),
                "{list:?}"
            );
        }
    }

    #[test]
    fn a_lone_hit_is_kept_as_the_overlap_index_keeps_it() {
        let entries = [EntryId(3), EntryId(5)];
        let view = |kept: Vec<Kept<'_>>| -> Vec<(Range<usize>, Vec<EntryId>, bool)> {
            kept.into_iter()
                .map(|k| (k.span, k.entries.into_owned(), k.ambiguous))
                .collect()
        };
        for (span, n, ambiguous) in [(0..0, 0, false), (2..5, 1, true), (0..9, 2, false)] {
            for len in 0..=1 {
                let hits = || -> Vec<Hit<'_>> {
                    (0..len)
                        .map(|_| Hit {
                            span: span.clone(),
                            entries: &entries[..n],
                            han: false,
                            ambiguous,
                        })
                        .collect()
                };
                assert_eq!(
                    view(selected(select_longest, hits())),
                    view(selected(select_longest_indexed, hits()))
                );
            }
        }
    }

    #[test]
    fn containment_is_a_substring_search() {
        let texts = crate::probe::every_string("ab中", 4);
        let long: Vec<String> = texts
            .iter()
            .map(|t| format!("{}{t}", "x".repeat(64)))
            .collect();
        for text in texts.iter().chain(&long) {
            for needle in texts.iter().filter(|n| n.len() <= 7) {
                let expected = memchr::memmem::find(text.as_bytes(), needle.as_bytes()).is_some();
                assert_eq!(contains(text, needle), expected, "{text:?} {needle:?}");
            }
        }
    }

    #[test]
    fn text_that_may_not_hold_parentheses_normalizes_without_them() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let text = c.to_string();
            if !may_hold_parentheses(&text) {
                assert!(!normalize(&text).contains(['(', ')']), "{c:?}");
            }
        }
        assert!(may_hold_parentheses("黄仁勋（Jensen Huang）"));
        assert!(!may_hold_parentheses("黄仁勋 Jensen Huang。"));
    }

    #[test]
    fn book_titles_are_found_like_by_char_search() {
        // The search `book_titles` replaced.
        let by_chars = |text: &str| {
            let mut out = Vec::new();
            let mut from = 0;
            while let Some(open) = text[from..].find('《').map(|i| from + i) {
                let inner = open + '《'.len_utf8();
                let Some(close) = text[inner..].find(['》', '《']).map(|i| inner + i) else {
                    break;
                };
                from = close;
                if !text[close..].starts_with('》') {
                    continue;
                }
                let title = normalize(&text[inner..close]);
                if !title.is_empty() && title.chars().count() <= 40 {
                    out.push((open..close + '》'.len_utf8(), title));
                }
                from = close + '》'.len_utf8();
            }
            out
        };
        let texts = crate::probe::every_string("《》a 书〈", 6);
        for text in texts {
            assert_eq!(book_titles(&text), by_chars(&text), "{text:?}");
        }
    }

    #[test]
    fn maps_normalized_offsets_back() {
        let norm = NormText::new("ａ  ｂ Trump");
        assert_eq!(norm.text, "a b Trump");
        assert_eq!(
            norm.original(&(4..9)),
            "ａ  ｂ ".len().."ａ  ｂ Trump".len()
        );
    }
}
