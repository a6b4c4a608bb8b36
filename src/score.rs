//! Decides which mentioned names are written: mentions in, one ranked [`Candidate`] list per
//! entity field out, each candidate with its score, evidence and verdict. Salience, not mere
//! presence: mention count (damped), where the mentions sit, how early the first one comes and
//! the entry's learned precision prior, against per-field thresholds and limits. Pure.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::field::Field;
use crate::matcher::{Cue, Mention, Place, Proposal, Subject};
use crate::vocab::keys::is_normal;
use crate::vocab::{normalize, Vocabulary, FIELDS};

/// The signal weights of the salience score.
///
/// `score = sigmoid(bias + mass · ln(1 + Σ place weight) + prior · logit(prior) + early · (1 −
/// first position) + popularity · ln(1 + count))`, so a score reads as the chance that the name
/// belongs in the field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Weights {
    /// Weight of a mention in the title.
    pub title: f64,
    /// Weight of a mention in a heading.
    pub heading: f64,
    /// Weight of a speaker label; it counts once, since a label repeats at every turn.
    pub speaker: f64,
    /// Weight of a mention in bold.
    pub bold: f64,
    /// Weight of a mention in plain body text.
    pub body: f64,
    /// Weight of a mention in an English original (it repeats the Chinese text).
    pub english: f64,
    /// Factor on mentions through an alias other entries share.
    pub ambiguous: f64,
    /// Constant term.
    pub bias: f64,
    /// Coefficient of the damped, place-weighted mention count.
    pub mass: f64,
    /// Coefficient of the prior's log-odds.
    pub prior: f64,
    /// Coefficient of earliness (1 for a name in the first words, 0 at the very end).
    pub early: f64,
    /// Coefficient of the entry's learned count (posts labelled with it), damped.
    pub popularity: f64,
    /// The prior of a proposed bold Latin person name.
    pub bold_name_prior: f64,
    /// The prior of a proposed speaker label.
    pub speaker_name_prior: f64,
    /// The prior of a proposed glossed name.
    pub gloss_prior: f64,
    /// The prior of a proposed work in title marks (`**《…》**`).
    pub book_title_prior: f64,
    /// The prior of a proposed bold Chinese person name.
    pub han_name_prior: f64,
}

impl Default for Weights {
    fn default() -> Self {
        // Tuned for micro-F1 at precision >= 0.52 by 4-fold cross-validation on the learning
        // 80% of the corpus with `vocab learn` dictionaries (never on the held-out fifth).
        Self {
            title: 24.0,
            heading: 8.0,
            speaker: 6.0,
            bold: 4.0,
            body: 0.5,
            english: 0.1,
            ambiguous: 1.0,
            bias: -2.5,
            mass: 1.2,
            prior: 1.25,
            early: 0.25,
            popularity: 0.2,
            bold_name_prior: 0.2,
            speaker_name_prior: 0.2,
            gloss_prior: 0.5,
            book_title_prior: 0.05,
            han_name_prior: 0.1,
        }
    }
}

impl Weights {
    /// The weight of one mention in a place.
    pub fn place(&self, place: Place) -> f64 {
        match place {
            Place::Title => self.title,
            Place::Heading => self.heading,
            Place::Speaker => self.speaker,
            Place::Bold => self.bold,
            Place::Body => self.body,
            Place::English => self.english,
        }
    }

    /// The prior of a proposed name.
    pub fn cue_prior(&self, cue: Cue) -> f64 {
        match cue {
            Cue::BoldName => self.bold_name_prior,
            Cue::SpeakerName => self.speaker_name_prior,
            Cue::Gloss => self.gloss_prior,
            Cue::BookTitle => self.book_title_prior,
            Cue::HanName => self.han_name_prior,
        }
    }
}

/// What one field accepts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Limit {
    /// Minimum score of a vocabulary entry.
    pub threshold: f64,
    /// Minimum score of a proposed name (stricter: it has no learned prior).
    pub new_threshold: f64,
    /// At most this many names are written.
    pub max: usize,
}

/// The per-field thresholds and limits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Thresholds {
    /// Per entity field.
    pub fields: BTreeMap<Field, Limit>,
}

impl Default for Thresholds {
    fn default() -> Self {
        let limit = |threshold, new_threshold, max| Limit {
            threshold,
            new_threshold,
            max,
        };
        Self {
            fields: BTreeMap::from([
                (Field::People, limit(0.61, 0.61, 8)),
                (Field::CompaniesOrgs, limit(0.48, 1.0, 12)),
                (Field::ProductsModels, limit(0.47, 1.0, 12)),
                (Field::MediaBooks, limit(0.60, 0.85, 5)),
            ]),
        }
    }
}

impl Thresholds {
    /// The limit of a field (a closed one for fields without an entry).
    pub fn limit(&self, field: Field) -> Limit {
        self.fields.get(&field).copied().unwrap_or(Limit {
            threshold: 1.0,
            new_threshold: 1.0,
            max: 0,
        })
    }
}

/// Everything scoring needs besides the mentions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scoring {
    /// Signal weights.
    pub weights: Weights,
    /// Per-field thresholds and limits.
    pub thresholds: Thresholds,
    /// Whether proposed names (not in the vocabulary) may be written.
    pub discover: bool,
}

impl Default for Scoring {
    fn default() -> Self {
        Self {
            weights: Weights::default(),
            thresholds: Thresholds::default(),
            discover: true,
        }
    }
}

/// Where a name was seen, for `explain` and the JSON report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Evidence {
    /// The text as it appears.
    pub alias: String,
    /// The 1-based line of the mention once [`locate_evidence`] found it, else of its block.
    pub line: usize,
    /// The 1-based column (in characters) where the mention starts on `line`, when found in the
    /// file as written (a mention that normalization changed, such as full-width letters, has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// Where it sits.
    pub zone: Place,
}

/// How many lines past its block's first line a mention is looked for: a block is a paragraph, a
/// list item or an English original, rarely longer.
const LOCATE_LINES: usize = 200;

/// Pins every piece of evidence to the line and column of the file where it sits, so an editor can
/// highlight it: the n-th mention of an alias in a block is the n-th occurrence of it from the
/// block's first line on (ASCII letters matched case-insensitively, Latin aliases at word
/// boundaries).
pub fn locate_evidence(text: &str, fields: &mut BTreeMap<Field, Vec<Candidate>>) {
    let lines = Lines::new(text);
    for candidates in fields.values_mut() {
        for candidate in candidates {
            // Per (block line, alias ASCII-lowercased): where the previous occurrence ended.
            let mut cursors: BTreeMap<(usize, Cow<'_, str>), (usize, usize)> = BTreeMap::new();
            for Evidence {
                alias,
                line: block_line,
                column,
                ..
            } in &mut candidate.evidence
            {
                // The key borrows the alias for the whole loop; only line and column change.
                let alias: &String = alias;
                // Most aliases are Han or already lowercase: a copy per mention is waste.
                let key = if alias.bytes().any(|b| b.is_ascii_uppercase()) {
                    Cow::Owned(alias.to_ascii_lowercase())
                } else {
                    Cow::Borrowed(alias.as_str())
                };
                let start = (block_line.saturating_sub(1), 0);
                let cursor = cursors.entry((*block_line, key)).or_insert(start);
                if let Some((line, at)) = find_from(&lines, alias, *cursor) {
                    *cursor = (line, at + alias.len());
                    *block_line = line + 1;
                    *column = Some(lines.line(line)[..at].chars().count() + 1);
                } else {
                    // Not in the file as written; later mentions will not be either.
                    *cursor = (usize::MAX, 0);
                }
            }
        }
    }
}

/// A text's lines (split at `\n`), by where each starts.
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
    /// The text ASCII-lowercased, made on the first search for an alias with ASCII letters.
    lowered: std::cell::OnceCell<Vec<u8>>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Self {
            text,
            starts,
            lowered: std::cell::OnceCell::new(),
        }
    }

    fn lowered(&self) -> &[u8] {
        self.lowered
            .get_or_init(|| self.text.as_bytes().to_ascii_lowercase())
    }

    fn len(&self) -> usize {
        self.starts.len()
    }

    /// Where line `i` ends, before its `\n`.
    fn end(&self, i: usize) -> usize {
        self.starts
            .get(i + 1)
            .map_or(self.text.len(), |next| next - 1)
    }

    fn line(&self, i: usize) -> &'t str {
        &self.text[self.starts[i]..self.end(i)]
    }
}

/// The first occurrence of `alias` at or after `(line, byte)`, within [`LOCATE_LINES`] of it, as
/// (line, byte in the line). Scans the lines in place and at once (an alias holds no line break,
/// so no occurrence spans two), so locating every mention stays linear in the text.
fn find_from(
    lines: &Lines<'_>,
    alias: &str,
    (line, byte): (usize, usize),
) -> Option<(usize, usize)> {
    let needle = alias.as_bytes();
    if needle.is_empty() || needle.contains(&b'\n') || line >= lines.len() {
        return None;
    }
    let latin = alias.is_ascii();
    // Matching ignoring ASCII case is plain substring search in the lowercased text (and in the
    // text itself for a needle without ASCII letters, most aliases being Han), which memmem does
    // far faster than a compare at every candidate byte.
    let caseless = needle.iter().any(u8::is_ascii_alphabetic);
    let lowered_needle;
    let (needle, search) = if caseless {
        lowered_needle = needle.to_ascii_lowercase();
        (lowered_needle.as_slice(), lines.lowered())
    } else {
        (needle, lines.text.as_bytes())
    };
    let finder = memchr::memmem::Finder::new(needle);
    let last = lines.len().min(line.saturating_add(LOCATE_LINES));
    let bytes = lines.text.as_bytes();
    let haystack = &search[..lines.end(last - 1)];
    let mut from = lines.starts[line] + byte.min(lines.end(line) - lines.starts[line]);
    loop {
        let at = haystack
            .get(from..)
            .and_then(|rest| finder.find(rest))
            .map(|i| from + i)?;
        // A line's edge (a line break or the text's end) is no word character.
        let word = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
        let before = at.checked_sub(1).and_then(|i| bytes.get(i));
        if !latin || !(word(before) || word(bytes.get(at + needle.len()))) {
            let index = lines.starts.partition_point(|&s| s <= at) - 1;
            return Some((index, at - lines.starts[index]));
        }
        from = at + 1;
    }
}

/// The first `at >= from` where `needle` (not empty) starts in `haystack`, ASCII letters matched
/// ignoring case: candidates come from a vectorized scan for either case of the first byte. The
/// search [`find_from`] replaced with one in lowercased text, kept as its reference.
#[cfg(test)]
fn find_caseless(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let (first, rest) = needle.split_first()?;
    let last = haystack.len().checked_sub(needle.len())?;
    let mut at = from;
    while at <= last {
        let window = &haystack[at..=last];
        at += memchr::memchr2(
            first.to_ascii_lowercase(),
            first.to_ascii_uppercase(),
            window,
        )?;
        if haystack[at + 1..at + needle.len()].eq_ignore_ascii_case(rest) {
            return Some(at);
        }
        at += 1;
    }
    None
}

/// Whether any of `forms` names the post's channel (`channel`: its names normalized and
/// lowercased).
fn names_channel<'a>(channel: &[String], mut forms: impl Iterator<Item = &'a str>) -> bool {
    // Most posts name no channel: then no form needs normalizing.
    !channel.is_empty() && forms.any(|f| is_channel_name(channel, f))
}

/// Whether `form`, normalized and lowercased, is one of `channel`. A form that normalization
/// keeps (nearly all) holds no character with a lowercase form but ASCII letters, so it is
/// compared as it is, without two copies.
fn is_channel_name(channel: &[String], form: &str) -> bool {
    if is_normal(form) {
        return channel.iter().any(|c| {
            c.len() == form.len()
                && c.bytes()
                    .zip(form.bytes())
                    .all(|(c, f)| c == f.to_ascii_lowercase())
        });
    }
    channel.contains(&normalize(form).to_lowercase())
}

/// Whether a candidate is written, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Written to the field.
    Written,
    /// The score is under the field's threshold.
    BelowThreshold {
        /// The threshold it missed.
        threshold: f64,
    },
    /// Enough better-scoring names were written already.
    OverLimit {
        /// The field's limit.
        max: usize,
    },
    /// It names the post's channel (`speaker`/`author`), which is never written.
    Channel,
    /// It is a proposed name and discovery is off.
    DiscoveryOff,
}

impl Verdict {
    /// Whether the candidate is written.
    pub fn is_written(self) -> bool {
        self == Verdict::Written
    }

    /// A short reason for `explain`.
    pub fn reason(self) -> String {
        match self {
            Verdict::Written => "written".to_owned(),
            Verdict::BelowThreshold { threshold } => format!("score below {threshold:.2}"),
            Verdict::OverLimit { max } => format!("field already holds {max} better names"),
            Verdict::Channel => "the post's channel (speaker/author)".to_owned(),
            Verdict::DiscoveryOff => "not in the vocabulary (--no-discover)".to_owned(),
        }
    }
}

/// A name that could go in a field, with its score and the evidence for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// The name that would be written.
    pub name: String,
    /// The field.
    pub field: Field,
    /// The salience score, 0 to 1.
    pub score: f64,
    /// The prior used (the entry's, or the one for proposed names).
    pub prior: f64,
    /// Number of mentions.
    pub mentions: usize,
    /// Posts the learning set labelled with it (0 for proposed names).
    pub count: u64,
    /// Mentions per place.
    pub places: BTreeMap<Place, usize>,
    /// Mentions through an alias that other entries share.
    pub ambiguous: usize,
    /// Position of the first mention, 0 (start) to 1 (end).
    pub first: f64,
    /// Why a proposed name was proposed; `None` for vocabulary entries.
    pub cue: Option<Cue>,
    /// The mentions, in post order.
    pub evidence: Vec<Evidence>,
    /// Written or not, and why.
    #[serde(flatten)]
    pub verdict: Verdict,
}

/// The post facts that scoring needs besides mentions.
#[derive(Debug, Clone, Default)]
pub struct PostContext {
    /// Names of the channel (`speaker`, `author`), never written.
    pub channel: Vec<String>,
}

/// The mentions sorted by subject, each subject's in post order (as a stable sort leaves them),
/// to be read a subject at a time: one list rather than a vector per subject in a map, which
/// cost two allocations or more a subject.
fn by_subject<'m, 'p>(mentions: &'m [Mention<'p>]) -> Vec<&'m Mention<'p>> {
    // Nearly every mention is of an entry, and entries come before proposed names: those sort
    // as integers, the entry above the mention's index, at a fraction of the cost of comparing
    // subjects through references; the few proposed names follow, sorted stably.
    let mut entries: Vec<u64> = Vec::with_capacity(mentions.len());
    let mut proposed: Vec<&Mention<'p>> = Vec::new();
    for (index, mention) in (0u32..).zip(mentions) {
        match mention.subject {
            Subject::Entry(id) => entries.push(u64::from(id.0) << 32 | u64::from(index)),
            Subject::New { .. } => proposed.push(mention),
        }
    }
    entries.sort_unstable();
    proposed.sort_by(|a, b| a.subject.cmp(&b.subject));
    entries
        .iter()
        .map(|key| &mentions[(key & u64::from(u32::MAX)) as usize])
        .chain(proposed)
        .collect()
}

/// Scores every mentioned subject and decides, per entity field, which are written. Each field's
/// list is sorted by (score desc, name asc); the written ones come first. Each candidate keeps
/// its first `evidence` mentions as evidence (a fill reports a few; copying the others is waste).
pub fn score_candidates(
    mentions: &[Mention<'_>],
    proposals: &[Proposal],
    vocab: &Vocabulary,
    post: &PostContext,
    scoring: &Scoring,
    evidence: usize,
) -> BTreeMap<Field, Vec<Candidate>> {
    let evidence_limit = evidence;
    let weights = &scoring.weights;
    let by_subject = by_subject(mentions);
    let channel: Vec<String> = post
        .channel
        .iter()
        .map(|c| normalize(c).to_lowercase())
        .filter(|c| !c.is_empty())
        .collect();
    let mut fields: BTreeMap<Field, Vec<Candidate>> =
        FIELDS.iter().map(|f| (*f, Vec::new())).collect();
    for list in by_subject.chunk_by(|a, b| a.subject == b.subject) {
        let subject = &list[0].subject;
        let (name, field, prior, count, cue, channel_hit) = match subject {
            Subject::Entry(id) => {
                let entry = vocab.entry(*id);
                (
                    entry.name.clone(),
                    entry.field,
                    entry.prior(),
                    entry.count.unwrap_or(0),
                    None,
                    names_channel(&channel, entry.surface_forms()),
                )
            }
            Subject::New { field, name } => {
                let proposal = proposals
                    .iter()
                    .find(|p| p.name == *name && p.field == *field);
                let forms: Vec<&str> = proposal
                    .map(|p| p.forms.iter().map(String::as_str).collect())
                    .unwrap_or_else(|| vec![name.as_str()]);
                let cue = proposal.map_or(Cue::BoldName, |p| p.cue);
                (
                    name.clone(),
                    *field,
                    weights.cue_prior(cue),
                    0,
                    Some(cue),
                    names_channel(&channel, forms.iter().copied()),
                )
            }
        };
        let mut places = BTreeMap::new();
        let mut mass = 0.0;
        let mut first = 1.0f64;
        let mut evidence = Vec::with_capacity(list.len().min(evidence_limit));
        for m in list {
            let seen = places.entry(m.place).or_insert(0);
            *seen += 1;
            let factor = if m.ambiguous { weights.ambiguous } else { 1.0 };
            if m.place != Place::Speaker || *seen == 1 {
                mass += weights.place(m.place) * factor;
            }
            first = first.min(m.position);
            if evidence.len() < evidence_limit {
                evidence.push(Evidence {
                    alias: m.alias.to_owned(),
                    line: m.line,
                    column: None,
                    zone: m.place,
                });
            }
        }
        let score = salience(weights, mass, prior, first, count);
        let verdict = if channel_hit {
            Verdict::Channel
        } else if cue.is_some() && !scoring.discover {
            Verdict::DiscoveryOff
        } else {
            Verdict::Written
        };
        fields.entry(field).or_default().push(Candidate {
            name,
            field,
            score,
            prior,
            mentions: list.len(),
            count,
            ambiguous: list.iter().filter(|m| m.ambiguous).count(),
            places,
            first,
            cue,
            evidence,
            verdict,
        });
    }
    for (field, candidates) in &mut fields {
        let limit = scoring.thresholds.limit(*field);
        candidates.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.name.cmp(&b.name))
        });
        let mut written = 0;
        for candidate in candidates.iter_mut() {
            if candidate.verdict != Verdict::Written {
                continue;
            }
            let threshold = if candidate.cue.is_some() {
                limit.new_threshold
            } else {
                limit.threshold
            };
            candidate.verdict = if candidate.score < threshold {
                Verdict::BelowThreshold { threshold }
            } else if written >= limit.max {
                Verdict::OverLimit { max: limit.max }
            } else {
                written += 1;
                Verdict::Written
            };
        }
        // Written names first, each group still by (score desc, name asc).
        candidates.sort_by_key(|c| !c.verdict.is_written());
    }
    fields
}

/// The salience score of one subject: `mass` is the place-weighted mention count, `first` the
/// position of the first mention, `count` the learned number of labelled posts.
pub fn salience(weights: &Weights, mass: f64, prior: f64, first: f64, count: u64) -> f64 {
    let prior = prior.clamp(0.01, 0.99);
    let z = weights.bias
        + weights.mass * mass.max(0.0).ln_1p()
        + weights.prior * (prior / (1.0 - prior)).ln()
        + weights.early * (1.0 - first.clamp(0.0, 1.0))
        + weights.popularity * (count as f64).ln_1p();
    1.0 / (1.0 + (-z).exp())
}

/// The written names of a field's candidates, in order.
pub fn written_names(candidates: &[Candidate]) -> Vec<String> {
    candidates
        .iter()
        .filter(|c| c.verdict.is_written())
        .map(|c| c.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::extract::Zone;
    use crate::vocab::{EntryId, Source};

    fn vocab() -> Vocabulary {
        Vocabulary::from_sources(vec![Source {
            path: PathBuf::from("people.yaml"),
            field: Field::People,
            text: "- name: Alice Smith\n  prior: 0.8\n- name: Bob Jones\n  prior: 0.8\n- name: Carol White\n  prior: 0.05\n- name: Dan Brown\n  prior: 0.8\n".to_owned(),
            layer: 0,
        }])
        .unwrap()
    }

    fn mention(entry: u32, place: Place, position: f64) -> Mention<'static> {
        Mention {
            subject: Subject::Entry(EntryId(entry)),
            alias: "",
            block: 0,
            line: 1,
            zone: Zone::Paragraph,
            place,
            position,
            ambiguous: false,
        }
    }

    #[test]
    fn mentions_group_by_subject_as_a_map_of_lists_did() {
        let subjects = [
            Subject::Entry(EntryId(3)),
            Subject::Entry(EntryId(0)),
            Subject::New {
                field: Field::People,
                name: "Bo".to_owned(),
            },
            Subject::Entry(EntryId(3)),
            Subject::New {
                field: Field::MediaBooks,
                name: "A".to_owned(),
            },
            Subject::New {
                field: Field::People,
                name: "Al".to_owned(),
            },
            Subject::Entry(EntryId(1)),
        ];
        let mut mentions = Vec::new();
        for i in 0..60_usize {
            let mut m = mention(0, Place::Body, i as f64);
            m.subject = subjects[(i * 7 + i / 5) % subjects.len()].clone();
            mentions.push(m);
        }
        let mut map: BTreeMap<&Subject, Vec<&Mention<'_>>> = BTreeMap::new();
        for m in &mentions {
            map.entry(&m.subject).or_default().push(m);
        }
        let sorted = by_subject(&mentions);
        let groups: Vec<(&Subject, Vec<&Mention<'_>>)> = sorted
            .chunk_by(|a, b| a.subject == b.subject)
            .map(|list| (&list[0].subject, list.to_vec()))
            .collect();
        assert_eq!(groups, map.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn salience_orders_and_filters() {
        let vocab = vocab();
        let mut mentions = Vec::new();
        for i in 0..6 {
            mentions.push(mention(0, Place::Bold, 0.1 * f64::from(i)));
        }
        mentions.push(mention(1, Place::Title, 0.0));
        mentions.push(mention(1, Place::Body, 0.2));
        for _ in 0..6 {
            mentions.push(mention(2, Place::Bold, 0.1));
        }
        mentions.push(mention(3, Place::English, 0.9));
        let post = PostContext {
            channel: vec!["Dan Brown".to_owned()],
        };
        let fields = score_candidates(
            &mentions,
            &[],
            &vocab,
            &post,
            &Scoring::default(),
            usize::MAX,
        );
        let people = &fields[&Field::People];
        // One mention in the title outweighs six in bold.
        assert_eq!(written_names(people), ["Bob Jones", "Alice Smith"]);
        let carol = people.iter().find(|c| c.name == "Carol White").unwrap();
        assert!(matches!(carol.verdict, Verdict::BelowThreshold { .. }));
        let dan = people.iter().find(|c| c.name == "Dan Brown").unwrap();
        assert_eq!(dan.verdict, Verdict::Channel);
        assert!(fields[&Field::MediaBooks].is_empty());
    }

    #[test]
    fn evidence_is_pinned_to_line_and_column() {
        let text = "---\ntitle: x\n---\n我们聊英伟达和 NVIDIA，\n英伟达的 metadata 与 nvidia。\n";
        let evidence = |alias: &str, line| Evidence {
            alias: alias.to_owned(),
            line,
            column: None,
            zone: Place::Body,
        };
        let mut fields = score_candidates(
            &[],
            &[],
            &vocab(),
            &PostContext::default(),
            &Scoring::default(),
            usize::MAX,
        );
        fields.insert(
            Field::CompaniesOrgs,
            vec![Candidate {
                name: "Nvidia".to_owned(),
                field: Field::CompaniesOrgs,
                score: 1.0,
                prior: 0.5,
                mentions: 5,
                count: 1,
                places: BTreeMap::new(),
                ambiguous: 0,
                first: 0.0,
                cue: None,
                evidence: vec![
                    evidence("英伟达", 4),
                    evidence("NVIDIA", 4),
                    evidence("英伟达", 4),
                    evidence("nvidia", 4),
                    evidence("Meta", 4),
                    evidence("ＮＶＩＤＩＡ", 4),
                ],
                verdict: Verdict::Written,
            }],
        );
        locate_evidence(text, &mut fields);
        let found: Vec<_> = fields[&Field::CompaniesOrgs][0]
            .evidence
            .iter()
            .map(|e| (e.line, e.column))
            .collect();
        assert_eq!(
            found,
            [
                (4, Some(4)),
                (4, Some(9)),
                (5, Some(1)),
                (5, Some(17)),
                (4, None),
                (4, None)
            ]
        );
    }

    #[test]
    fn ties_sort_by_name() {
        let vocab = vocab();
        let mentions = vec![mention(1, Place::Bold, 0.0), mention(0, Place::Bold, 0.0)];
        let fields = score_candidates(
            &mentions,
            &[],
            &vocab,
            &PostContext::default(),
            &Scoring::default(),
            usize::MAX,
        );
        let names: Vec<_> = fields[&Field::People]
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names[..2], ["Alice Smith", "Bob Jones"]);
    }

    #[test]
    fn limits_keep_the_best() {
        let vocab = vocab();
        let mut scoring = Scoring::default();
        scoring
            .thresholds
            .fields
            .get_mut(&Field::People)
            .unwrap()
            .max = 1;
        let mut mentions = vec![mention(1, Place::Title, 0.0)];
        for _ in 0..3 {
            mentions.push(mention(0, Place::Title, 0.0));
        }
        let fields = score_candidates(
            &mentions,
            &[],
            &vocab,
            &PostContext::default(),
            &scoring,
            usize::MAX,
        );
        assert_eq!(written_names(&fields[&Field::People]), ["Alice Smith"]);
        assert_eq!(
            fields[&Field::People][1].verdict,
            Verdict::OverLimit { max: 1 }
        );
    }

    #[test]
    fn channel_names_compare_like_normalized_lowercased_copies() {
        let texts = crate::probe::every_string("aZ 中·ΣσＡ\u{3000}", 3);
        let channel: Vec<String> = texts
            .iter()
            .step_by(3)
            .map(|c| normalize(c).to_lowercase())
            .filter(|c| !c.is_empty())
            .collect();
        for form in &texts {
            let slow = channel.contains(&normalize(form).to_lowercase());
            assert_eq!(is_channel_name(&channel, form), slow, "{form:?}");
        }
    }

    /// The evidence locator before its cursors borrowed the aliases: one lowercased copy of the
    /// alias per mention as the cursor key.
    fn locate_evidence_by_copies(text: &str, fields: &mut BTreeMap<Field, Vec<Candidate>>) {
        let lines = Lines::new(text);
        for candidates in fields.values_mut() {
            for candidate in candidates {
                let mut cursors: BTreeMap<(usize, String), (usize, usize)> = BTreeMap::new();
                for evidence in &mut candidate.evidence {
                    let start = (evidence.line.saturating_sub(1), 0);
                    let cursor = cursors
                        .entry((evidence.line, evidence.alias.to_ascii_lowercase()))
                        .or_insert(start);
                    if let Some((line, at)) = find_from(&lines, &evidence.alias, *cursor) {
                        *cursor = (line, at + evidence.alias.len());
                        evidence.line = line + 1;
                        evidence.column = Some(lines.line(line)[..at].chars().count() + 1);
                    } else {
                        *cursor = (usize::MAX, 0);
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn evidence_is_located_as_with_lowercased_copies(
            text in "[aAbB中 \n]{0,40}",
            mentions in proptest::collection::vec(("[aAbB中]{1,3}", 1usize..6), 0..12),
        ) {
            let candidate = Candidate {
                name: "x".to_owned(),
                field: Field::People,
                score: 1.0,
                prior: 0.5,
                mentions: mentions.len(),
                count: 0,
                places: BTreeMap::new(),
                ambiguous: 0,
                first: 0.0,
                cue: None,
                evidence: mentions
                    .iter()
                    .map(|(alias, line)| Evidence {
                        alias: alias.clone(),
                        line: *line,
                        column: None,
                        zone: Place::Body,
                    })
                    .collect(),
                verdict: Verdict::Written,
            };
            let mut fast = BTreeMap::from([(Field::People, vec![candidate])]);
            let mut slow = fast.clone();
            locate_evidence(&text, &mut fast);
            locate_evidence_by_copies(&text, &mut slow);
            proptest::prop_assert_eq!(fast, slow);
        }

        #[test]
        fn caseless_search_finds_what_a_byte_scan_finds(
            haystack in "[aAbB@中 ]{0,16}",
            needle in "[aAbB@中]{1,3}",
            from in 0usize..20,
        ) {
            let (h, n) = (haystack.as_bytes(), needle.as_bytes());
            let scan = (from..h.len().saturating_sub(n.len() - 1))
                .find(|&at| h[at..at + n.len()].eq_ignore_ascii_case(n));
            proptest::prop_assert_eq!(find_caseless(h, n, from), scan);
        }
    }

    /// The per-line search [`find_from`] replaced.
    fn find_from_per_line(
        lines: &[&str],
        alias: &str,
        (line, byte): (usize, usize),
    ) -> Option<(usize, usize)> {
        let needle = alias.as_bytes();
        if needle.is_empty() || line == usize::MAX {
            return None;
        }
        let latin = alias.is_ascii();
        // Without ASCII letters, matching ignoring ASCII case is plain substring search (most
        // aliases are Han), which `str::find` does far faster than a compare at every byte.
        let caseless = needle.iter().any(u8::is_ascii_alphabetic);
        let last = lines.len().min(line.saturating_add(LOCATE_LINES));
        for (index, text) in lines.iter().enumerate().take(last).skip(line) {
            let bytes = text.as_bytes();
            let mut from = if index == line {
                byte.min(bytes.len())
            } else {
                0
            };
            loop {
                let found = if caseless {
                    find_caseless(bytes, needle, from)
                } else {
                    bytes
                        .get(from..)
                        .and_then(|rest| memchr::memmem::find(rest, needle))
                        .map(|i| from + i)
                };
                let Some(at) = found else { break };
                let word = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
                let before = at.checked_sub(1).and_then(|i| bytes.get(i));
                if !latin || !(word(before) || word(bytes.get(at + needle.len()))) {
                    return Some((index, at));
                }
                from = at + 1;
            }
        }
        None
    }

    proptest::proptest! {
        #[test]
        fn whole_range_search_finds_what_a_per_line_search_finds(
            text in "[aAb中 \n.]{0,40}",
            alias in "[aAb中 .]{1,3}",
            line in 0usize..8,
            byte in 0usize..12,
        ) {
            let per_line: Vec<&str> = text.split('\n').collect();
            let lines = Lines::new(&text);
            proptest::prop_assert_eq!(
                find_from(&lines, &alias, (line, byte)),
                find_from_per_line(&per_line, &alias, (line, byte))
            );
        }
    }

    #[test]
    fn search_stops_lines_past_the_start() {
        for target in [198, 199, 200, 201] {
            let mut text = "x\n".repeat(target);
            text.push_str("Name\nName");
            let per_line: Vec<&str> = text.split('\n').collect();
            let lines = Lines::new(&text);
            let found = find_from(&lines, "name", (0, 0));
            assert_eq!(found, find_from_per_line(&per_line, "name", (0, 0)));
            assert_eq!(found.is_some(), target < LOCATE_LINES, "{target}");
        }
    }
}
