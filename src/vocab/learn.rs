//! `vocab learn`: builds the four entity dictionaries from posts whose front matter is already
//! filled (and from `labels.jsonl` rows, which have front matter but no body).
//!
//! The steps, each deterministic:
//! 1. collect every value of the four fields, merging case and slug variants
//!    (`OpenAI`/`openai`, `donald-trump`/`Donald Trump`) under the most frequent form;
//! 2. mine aliases from the bodies: glosses (`**英伟达**（NVIDIA）`, `Claude Code（克劳德代码）`),
//!    Chinese terms that line up with English values in the `<details>` originals, and Chinese
//!    terms that occur almost only in posts labelled with a value;
//! 3. give every alias to the entry whose label it predicts best, which also decides when a
//!    Chinese label (`川普`) is just another name of an English one (`Donald Trump`) and when it
//!    stays its own entry (`习近平` next to `Xi Jinping`);
//! 4. keep what a curator wrote in the existing files, and compute each entry's precision prior
//!    (of the posts mentioning an alias, the share labelled with the name) and count.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rayon::prelude::*;
use unicode_normalization::UnicodeNormalization;

use crate::discover::{discover, Input};
use crate::document::Document;
use crate::error::{Error, Result};
use crate::eval::as_list;
use crate::extract::{extract_blocks, TextBlock, Zone};
use crate::field::Field;
use crate::front_matter::FrontMatter;
use crate::holdout::Holdout;
use crate::segment::{is_han, Segmenter, TokenKind};
use crate::vocab::format::{
    default_header, file_name, name_order, normalize, parse, render, round_prior, DictFile, Record,
    ENTITY_FIELDS,
};
use crate::vocab::{is_exact_case, normalize as normalize_alias, Source as DictSource, Vocabulary};

/// Where `vocab learn` reads from.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Folders (or files) of posts with filled front matter.
    pub dirs: Vec<PathBuf>,
    /// A `labels.jsonl` file of `{"file", "front_matter"}` rows (front matter without body).
    pub labels: Option<PathBuf>,
    /// Posts to leave out (the evaluation fold), by file name.
    pub holdout: Option<Holdout>,
}

/// The thresholds of alias mining. The defaults are what the shipped dictionaries were learned
/// with; they lean towards precision, since a wrong alias costs more than a missing one.
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    /// A gloss seen this many times (in distinct posts) is evidence even without bold.
    pub gloss_posts: u32,
    /// Aligned `<details>` sections needed for a Chinese term to name an English value.
    pub aligned_sections: u32,
    /// Share of the term's aligned sections that carry the value.
    pub aligned_share: f64,
    /// Share of the value's aligned sections that carry the term.
    pub aligned_coverage: f64,
    /// Labelled posts a co-occurring term must appear in.
    pub cooccur_posts: u32,
    /// Share of the term's posts that are labelled with the value.
    pub cooccur_share: f64,
    /// Share of the value's labelled posts that contain the term.
    pub cooccur_coverage: f64,
    /// A glossed alias must predict its entry's label at least this share of the name's own rate.
    pub alias_rate_ratio: f64,
    /// The same, for aliases found by segmentation, alignment or co-occurrence.
    pub statistical_rate_ratio: f64,
    /// Aliases found by segmentation, alignment or co-occurrence are only given to entries whose
    /// name is labelled at least this often when mentioned (others are never written anyway).
    pub min_name_rate: f64,
    /// Entries of the same name in two fields stay in both (ambiguous) unless one has this many
    /// times the count of the other, in which case the weaker is dropped.
    pub cross_field_ratio: f64,
    /// Values whose key is a single character need this count to be kept (`X`).
    pub single_char_count: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            gloss_posts: 2,
            aligned_sections: 3,
            aligned_share: 0.6,
            aligned_coverage: 0.3,
            cooccur_posts: 3,
            cooccur_share: 0.6,
            cooccur_coverage: 0.3,
            alias_rate_ratio: 0.3,
            statistical_rate_ratio: 0.5,
            min_name_rate: 0.05,
            cross_field_ratio: 4.0,
            single_char_count: 5,
        }
    }
}

/// What a learning run produced.
#[derive(Debug)]
pub struct Learned {
    /// The dictionaries, one per entity field, in normalized order.
    pub files: BTreeMap<Field, DictFile>,
    /// Counts for the report.
    pub report: LearnReport,
}

/// Counts describing a learning run.
#[derive(Debug, Default)]
pub struct LearnReport {
    /// Posts learned from (with a body).
    pub posts: usize,
    /// Posts left out by `--holdout`.
    pub held_out: usize,
    /// Label rows learned from (front matter only).
    pub labels: usize,
    /// Posts or label rows that could not be read; learning went on without them.
    pub problems: Vec<Error>,
    /// Per field.
    pub fields: BTreeMap<Field, FieldReport>,
}

/// Counts for one dictionary.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldReport {
    /// Distinct values in the labels.
    pub values: usize,
    /// Entries written.
    pub entries: usize,
    /// Entries kept from the existing file.
    pub kept: usize,
    /// Entries added by this run.
    pub added: usize,
    /// Aliases written (besides the names).
    pub aliases: usize,
    /// Of those on new entries, aliases mined from bodies (glosses, alignment, co-occurrence).
    pub mined: usize,
}

/// Reads the dictionaries already in `dir` (missing files are simply absent).
///
/// # Errors
/// A file that exists but cannot be read or parsed.
pub fn read_dictionaries(dir: &Path) -> Result<BTreeMap<Field, DictFile>> {
    let mut files = BTreeMap::new();
    for field in ENTITY_FIELDS {
        let Some(name) = file_name(field) else {
            continue;
        };
        let path = dir.join(name);
        match fs::read_to_string(&path) {
            Ok(text) => {
                files.insert(field, parse(&path, &text)?);
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(Error::Read { path, source }),
        }
    }
    Ok(files)
}

/// Writes the dictionaries into `dir` (created if needed), rendered in normalized form.
///
/// # Errors
/// The folder or a file cannot be written.
pub fn write_dictionaries(dir: &Path, files: &BTreeMap<Field, DictFile>) -> Result<()> {
    fs::create_dir_all(dir).map_err(|source| Error::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    for (field, file) in files {
        let Some(name) = file_name(*field) else {
            continue;
        };
        let path = dir.join(name);
        fs::write(&path, render(file)).map_err(|source| Error::Write {
            path: path.clone(),
            source,
        })?;
    }
    Ok(())
}

/// Learns the dictionaries from `sources`, on top of the `existing` ones (curated entries,
/// aliases, `ambiguous`, `note` and `case_sensitive` are kept; priors and counts are refreshed).
///
/// # Errors
/// The labels file cannot be read. Unreadable posts and rows are listed in the report instead.
pub fn learn(
    sources: &Sources,
    existing: &BTreeMap<Field, DictFile>,
    thresholds: &Thresholds,
) -> Result<Learned> {
    let mut report = LearnReport::default();
    let mut samples = load_posts(sources, &mut report);
    report.posts = samples.len();
    let seen: BTreeSet<String> = samples.iter().map(|s| s.name.clone()).collect();
    if let Some(labels) = &sources.labels {
        let rows = load_labels(labels, &seen, &mut report)?;
        report.labels = rows.len();
        samples.extend(rows);
    }

    let mut groups = Groups::collect(&samples, thresholds);
    for field in ENTITY_FIELDS {
        report.fields.entry(field).or_default().values = groups.raw_values[&field];
    }
    let han_names: Vec<String> = groups
        .list
        .iter()
        .filter(|g| g.name.chars().any(is_han) && g.name.chars().count() <= 12)
        .map(|g| nfkc(&g.name))
        .collect();
    let segmenter = Segmenter::new(han_names);
    // English values are found in the originals with their case as labelled: a name is
    // capitalized, the common word it may also be (`Pencil`, `Office`) usually is not.
    let latin_forms: Vec<(String, GroupId)> = groups
        .list
        .iter()
        .enumerate()
        .filter(|(id, _)| groups.live(*id))
        .flat_map(|(id, g)| {
            g.forms
                .keys()
                .filter(|f| !f.chars().any(is_han))
                .map(move |f| (f.clone(), id))
        })
        .collect();
    let exact: BTreeSet<String> = latin_forms.iter().map(|(f, _)| normalize_text(f)).collect();
    let latin_scan = AliasScan::new(latin_forms, &exact);
    let evidence: Vec<Option<PostEvidence>> = samples
        .par_iter()
        .map(|s| {
            s.body
                .as_ref()
                .map(|b| PostEvidence::gather(b, &segmenter, &latin_scan))
        })
        .collect();
    let claims = mine_claims(&samples, &evidence, &groups, &segmenter, thresholds);
    drop(evidence);

    let entries = resolve(&samples, &mut groups, claims, thresholds);
    let (mut files, field_counts) = merge_existing(existing, entries);
    finish(&samples, &mut files);
    for (field, counts) in field_counts {
        let r = report.fields.entry(field).or_default();
        r.kept = counts.0;
        r.added = counts.1;
        r.mined = counts.2;
    }
    for (field, file) in &files {
        let r = report.fields.entry(*field).or_default();
        r.entries = file.entries.len();
        r.aliases = file.entries.iter().map(|e| e.aliases.len()).sum();
    }
    check_loadable(&files)?;
    Ok(Learned { files, report })
}

/// Loads the learned files the way a run will, so learning never writes a file the loader
/// rejects (a curated alias that now clashes with a new entry, an `ambiguous` alias a curator
/// removed): the loader's error, with file and line, is returned instead.
fn check_loadable(files: &BTreeMap<Field, DictFile>) -> Result<()> {
    let sources = files
        .iter()
        .filter_map(|(field, file)| {
            Some(DictSource {
                path: PathBuf::from(file_name(*field)?),
                field: *field,
                text: render(file),
                layer: 0,
            })
        })
        .collect();
    Vocabulary::from_sources(sources).map(drop)
}

// ---------------------------------------------------------------------------------------------
// Reading

/// A labelled post: its labels per entity field and, for posts (not label rows), its text.
struct Sample {
    name: String,
    labels: [Vec<String>; 4],
    body: Option<Body>,
}

struct Body {
    /// Every block (title first), NFKC-normalized, whitespace collapsed, joined by newlines.
    text: String,
    /// The blocks as extracted (bold spans index into these).
    blocks: Vec<TextBlock>,
}

fn field_index(field: Field) -> usize {
    ENTITY_FIELDS.iter().position(|f| *f == field).unwrap_or(0)
}

fn labels_of(fm: &FrontMatter) -> [Vec<String>; 4] {
    ENTITY_FIELDS.map(|f| as_list(fm.get(f.name())))
}

fn load_posts(sources: &Sources, report: &mut LearnReport) -> Vec<Sample> {
    let mut files = Vec::new();
    for input in discover(&sources.dirs) {
        match input {
            Input::File(path) => {
                if sources.holdout.is_some_and(|h| h.contains(&path)) {
                    report.held_out += 1;
                } else {
                    files.push(path);
                }
            }
            Input::Unreadable(path, message) => report.problems.push(Error::Read {
                path,
                source: std::io::Error::other(message),
            }),
            Input::Stdin => {}
        }
    }
    let loaded: Vec<Result<Sample>> = files.par_iter().map(|p| load_post(p)).collect();
    let mut samples = Vec::with_capacity(loaded.len());
    for item in loaded {
        match item {
            Ok(sample) => samples.push(sample),
            Err(err) => report.problems.push(err),
        }
    }
    samples
}

fn load_post(path: &Path) -> Result<Sample> {
    let bytes = fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let doc = Document::from_bytes(path, bytes)?;
    let fm = FrontMatter::parse(&doc)?;
    let mut blocks = Vec::new();
    if let Some(title) = fm.text("title").filter(|t| !t.trim().is_empty()) {
        blocks.push(TextBlock {
            zone: Zone::Title,
            text: title.to_owned(),
            line: fm.entry("title").map_or(1, |e| e.line),
            bold: Vec::new(),
            speaker: None,
        });
    }
    blocks.extend(extract_blocks(doc.body(), doc.body_first_line()));
    let text = blocks
        .iter()
        .map(|b| normalize_text(&b.text))
        .collect::<Vec<_>>()
        .join("\n");
    Ok(Sample {
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        labels: labels_of(&fm),
        body: Some(Body { text, blocks }),
    })
}

fn load_labels(
    path: &Path,
    seen: &BTreeSet<String>,
    report: &mut LearnReport,
) -> Result<Vec<Sample>> {
    let text = fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut rows = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fail = |message: String| Error::FrontMatter {
            path: path.to_path_buf(),
            line: index + 1,
            message,
        };
        let row: serde_json::Value = match serde_json::from_str(line) {
            Ok(row) => row,
            Err(err) => {
                report
                    .problems
                    .push(fail(format!("not a JSON object: {err}")));
                continue;
            }
        };
        let (Some(name), Some(front)) = (
            row.get("file").and_then(|v| v.as_str()),
            row.get("front_matter").and_then(|v| v.as_str()),
        ) else {
            report
                .problems
                .push(fail("expected `file` and `front_matter` texts".to_owned()));
            continue;
        };
        if seen.contains(name) {
            // The post itself was read (or held out); its row adds nothing, or would leak.
            continue;
        }
        let nl = if front.ends_with('\n') { "" } else { "\n" };
        let wrapped = format!("---\n{front}{nl}---\n");
        let parsed = Document::from_text(path, wrapped).and_then(|d| FrontMatter::parse(&d));
        match parsed {
            Ok(fm) => rows.push(Sample {
                name: name.to_owned(),
                labels: labels_of(&fm),
                body: None,
            }),
            Err(err) => report.problems.push(fail(err.to_string())),
        }
    }
    Ok(rows)
}

// ---------------------------------------------------------------------------------------------
// Normalization

fn nfkc(s: &str) -> String {
    s.nfkc().collect()
}

/// NFKC, trimmed, inner whitespace collapsed to one space.
fn normalize_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.nfkc() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

/// Whether a Latin alias matches case-insensitively, by the loader's rule.
fn is_case_insensitive(alias: &str, case_sensitive: bool) -> bool {
    !has_han(alias) && !is_exact_case(alias, case_sensitive)
}

/// The bucket in which two aliases may clash under the loader's rule (equal after
/// normalization, or equal ignoring ASCII case when one matches case-insensitively): all aliases
/// equal ignoring ASCII case share one, so what learning keeps apart the loader accepts.
fn match_key(alias: &str) -> String {
    normalize_alias(alias).to_ascii_lowercase()
}

/// The key under which label values are variants of one name: case, spaces, hyphens, dots,
/// book-title marks and a leading "The" do not matter.
fn group_key(value: &str) -> String {
    let text = nfkc(value).to_lowercase();
    let text = text.trim();
    let text = text.strip_prefix("the ").unwrap_or(text);
    text.chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '+' | '#' | '&'))
        .collect()
}

/// A slug is an all-lowercase ASCII form with hyphens and no spaces (`donald-trump`).
fn is_slug(form: &str) -> bool {
    form.contains('-')
        && !form.contains(' ')
        && form.is_ascii()
        && !form.chars().any(|c| c.is_ascii_uppercase())
}

fn has_han(s: &str) -> bool {
    s.chars().any(is_han)
}

/// A letter or digit of an alphabetic script (Han and other CJK characters are not word
/// characters: a Latin name glued to Chinese text still has word boundaries).
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || (c.is_alphanumeric() && (c as u32) < 0x2e80 && !is_han(c))
}

/// Splits a label value `A (B)` / `A（B）` into the main value and the linked other name.
fn split_label(value: &str) -> (String, Option<String>) {
    let value = value.trim();
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let (Some(i), true) = (value.find(open), value.ends_with(close)) {
            if i == 0 {
                continue;
            }
            let main = value[..i].trim();
            let inner = value[i + open.len_utf8()..value.len() - close.len_utf8()].trim();
            let inner = inner
                .split([':', '：', ',', '，'])
                .next()
                .unwrap_or("")
                .trim();
            if !main.is_empty() && !inner.is_empty() && has_han(main) != has_han(inner) {
                return (main.to_owned(), Some(inner.to_owned()));
            }
            if !has_han(main) && !has_han(inner) && is_acronym(inner) {
                return (main.to_owned(), Some(inner.to_owned()));
            }
        }
    }
    (value.to_owned(), None)
}

fn is_acronym(s: &str) -> bool {
    (2..=8).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '&')
}

/// Values that are not names: sentences, very long strings, a single Han character.
fn is_junk(value: &str) -> bool {
    let chars = value.chars().count();
    chars == 0
        || chars > 80
        || value.contains(['\n', '。', '；', '！', '？'])
        || value.starts_with("http")
        || (chars == 1 && has_han(value))
}

// ---------------------------------------------------------------------------------------------
// Groups of label values

type GroupId = usize;

struct Group {
    field: Field,
    /// The canonical name.
    name: String,
    /// Every label form with its count.
    forms: BTreeMap<String, u64>,
    /// Aliases linked from `A (B)` label values.
    links: BTreeSet<String>,
    /// Samples labelled with any form.
    samples: Vec<usize>,
    /// Merged into another group (a translation of it).
    absorbed_into: Option<GroupId>,
}

struct Groups {
    list: Vec<Group>,
    /// Group key to the groups (one per field at most) with that key.
    by_key: HashMap<String, Vec<GroupId>>,
    /// Per sample, the groups whose canonical name it is labelled with (as the scorer compares).
    exact: Vec<Vec<GroupId>>,
    raw_values: BTreeMap<Field, usize>,
}

impl Groups {
    fn collect(samples: &[Sample], thresholds: &Thresholds) -> Self {
        let mut list: Vec<Group> = Vec::new();
        let mut index: BTreeMap<(usize, String), GroupId> = BTreeMap::new();
        let mut raw: BTreeMap<Field, BTreeSet<&str>> = BTreeMap::new();
        for (sid, sample) in samples.iter().enumerate() {
            for (fi, field) in ENTITY_FIELDS.iter().enumerate() {
                let mut seen = BTreeSet::new();
                for value in &sample.labels[fi] {
                    raw.entry(*field).or_default().insert(value.as_str());
                    let (main, link) = split_label(value.trim().trim_matches(QUOTES));
                    if is_junk(&main) {
                        continue;
                    }
                    let key = group_key(&main);
                    if key.is_empty() {
                        continue;
                    }
                    let id = *index.entry((fi, key)).or_insert_with(|| {
                        list.push(Group {
                            field: *field,
                            name: String::new(),
                            forms: BTreeMap::new(),
                            links: BTreeSet::new(),
                            samples: Vec::new(),
                            absorbed_into: None,
                        });
                        list.len() - 1
                    });
                    let group = &mut list[id];
                    *group.forms.entry(main.clone()).or_default() += 1;
                    if let Some(link) = link {
                        group.links.insert(link);
                    }
                    if seen.insert(id) {
                        group.samples.push(sid);
                    }
                }
            }
        }
        for group in &mut list {
            group.name = group
                .forms
                .iter()
                .min_by(|a, b| {
                    is_slug(a.0)
                        .cmp(&is_slug(b.0))
                        .then(b.1.cmp(a.1))
                        .then_with(|| name_order(a.0, b.0))
                })
                .map(|(f, _)| f.clone())
                .unwrap_or_default();
        }
        // A single character is too weak a name unless it is used often (`X`).
        let keep: Vec<bool> = index
            .iter()
            .map(|((_, key), id)| {
                key.chars().count() > 1
                    || list[*id].samples.len() as u64 >= thresholds.single_char_count
            })
            .collect();
        let mut by_key: HashMap<String, Vec<GroupId>> = HashMap::new();
        let mut dropped = BTreeSet::new();
        for (((_, key), id), keep) in index.iter().zip(keep) {
            if keep {
                by_key.entry(key.clone()).or_default().push(*id);
            } else {
                dropped.insert(*id);
            }
        }
        for id in &dropped {
            list[*id].absorbed_into = Some(usize::MAX);
        }
        let mut exact = vec![Vec::new(); samples.len()];
        for (id, group) in list.iter().enumerate() {
            if group.absorbed_into.is_some() {
                continue;
            }
            let fi = field_index(group.field);
            let name = norm_label(&group.name);
            for &sid in &group.samples {
                if samples[sid].labels[fi]
                    .iter()
                    .any(|l| norm_label(l) == name)
                {
                    exact[sid].push(id);
                }
            }
        }
        let raw_values = ENTITY_FIELDS
            .iter()
            .map(|f| (*f, raw.get(f).map_or(0, BTreeSet::len)))
            .collect();
        Self {
            list,
            by_key,
            exact,
            raw_values,
        }
    }

    fn live(&self, id: GroupId) -> bool {
        self.list[id].absorbed_into.is_none()
    }

    /// The groups a Latin phrase names: by key, longest suffix of words first.
    fn lookup_latin(&self, candidates: &[String]) -> Vec<GroupId> {
        for candidate in candidates {
            if let Some(ids) = self.by_key.get(&group_key(candidate)) {
                let ids: Vec<GroupId> = ids.iter().copied().filter(|&i| self.live(i)).collect();
                if !ids.is_empty() {
                    return ids;
                }
            }
        }
        Vec::new()
    }
}

/// The scorer's comparison of label values: NFKC, trimmed, case-folded, spaces collapsed.
fn norm_label(s: &str) -> String {
    crate::eval::norm_entity(s)
}

// ---------------------------------------------------------------------------------------------
// Evidence from the bodies

/// A parenthesised gloss pairing a Chinese term with a Latin one.
#[derive(Debug, Clone, PartialEq)]
struct Gloss {
    /// Chinese candidates, most specific first.
    han: Vec<String>,
    /// Latin candidates, longest first.
    latin: Vec<String>,
    /// The Chinese or Latin side was exactly delimited (`**bold**` or the parenthesis itself).
    strong: bool,
}

/// What one post contributes to mining.
struct PostEvidence {
    glosses: Vec<Gloss>,
    /// Distinct Chinese terms of the post (jieba tokens and bold terms).
    terms: Vec<String>,
    /// `<details>` sections: the groups named in the English, the Chinese terms before it.
    sections: Vec<(Vec<GroupId>, Vec<String>)>,
}

impl PostEvidence {
    fn gather(body: &Body, segmenter: &Segmenter, latin: &AliasScan) -> Self {
        let mut glosses = Vec::new();
        let mut all_terms = BTreeSet::new();
        let mut sections = Vec::new();
        let mut chinese: BTreeSet<String> = BTreeSet::new();
        let mut english = String::new();
        let close = |english: &mut String,
                     chinese: &mut BTreeSet<String>,
                     sections: &mut Vec<(Vec<GroupId>, Vec<String>)>| {
            if !english.is_empty() && !chinese.is_empty() {
                let ids: BTreeSet<GroupId> = latin
                    .find(english)
                    .into_iter()
                    .map(|p| latin.target(p))
                    .collect();
                if !ids.is_empty() {
                    sections.push((
                        ids.into_iter().collect(),
                        std::mem::take(chinese).into_iter().collect(),
                    ));
                }
            }
            english.clear();
            chinese.clear();
        };
        for block in &body.blocks {
            if block.zone == Zone::English {
                english.push_str(&normalize_text(&block.text));
                english.push('\n');
                continue;
            }
            if !english.is_empty() {
                close(&mut english, &mut chinese, &mut sections);
            }
            glosses.extend(find_glosses(block, segmenter));
            let terms = chinese_terms(block, segmenter);
            if block.zone != Zone::Title {
                chinese.extend(terms.iter().cloned());
            }
            all_terms.extend(terms);
        }
        close(&mut english, &mut chinese, &mut sections);
        Self {
            glosses,
            terms: all_terms.into_iter().collect(),
            sections,
        }
    }
}

const NAME_DOTS: [char; 4] = ['·', '・', '•', '‧'];

fn is_name_char(c: char) -> bool {
    is_han(c) || NAME_DOTS.contains(&c)
}

/// Chinese terms of a block: jieba tokens of 2 to 8 Han characters and bold Han terms.
fn chinese_terms(block: &TextBlock, segmenter: &Segmenter) -> BTreeSet<String> {
    let text = &block.text;
    let mut terms = BTreeSet::new();
    for token in segmenter.segment(text) {
        let chars = token.text.chars().count();
        // Pieces of a dotted name (`唐纳德`, `特朗普` in `唐纳德·特朗普`) are not names alone.
        let dotted = text[token.span.end..].starts_with(NAME_DOTS)
            || text[..token.span.start].ends_with(NAME_DOTS);
        if token.kind == TokenKind::Han
            && (2..=8).contains(&chars)
            && !dotted
            && is_name_like(token.text)
        {
            terms.insert(nfkc(token.text));
        }
    }
    let mut rest = text.as_str();
    while let Some(dot) = rest.find(NAME_DOTS) {
        let start = rest[..dot]
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_name_char(*c))
            .last()
            .map_or(dot, |(i, _)| i);
        let end = rest[dot..]
            .char_indices()
            .find(|(_, c)| !is_name_char(*c))
            .map_or(rest.len(), |(i, _)| dot + i);
        if let Some(name) = dotted_name(&rest[start..end], segmenter).filter(|n| is_name_like(n)) {
            terms.insert(name);
        }
        rest = &rest[end.max(dot + 1)..];
    }
    for range in &block.bold {
        if let Some(term) = bold_term(&text[range.clone()]).filter(|t| is_name_like(t)) {
            terms.insert(term);
        }
    }
    terms
}

/// A bold run that can be a Chinese name: Han characters (and name dots), 2 to 12 of them.
fn bold_term(text: &str) -> Option<String> {
    let text = text
        .trim()
        .trim_matches(QUOTES)
        .trim_matches(['《', '》'])
        .trim();
    let chars = text.chars().count();
    ((2..=12).contains(&chars) && text.chars().all(is_name_char) && text.chars().any(is_han))
        .then(|| nfkc(text))
}

fn is_latin_phrase(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    first.is_ascii_alphanumeric()
        && s.len() <= 60
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || " .-&'+".contains(c))
        && s.chars().any(|c| c.is_ascii_alphabetic())
        && s.split_whitespace().count() <= 6
}

/// Finds `中文（English）` and `English（中文）` glosses in a block.
fn find_glosses(block: &TextBlock, segmenter: &Segmenter) -> Vec<Gloss> {
    let text = &block.text;
    let mut out = Vec::new();
    for (open, c) in text.char_indices() {
        if c != '（' && c != '(' {
            continue;
        }
        let inner_start = open + c.len_utf8();
        let rest = &text[inner_start..];
        let Some(close) = rest.find(['）', ')']) else {
            continue;
        };
        let inner = &rest[..close];
        if inner.len() > 160 || inner.contains(['（', '(']) {
            continue;
        }
        let Some(head) = gloss_head(inner) else {
            continue;
        };
        let before = text[..open].trim_end();
        let bold = block
            .bold
            .iter()
            .find(|r| r.end <= open && text[r.end..open].trim().is_empty())
            .map(|r| text[r.clone()].trim());
        if is_latin_phrase(head) {
            let han: Vec<String> = match bold {
                Some(b) => bold_term(b)
                    .and_then(|h| match h.contains(NAME_DOTS) {
                        true => dotted_name(&h, segmenter),
                        false => Some(h),
                    })
                    .filter(|h| is_name_like(h))
                    .into_iter()
                    .collect(),
                None => trailing_han_candidate(before, segmenter)
                    .filter(|h| is_name_like(h))
                    .into_iter()
                    .collect(),
            };
            if !han.is_empty() {
                out.push(Gloss {
                    han,
                    latin: vec![head.to_owned()],
                    strong: bold.is_some(),
                });
            }
        } else if let Some(han) = bold_term(head).filter(|h| is_name_like(h)) {
            let latin = match bold {
                Some(b) if is_latin_phrase(b) => vec![b.to_owned()],
                Some(_) => Vec::new(),
                None => trailing_latin_candidates(before),
            };
            if !latin.is_empty() {
                out.push(Gloss {
                    han: vec![han],
                    latin,
                    strong: true,
                });
            }
        }
    }
    out
}

/// The first part of a parenthesis, without a label such as `English:` and without quotes.
fn gloss_head(inner: &str) -> Option<&str> {
    const LABELS: [&str; 10] = [
        "english",
        "english term",
        "英文",
        "英文名",
        "英语",
        "英語",
        "全称",
        "原文",
        "简称",
        "又称",
    ];
    let mut parts = inner.split([':', '：']);
    let mut head = parts.next().unwrap_or("").trim();
    if LABELS.contains(&head.to_lowercase().as_str()) {
        head = parts.next().unwrap_or("").trim();
    }
    let head = head
        .split(['，', ',', '；', ';', '、', '/'])
        .next()
        .unwrap_or("")
        .trim()
        .trim_matches(QUOTES)
        .trim();
    (!head.is_empty()).then_some(head)
}

const QUOTES: [char; 10] = ['"', '\'', '“', '”', '‘', '’', '「', '」', '『', '』'];

/// Characters that do not occur in names but do in descriptions and sentence fragments.
const NOT_IN_NAMES: [char; 22] = [
    '的', '了', '是', '这', '那', '你', '我', '他', '她', '它', '们', '吗', '呢', '吧', '啊', '很',
    '都', '也', '就', '还', '被', '把',
];
/// Words a name does not start with (prepositions, conjunctions, verbs of reporting).
const NOT_NAME_STARTS: [&str; 16] = [
    "在", "和", "与", "及", "如", "像", "对", "从", "由", "向", "给", "让", "将", "买", "包括",
    "比如",
];

/// Whether a Chinese candidate can be a name: 2 to 16 characters of Han and name dots, none of
/// the function words a description or a sentence fragment would have.
fn is_name_like(s: &str) -> bool {
    let chars = s.chars().count();
    (2..=16).contains(&chars)
        && s.chars().all(is_name_char)
        && !s.contains(NOT_IN_NAMES)
        && !NOT_NAME_STARTS.iter().any(|p| s.starts_with(p))
        && !s.starts_with(NAME_DOTS)
        && !s.ends_with(NAME_DOTS)
}

/// The Chinese name that ends right before a gloss: a dotted name (`罗伯特·比约克`), else the
/// last jieba token, joined with the token before when jieba split a name into one character
/// and two (`马|斯克`).
fn trailing_han_candidate(before: &str, segmenter: &Segmenter) -> Option<String> {
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_name_char(*c))
        .last()
        .map_or(before.len(), |(i, _)| i);
    let run = before[start..].trim_start_matches(NAME_DOTS);
    if run.is_empty() {
        return None;
    }
    if run.contains(NAME_DOTS) {
        return dotted_name(run, segmenter);
    }
    let tokens = segmenter.segment(run);
    let last = tokens.last()?;
    let chars = last.text.chars().count();
    let prev = tokens.len().checked_sub(2).map(|i| &tokens[i]);
    let span = match prev {
        Some(p) if chars <= 2 && p.text.chars().count() == 1 => p.span.start..last.span.end,
        _ if chars >= 2 => last.span.clone(),
        _ => return None,
    };
    Some(nfkc(&run[span]))
}

/// A dotted name from a run like `美国总统唐纳德·特朗普`: the last word before the first dot,
/// the middle pieces, and the first word after the last dot (`唐纳德·特朗普`).
fn dotted_name(run: &str, segmenter: &Segmenter) -> Option<String> {
    let mut pieces: Vec<&str> = run.split(NAME_DOTS).collect();
    if pieces.len() < 2 || pieces.iter().any(|p| p.is_empty()) {
        return None;
    }
    let first = segmenter.segment(pieces[0]);
    let head = pieces[0];
    pieces[0] = match first.as_slice() {
        [.., p, l] if l.text.chars().count() == 1 => &head[p.span.start..l.span.end],
        [.., l] => l.text,
        [] => head,
    };
    let n = pieces.len();
    if pieces[n - 1].chars().count() > 4 {
        let last = segmenter.segment(pieces[n - 1]);
        pieces[n - 1] = last.first().map_or(pieces[n - 1], |t| t.text);
    }
    let name = pieces.join("·");
    (name.chars().count() <= 16).then(|| nfkc(&name))
}

/// The Latin phrase that ends right before a gloss, as suffixes of up to six words, longest
/// first.
fn trailing_latin_candidates(before: &str) -> Vec<String> {
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || " .-&'+".contains(*c))
        .last()
        .map_or(before.len(), |(i, _)| i);
    let words: Vec<&str> = before[start..].split_whitespace().collect();
    let words = &words[words.len().saturating_sub(6)..];
    (0..words.len())
        .map(|i| words[i..].join(" "))
        .filter(|p| is_latin_phrase(p))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Alias scanning (learning's own simple matcher: word boundaries for Latin, substrings for Han)

struct AliasScan {
    patterns: Vec<(String, GroupId)>,
    exact: Option<(AhoCorasick, Vec<usize>)>,
    folded: Option<(AhoCorasick, Vec<usize>)>,
}

impl AliasScan {
    /// `patterns` are (alias, target); aliases in `case_sensitive` are matched exactly.
    fn new(patterns: Vec<(String, GroupId)>, case_sensitive: &BTreeSet<String>) -> Self {
        let patterns: Vec<(String, GroupId)> = patterns
            .into_iter()
            .map(|(p, t)| (normalize_text(&p), t))
            .filter(|(p, _)| !p.is_empty())
            .collect();
        let mut exact = Vec::new();
        let mut folded = Vec::new();
        for (i, (p, _)) in patterns.iter().enumerate() {
            if is_case_insensitive(p, case_sensitive.contains(p)) {
                folded.push(i);
            } else {
                exact.push(i);
            }
        }
        let build = |ids: Vec<usize>, fold: bool| {
            if ids.is_empty() {
                return None;
            }
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .ascii_case_insensitive(fold)
                .build(ids.iter().map(|&i| patterns[i].0.as_str()))
                .ok()
                .map(|ac| (ac, ids))
        };
        let exact = build(exact, false);
        let folded = build(folded, true);
        Self {
            patterns,
            exact,
            folded,
        }
    }

    fn target(&self, pattern: usize) -> GroupId {
        self.patterns[pattern].1
    }

    /// The distinct patterns found in `text` (already normalized), word boundaries respected
    /// where an alias begins or ends with a Latin letter or digit.
    fn find(&self, text: &str) -> BTreeSet<usize> {
        let mut found = BTreeSet::new();
        for (ac, ids) in [&self.exact, &self.folded].into_iter().flatten() {
            for m in ac.find_overlapping_iter(text) {
                let id = ids[m.pattern().as_usize()];
                if found.contains(&id) {
                    continue;
                }
                let pattern = &self.patterns[id].0;
                let starts_word = pattern.chars().next().is_some_and(is_word_char);
                let ends_word = pattern.chars().next_back().is_some_and(is_word_char);
                let before_ok = !starts_word
                    || !text[..m.start()]
                        .chars()
                        .next_back()
                        .is_some_and(is_word_char);
                let after_ok =
                    !ends_word || !text[m.end()..].chars().next().is_some_and(is_word_char);
                if before_ok && after_ok {
                    found.insert(id);
                }
            }
        }
        found
    }
}

// ---------------------------------------------------------------------------------------------
// Mining claims

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    /// From an `A (B)` label value.
    Link,
    /// From a gloss whose Chinese side is exactly delimited (bold, or the parenthesis).
    GlossStrong,
    /// From a gloss found by segmentation alone, seen in several posts.
    Gloss,
    /// The English side of a gloss whose Chinese side is a label (`赖清德（Lai Ching-te）`).
    Reverse,
    /// From `<details>` alignment.
    Aligned,
    /// From post-level co-occurrence.
    Cooccur,
}

/// A mined alias for a group.
#[derive(Debug, Clone, PartialEq)]
struct Claim {
    alias: String,
    group: GroupId,
    source: Source,
    /// Distinct posts the evidence was seen in.
    support: u32,
}

fn mine_claims(
    samples: &[Sample],
    evidence: &[Option<PostEvidence>],
    groups: &Groups,
    segmenter: &Segmenter,
    t: &Thresholds,
) -> Vec<Claim> {
    let mut claims = Vec::new();
    for (id, group) in groups.list.iter().enumerate() {
        if !groups.live(id) {
            continue;
        }
        for link in &group.links {
            claims.push(Claim {
                alias: link.clone(),
                group: id,
                source: Source::Link,
                support: 1,
            });
        }
    }
    // Groups each sample is labelled with (any form), for resolving partial Latin names.
    let mut labelled: Vec<Vec<GroupId>> = vec![Vec::new(); samples.len()];
    for (id, group) in groups.list.iter().enumerate() {
        if groups.live(id) {
            for &sid in &group.samples {
                labelled[sid].push(id);
            }
        }
    }

    // Glosses: (alias, group, reverse) -> (posts, strong posts).
    let mut gloss: BTreeMap<(String, GroupId, bool), (u32, u32)> = BTreeMap::new();
    for (sid, ev) in evidence.iter().enumerate() {
        let Some(ev) = ev else { continue };
        let mut seen: BTreeSet<(String, GroupId, bool, bool)> = BTreeSet::new();
        for g in &ev.glosses {
            let mut targets = groups.lookup_latin(&g.latin);
            if targets.is_empty() {
                targets = partial_match(&g.latin, &labelled[sid], groups);
            }
            if !targets.is_empty() {
                for han in &g.han {
                    for &t in &targets {
                        seen.insert((han.clone(), t, false, g.strong));
                    }
                }
            } else if let Some(latin) = g.latin.first() {
                // A Chinese label glossed with an English name: the English is its alias.
                for han in &g.han {
                    if let Some(ids) = groups.by_key.get(&group_key(han)) {
                        for &t in ids.iter().filter(|&&i| groups.live(i)) {
                            seen.insert((latin.clone(), t, true, g.strong));
                        }
                    }
                }
            }
        }
        let mut per_post: BTreeMap<(String, GroupId, bool), bool> = BTreeMap::new();
        for (alias, group, reverse, strong) in seen {
            *per_post.entry((alias, group, reverse)).or_default() |= strong;
        }
        for (key, strong) in per_post {
            let e = gloss.entry(key).or_default();
            e.0 += 1;
            e.1 += u32::from(strong);
        }
    }
    let mut gloss_claims = Vec::new();
    for ((alias, group, reverse), (posts, strong)) in gloss {
        if strong >= 1 || posts >= t.gloss_posts {
            gloss_claims.push(Claim {
                alias,
                group,
                support: posts,
                source: match (reverse, strong >= 1) {
                    (true, _) => Source::Reverse,
                    (false, true) => Source::GlossStrong,
                    (false, false) => Source::Gloss,
                },
            });
        }
    }

    // Chinese terms as numbers, so the counting below is cheap.
    let mut term_ids: HashMap<&str, u32> = HashMap::new();
    let mut term_text: Vec<&str> = Vec::new();
    let mut sections: Vec<(usize, Vec<GroupId>, Vec<u32>)> = Vec::new();
    let mut posts: Vec<(usize, Vec<GroupId>, Vec<u32>)> = Vec::new();
    let latin_only = |ids: &[GroupId]| -> Vec<GroupId> {
        ids.iter()
            .copied()
            .filter(|&id| !has_han(&groups.list[id].name))
            .collect()
    };
    for (sid, ev) in evidence.iter().enumerate() {
        let Some(ev) = ev else { continue };
        for (ids, list) in &ev.sections {
            sections.push((
                sid,
                latin_only(ids),
                intern_terms(list, &mut term_ids, &mut term_text),
            ));
        }
        posts.push((
            sid,
            latin_only(&labelled[sid]),
            intern_terms(&ev.terms, &mut term_ids, &mut term_text),
        ));
    }
    let n_terms = term_text.len();
    // `<details>` alignment: a term in the Chinese before the sections whose English names the
    // value, and rarely elsewhere.
    let aligned = associate(
        &sections,
        n_terms,
        &Association {
            min_pairs: t.aligned_sections,
            min_posts: 2,
            share: t.aligned_share,
            coverage: t.aligned_coverage,
        },
    );
    // Post-level co-occurrence of Chinese terms with English labels.
    let cooccur = associate(
        &posts,
        n_terms,
        &Association {
            min_pairs: t.cooccur_posts,
            min_posts: t.cooccur_posts,
            share: t.cooccur_share,
            coverage: t.cooccur_coverage,
        },
    );
    for (found, source) in [(aligned, Source::Aligned), (cooccur, Source::Cooccur)] {
        for (group, term) in found {
            let alias = term_text[term as usize];
            let dotted = alias.contains(NAME_DOTS);
            let people = groups.list[group].field == Field::People;
            // Statistics find topics as readily as names: co-occurrence is trusted only for
            // dotted personal names, alignment for three characters or more, and a dotted name
            // (a person) only for a person.
            let ok = match source {
                Source::Cooccur => people && dotted,
                _ => (alias.chars().count() >= 3 || dotted) && (people || !dotted),
            };
            if ok {
                claims.push(Claim {
                    alias: alias.to_owned(),
                    group,
                    source,
                    support: t.aligned_sections,
                });
            }
        }
    }
    // A Chinese alias made only of common words is a description (`人工智能研究公司`), not a
    // name; a name has at least one rare part.
    let mut df = vec![0u32; term_text.len()];
    for (_, _, terms) in &posts {
        for &t in terms {
            df[t as usize] += 1;
        }
    }
    let common = (posts.len() as f64 * 0.015).max(10.0);
    // Single characters are particles and suffixes: common by definition.
    let is_common = |word: &str| {
        word.chars().count() < 2
            || term_ids
                .get(word)
                .is_some_and(|&i| f64::from(df[i as usize]) >= common)
    };
    claims.extend(gloss_claims);
    claims.retain(|c| {
        if !has_han(&c.alias) || c.source == Source::Link {
            return true;
        }
        if is_title(&c.alias) {
            return false;
        }
        if c.alias.contains(NAME_DOTS) {
            return true;
        }
        // Glossed once, a long phrase is more likely a description than a name.
        if c.source == Source::GlossStrong && c.support < 2 && c.alias.chars().count() > 6 {
            return false;
        }
        let words = segmenter.segment(&c.alias);
        match words.len() {
            0 => false,
            // A common word is an alias only when it was exactly delimited as the gloss.
            1 => c.source == Source::GlossStrong || !is_common(words[0].text),
            _ => !words.iter().all(|w| is_common(w.text)),
        }
    });
    claims
}

/// Titles and roles, which name whoever holds them (`国务卿`, `卫生部长`), not one person.
fn is_title(alias: &str) -> bool {
    const TITLES: [&str; 27] = [
        "总统",
        "总理",
        "首相",
        "主席",
        "国务卿",
        "部长",
        "议长",
        "大使",
        "州长",
        "市长",
        "董事长",
        "首席执行官",
        "创始人",
        "教授",
        "博士",
        "先生",
        "女士",
        "将军",
        "国王",
        "女王",
        "总裁",
        "经理",
        "参议员",
        "众议员",
        "法官",
        "局长",
        "主任",
    ];
    TITLES.iter().any(|t| alias.ends_with(t))
}

fn intern_terms<'e>(
    list: &'e [String],
    ids: &mut HashMap<&'e str, u32>,
    text: &mut Vec<&'e str>,
) -> Vec<u32> {
    list.iter()
        .map(|t| {
            *ids.entry(t.as_str()).or_insert_with(|| {
                text.push(t.as_str());
                (text.len() - 1) as u32
            })
        })
        .collect()
}

/// When a term is taken to name a group in [`associate`].
struct Association {
    /// Units holding both.
    min_pairs: u32,
    /// Distinct posts among those units.
    min_posts: u32,
    /// Share of the term's units that hold the group.
    share: f64,
    /// Share of the group's units that hold the term.
    coverage: f64,
}

/// Counts, over units (sections or posts) of (sample, groups, terms), which terms go with which
/// group, and returns the (group, term) pairs that pass, sorted.
fn associate(
    units: &[(usize, Vec<GroupId>, Vec<u32>)],
    n_terms: usize,
    rule: &Association,
) -> Vec<(GroupId, u32)> {
    let mut tf = vec![0u32; n_terms];
    let mut gf: HashMap<GroupId, u32> = HashMap::new();
    for (_, groups, terms) in units {
        for &t in terms {
            tf[t as usize] += 1;
        }
        for &g in groups {
            *gf.entry(g).or_default() += 1;
        }
    }
    // Only terms whose frequency lies in [coverage * gf, gf / share] can pass for a group, so
    // each unit's terms are sorted by frequency and sliced to that range.
    let mut pairs: HashMap<(GroupId, u32), (u32, u32, usize)> = HashMap::new();
    for (sid, groups, terms) in units {
        let mut by_freq: Vec<(u32, u32)> = terms
            .iter()
            .map(|&t| (tf[t as usize], t))
            .filter(|&(f, _)| f >= rule.min_pairs)
            .collect();
        by_freq.sort_unstable();
        for &g in groups {
            let n = gf[&g];
            if n < rule.min_pairs {
                continue;
            }
            let lo = (f64::from(n) * rule.coverage).ceil() as u32;
            let hi = (f64::from(n) / rule.share).floor() as u32;
            let from = by_freq.partition_point(|&(f, _)| f < lo);
            let to = by_freq.partition_point(|&(f, _)| f <= hi);
            for &(_, t) in by_freq.get(from..to).unwrap_or(&[]) {
                let e = pairs.entry((g, t)).or_insert((0, 0, usize::MAX));
                e.0 += 1;
                if e.2 != *sid {
                    e.1 += 1;
                    e.2 = *sid;
                }
            }
        }
    }
    // Competitive linking: a pair stands only if the term is the group's most frequent partner
    // and the group the term's.
    let mut best_of_group: HashMap<GroupId, u32> = HashMap::new();
    let mut best_of_term: HashMap<u32, u32> = HashMap::new();
    for (&(g, t), &(n, _, _)) in &pairs {
        let b = best_of_group.entry(g).or_default();
        *b = (*b).max(n);
        let b = best_of_term.entry(t).or_default();
        *b = (*b).max(n);
    }
    let mut out: Vec<(GroupId, u32)> = pairs
        .into_iter()
        .filter(|((g, t), (n, posts, _))| {
            let k = f64::from(*n);
            *n >= rule.min_pairs
                && *posts >= rule.min_posts
                && k / f64::from(tf[*t as usize]) >= rule.share
                && k / f64::from(gf[g]) >= rule.coverage
                && *n == best_of_group[g]
                && *n == best_of_term[t]
        })
        .map(|(key, _)| key)
        .collect();
    out.sort_unstable();
    out
}

/// A surname (`Trump`) naming exactly one of the post's labelled people (`Donald Trump`).
fn partial_match(latin: &[String], labelled: &[GroupId], groups: &Groups) -> Vec<GroupId> {
    for candidate in latin {
        let words: Vec<String> = candidate
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        if !words
            .iter()
            .any(|w| w.chars().filter(char::is_ascii_alphabetic).count() >= 3)
        {
            continue;
        }
        let hits: Vec<GroupId> = labelled
            .iter()
            .copied()
            .filter(|&id| {
                let group = &groups.list[id];
                let name: Vec<String> = group
                    .name
                    .split_whitespace()
                    .map(str::to_lowercase)
                    .collect();
                group.field == Field::People && name.len() > words.len() && name.ends_with(&words)
            })
            .collect();
        if hits.len() == 1 {
            return hits;
        }
    }
    Vec::new()
}

// ---------------------------------------------------------------------------------------------
// Resolving claims into entries

/// A learned entry before merging with the existing file.
struct Draft {
    field: Field,
    name: String,
    aliases: BTreeSet<String>,
    ambiguous: BTreeSet<String>,
    /// The aliases that are label forms (the others were mined).
    label_forms: BTreeSet<String>,
    mined: usize,
    count: u64,
}

/// Mention and label statistics of aliases over the learning posts.
struct Rates {
    /// Posts mentioning the alias.
    mentioned: Vec<u32>,
    /// (alias, group) -> posts mentioning the alias and labelled with the group's name.
    labelled: HashMap<(usize, GroupId), u32>,
}

fn alias_rates(
    samples: &[Sample],
    groups: &Groups,
    aliases: &[String],
    claimants: &[Vec<GroupId>],
) -> Rates {
    let scan = AliasScan::new(
        aliases
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, a)| (a, i))
            .collect(),
        &BTreeSet::new(),
    );
    let per_sample: Vec<Vec<(usize, Vec<GroupId>)>> = samples
        .par_iter()
        .enumerate()
        .map(|(sid, s)| {
            let Some(body) = &s.body else {
                return Vec::new();
            };
            scan.find(&body.text)
                .into_iter()
                .map(|p| {
                    let alias = scan.target(p);
                    let hit = claimants[alias]
                        .iter()
                        .copied()
                        .filter(|g| groups.exact[sid].contains(g))
                        .collect();
                    (alias, hit)
                })
                .collect()
        })
        .collect();
    let mut rates = Rates {
        mentioned: vec![0; aliases.len()],
        labelled: HashMap::new(),
    };
    for found in per_sample {
        for (alias, hits) in found {
            rates.mentioned[alias] += 1;
            for g in hits {
                *rates.labelled.entry((alias, g)).or_default() += 1;
            }
        }
    }
    rates
}

impl Rates {
    fn rate(&self, alias: usize, group: GroupId) -> f64 {
        let l = f64::from(self.labelled.get(&(alias, group)).copied().unwrap_or(0));
        (l + 1.0) / (f64::from(self.mentioned[alias]) + 2.0)
    }

    fn hits(&self, alias: usize, group: GroupId) -> u32 {
        self.labelled.get(&(alias, group)).copied().unwrap_or(0)
    }
}

fn resolve(
    samples: &[Sample],
    groups: &mut Groups,
    claims: Vec<Claim>,
    t: &Thresholds,
) -> Vec<Draft> {
    // Every alias text, with the groups claiming it as a name form or as a mined alias.
    let mut alias_ids: BTreeMap<String, usize> = BTreeMap::new();
    let mut aliases: Vec<String> = Vec::new();
    let mut intern = |a: &str, aliases: &mut Vec<String>| -> usize {
        let a = normalize_text(a);
        *alias_ids.entry(a.clone()).or_insert_with(|| {
            aliases.push(a);
            aliases.len() - 1
        })
    };
    let mut own: Vec<(usize, GroupId)> = Vec::new();
    for (id, group) in groups.list.iter().enumerate() {
        if groups.live(id) {
            for form in group.forms.keys() {
                own.push((intern(form, &mut aliases), id));
            }
        }
    }
    let mut mined: Vec<(usize, GroupId, Source)> = claims
        .iter()
        .filter(|c| groups.live(c.group))
        .map(|c| (intern(&c.alias, &mut aliases), c.group, c.source))
        .collect();
    mined.sort_unstable();
    mined.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    let mut claimants: Vec<Vec<GroupId>> = vec![Vec::new(); aliases.len()];
    for &(a, g) in &own {
        claimants[a].push(g);
    }
    for &(a, g, _) in &mined {
        claimants[a].push(g);
    }
    for c in &mut claimants {
        c.sort_unstable();
        c.dedup();
    }
    let rates = alias_rates(samples, groups, &aliases, &claimants);
    let owner_of_name: BTreeMap<usize, Vec<GroupId>> =
        own.iter().fold(BTreeMap::new(), |mut m, &(a, g)| {
            m.entry(a).or_insert_with(Vec::new).push(g);
            m
        });
    let name_alias = |g: GroupId, groups: &Groups| {
        alias_ids
            .get(&normalize_text(&groups.list[g].name))
            .copied()
    };

    // Decide each mined alias: it goes to the claimant that predicts its label best. When it is
    // the name of another group of the same field, that group is absorbed if it loses.
    let mut by_alias: BTreeMap<usize, Vec<(GroupId, Source)>> = BTreeMap::new();
    for &(a, g, s) in &mined {
        by_alias.entry(a).or_default().push((g, s));
    }
    let mut accepted: BTreeMap<GroupId, BTreeSet<(usize, Source)>> = BTreeMap::new();
    for (a, mut cands) in by_alias {
        cands.sort_by(|x, y| {
            rates
                .hits(a, y.0)
                .cmp(&rates.hits(a, x.0))
                .then(x.1.cmp(&y.1))
                .then(
                    groups.list[y.0]
                        .samples
                        .len()
                        .cmp(&groups.list[x.0].samples.len()),
                )
                .then(x.0.cmp(&y.0))
        });
        let (winner, source) = cands[0];
        let field = groups.list[winner].field;
        if let Some(owners) = owner_of_name.get(&a) {
            if owners.contains(&winner) {
                continue;
            }
            // The alias is another group's label form.
            let same_field: Vec<GroupId> = owners
                .iter()
                .copied()
                .filter(|&o| groups.list[o].field == field && groups.live(o))
                .collect();
            if owners.iter().any(|&o| groups.list[o].field != field) && same_field.is_empty() {
                continue;
            }
            let best_owner = same_field
                .iter()
                .copied()
                .max_by_key(|&o| (rates.hits(a, o), std::cmp::Reverse(o)));
            match best_owner {
                Some(o) if rates.hits(a, winner) > rates.hits(a, o) && o != winner => {
                    absorb(groups, o, winner);
                }
                _ => continue,
            }
        }
        // A mined alias must predict the label about as well as the name itself does.
        let name_rate = name_alias(winner, groups).map_or(0.0, |n| rates.rate(n, winner));
        let ok = match source {
            Source::Link => true,
            // Seen with the label at least once, and predicting it about as well as the name.
            // A rare alias may never have been labelled (the label was in another post).
            Source::GlossStrong => {
                (rates.mentioned[a] <= 3 || rates.hits(a, winner) >= 1)
                    && rates.rate(a, winner) >= t.alias_rate_ratio * name_rate
            }
            Source::Reverse => {
                rates.hits(a, winner) >= 1
                    && rates.rate(a, winner) >= t.alias_rate_ratio * name_rate
            }
            Source::Gloss | Source::Aligned | Source::Cooccur => {
                name_rate >= t.min_name_rate
                    && rates.hits(a, winner) >= 2
                    && rates.rate(a, winner) >= t.statistical_rate_ratio * name_rate
            }
        };
        if ok {
            accepted.entry(winner).or_default().insert((a, source));
        }
    }

    // Build drafts for live groups, folding absorbed groups in.
    let mut drafts: BTreeMap<GroupId, Draft> = BTreeMap::new();
    for (id, group) in groups.list.iter().enumerate() {
        if !groups.live(id) {
            continue;
        }
        drafts.insert(
            id,
            Draft {
                field: group.field,
                name: group.name.clone(),
                aliases: BTreeSet::new(),
                ambiguous: BTreeSet::new(),
                label_forms: BTreeSet::new(),
                mined: 0,
                count: 0,
            },
        );
    }
    let mut members: BTreeMap<GroupId, Vec<GroupId>> = BTreeMap::new();
    for id in 0..groups.list.len() {
        if let Some(root) = root_of(groups, id) {
            members.entry(root).or_default().push(id);
        }
    }
    for (root, ids) in &members {
        let Some(draft) = drafts.get_mut(root) else {
            continue;
        };
        let mut labelled = BTreeSet::new();
        for &id in ids {
            let group = &groups.list[id];
            labelled.extend(group.samples.iter().copied());
            let name_ci = is_case_insensitive(&draft.name, false);
            for form in group.forms.keys() {
                if is_slug(form) && !is_slug(&draft.name) {
                    continue;
                }
                if name_ci && form.eq_ignore_ascii_case(&draft.name) {
                    continue;
                }
                draft.aliases.insert(form.clone());
                draft.label_forms.insert(form.clone());
            }
            if let Some(bare) = draft
                .name
                .strip_prefix('《')
                .and_then(|n| n.strip_suffix('》'))
            {
                draft.aliases.insert(bare.to_owned());
            }
            if let Some(set) = accepted.get(&id) {
                for &(a, _) in set {
                    if draft.aliases.insert(aliases[a].clone()) {
                        draft.mined += 1;
                    }
                }
            }
        }
        draft.count = labelled.len() as u64;
        let name = draft.name.clone();
        draft.aliases.remove(&name);
    }
    let mut drafts: Vec<Draft> = drafts.into_values().collect();
    drop_contained_aliases(&mut drafts, &alias_ids, &rates);
    settle_cross_field(&mut drafts, t);
    drafts
}

fn root_of(groups: &Groups, mut id: GroupId) -> Option<GroupId> {
    for _ in 0..groups.list.len() {
        match groups.list[id].absorbed_into {
            None => return Some(id),
            Some(usize::MAX) => return None,
            Some(next) => id = next,
        }
    }
    None
}

fn absorb(groups: &mut Groups, loser: GroupId, winner: GroupId) {
    // Never create a cycle: the winner must not already lead into the loser.
    let mut id = winner;
    for _ in 0..groups.list.len() {
        if id == loser {
            return;
        }
        match groups.list[id].absorbed_into {
            Some(next) if next != usize::MAX => id = next,
            _ => break,
        }
    }
    groups.list[loser].absorbed_into = Some(winner);
}

/// Drops an alias that is only ever seen inside a longer alias of the same entry (`仁勋` next to
/// `黄仁勋`): it adds nothing and would match inside other words.
fn drop_contained_aliases(
    drafts: &mut [Draft],
    alias_ids: &BTreeMap<String, usize>,
    rates: &Rates,
) {
    for draft in drafts {
        let all: Vec<String> = draft
            .aliases
            .iter()
            .cloned()
            .chain(std::iter::once(draft.name.clone()))
            .collect();
        let mentioned = |a: &str| {
            alias_ids
                .get(&normalize_text(a))
                .map_or(0, |&i| rates.mentioned[i])
        };
        let mut drop = Vec::new();
        for short in &draft.aliases {
            if !has_han(short) {
                continue;
            }
            let m_short = mentioned(short);
            let covered = all.iter().any(|long| {
                long != short
                    && long.contains(short.as_str())
                    && f64::from(m_short) <= f64::from(mentioned(long)) * 1.1
            });
            if covered {
                drop.push(short.clone());
            }
        }
        for d in drop {
            draft.aliases.remove(&d);
        }
        // A mined alias holding another of the entry's names plus a title or a particle
        // (`美联储主席鲍威尔`, `巨头英伟达`) adds nothing but noise.
        let names: Vec<String> = draft
            .aliases
            .iter()
            .chain(std::iter::once(&draft.name))
            .filter(|a| has_han(a))
            .cloned()
            .collect();
        let label_forms = &draft.label_forms;
        draft.aliases.retain(|long| {
            label_forms.contains(long)
                || long.contains(NAME_DOTS)
                || !names
                    .iter()
                    .any(|short| short != long && long.contains(short.as_str()))
        });
        if draft.mined > 0 {
            draft.mined = draft
                .aliases
                .iter()
                .filter(|a| !draft.label_forms.contains(*a))
                .count();
        }
    }
}

/// The same name in two fields: the much weaker entry goes, comparable ones both stay with the
/// shared name marked `ambiguous`. Other shared aliases stay with the stronger entry only.
fn settle_cross_field(drafts: &mut Vec<Draft>, t: &Thresholds) {
    let key_of = |a: &str| match_key(a);
    let mut owners: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, d) in drafts.iter().enumerate() {
        for a in d.aliases.iter().chain(std::iter::once(&d.name)) {
            owners.entry(key_of(a)).or_default().push(i);
        }
    }
    let mut remove_entry = BTreeSet::new();
    for (key, mut ids) in owners {
        ids.sort_unstable();
        ids.dedup();
        if ids.len() < 2 {
            continue;
        }
        ids.sort_by(|&a, &b| drafts[b].count.cmp(&drafts[a].count).then(a.cmp(&b)));
        let strongest = ids[0];
        let is_name = |i: usize, drafts: &[Draft]| key_of(&drafts[i].name) == key;
        for &other in &ids[1..] {
            let weak =
                drafts[other].count as f64 * t.cross_field_ratio <= drafts[strongest].count as f64;
            if is_name(other, drafts) {
                if weak {
                    remove_entry.insert(other);
                } else {
                    mark_ambiguous(drafts, other, &key);
                    mark_ambiguous(drafts, strongest, &key);
                }
            } else if is_name(strongest, drafts) || weak {
                drafts[other].aliases.retain(|a| key_of(a) != key);
            } else {
                mark_ambiguous(drafts, other, &key);
                mark_ambiguous(drafts, strongest, &key);
            }
        }
    }
    let mut index = 0;
    drafts.retain(|_| {
        let keep = !remove_entry.contains(&index);
        index += 1;
        keep
    });
}

fn mark_ambiguous(drafts: &mut [Draft], i: usize, key: &str) {
    let d = &mut drafts[i];
    let forms: Vec<String> = d
        .aliases
        .iter()
        .chain(std::iter::once(&d.name))
        .filter(|a| match_key(a) == key)
        .cloned()
        .collect();
    d.ambiguous.extend(forms);
}

// ---------------------------------------------------------------------------------------------
// Merging with existing files, final numbers

type MergeCounts = (usize, usize, usize);

fn merge_existing(
    existing: &BTreeMap<Field, DictFile>,
    drafts: Vec<Draft>,
) -> (BTreeMap<Field, DictFile>, BTreeMap<Field, MergeCounts>) {
    let mut files: BTreeMap<Field, DictFile> = BTreeMap::new();
    let mut counts: BTreeMap<Field, MergeCounts> = BTreeMap::new();
    // Every key an existing entry claims, in any field.
    let mut claimed: BTreeMap<String, (Field, usize)> = BTreeMap::new();
    for field in ENTITY_FIELDS {
        let file = existing.get(&field).cloned().unwrap_or_else(|| DictFile {
            header: default_header(field),
            entries: Vec::new(),
        });
        let mut file = file;
        if file.header.is_empty() {
            file.header = default_header(field);
        }
        for (i, e) in file.entries.iter().enumerate() {
            for a in e.aliases.iter().chain(std::iter::once(&e.name)) {
                claimed.entry(match_key(a)).or_insert((field, i));
            }
        }
        counts.entry(field).or_default().0 = file.entries.len();
        files.insert(field, file);
    }
    let group_keys: BTreeMap<(Field, String), usize> = files
        .iter()
        .flat_map(|(field, file)| {
            file.entries.iter().enumerate().flat_map(move |(i, e)| {
                e.aliases
                    .iter()
                    .chain(std::iter::once(&e.name))
                    .map(move |a| ((*field, group_key(a)), i))
            })
        })
        .collect();
    for draft in drafts {
        // An entry the curator already has (under this name or as one of its aliases).
        if group_keys.contains_key(&(draft.field, group_key(&draft.name)))
            || claimed.contains_key(&match_key(&draft.name))
        {
            continue;
        }
        let Some(file) = files.get_mut(&draft.field) else {
            continue;
        };
        let aliases: Vec<String> = draft
            .aliases
            .iter()
            .filter(|a| !claimed.contains_key(&match_key(a)))
            .cloned()
            .collect();
        let ambiguous = draft
            .ambiguous
            .iter()
            .filter(|a| **a == draft.name || aliases.contains(a))
            .cloned()
            .collect();
        let c = counts.entry(draft.field).or_default();
        c.1 += 1;
        c.2 += draft.mined.min(aliases.len());
        file.entries.push(Record {
            name: draft.name,
            aliases,
            ambiguous,
            count: draft.count,
            ..Record::default()
        });
    }
    (files, counts)
}

/// Computes every entry's prior and count with its final aliases, and normalizes the files.
fn finish(samples: &[Sample], files: &mut BTreeMap<Field, DictFile>) {
    let mut entries: Vec<(Field, usize)> = Vec::new();
    let mut patterns: Vec<(String, usize)> = Vec::new();
    let mut case_sensitive = BTreeSet::new();
    for (field, file) in files.iter() {
        for (i, e) in file.entries.iter().enumerate() {
            let id = entries.len();
            entries.push((*field, i));
            for a in e.aliases.iter().chain(std::iter::once(&e.name)) {
                patterns.push((a.clone(), id));
                if e.case_sensitive {
                    case_sensitive.insert(normalize_text(a));
                }
            }
        }
    }
    let scan = AliasScan::new(patterns, &case_sensitive);
    // Per entry: the label keys that count as "labelled with it" for the prior (its name, as the
    // scorer compares) and for the count (its name or any alias, in any case or slug variant).
    let names: Vec<String> = entries
        .iter()
        .map(|(f, i)| norm_label(&files[f].entries[*i].name))
        .collect();
    let mut any_form: HashMap<(usize, String), Vec<usize>> = HashMap::new();
    for (id, (f, i)) in entries.iter().enumerate() {
        let e = &files[f].entries[*i];
        let mut keys: BTreeSet<String> = e.aliases.iter().map(|a| group_key(a)).collect();
        keys.insert(group_key(&e.name));
        for k in keys {
            any_form.entry((field_index(*f), k)).or_default().push(id);
        }
    }
    let name_of: HashMap<(usize, &str), Vec<usize>> =
        names
            .iter()
            .enumerate()
            .fold(HashMap::new(), |mut m, (id, n)| {
                m.entry((field_index(entries[id].0), n.as_str()))
                    .or_insert_with(Vec::new)
                    .push(id);
                m
            });
    let per_sample: Vec<(Vec<usize>, BTreeSet<usize>, BTreeSet<usize>)> = samples
        .par_iter()
        .map(|s| {
            let mut exact = BTreeSet::new();
            let mut any = BTreeSet::new();
            for (fi, labels) in s.labels.iter().enumerate() {
                for l in labels {
                    let key = norm_label(l);
                    if let Some(ids) = name_of.get(&(fi, key.as_str())) {
                        exact.extend(ids.iter().copied());
                    }
                    if let Some(ids) = any_form.get(&(fi, group_key(l))) {
                        any.extend(ids.iter().copied());
                    }
                }
            }
            let mentioned: Vec<usize> = match &s.body {
                Some(body) => {
                    let found: BTreeSet<usize> = scan
                        .find(&body.text)
                        .into_iter()
                        .map(|p| scan.target(p))
                        .collect();
                    found.into_iter().collect()
                }
                None => Vec::new(),
            };
            (mentioned, exact, any)
        })
        .collect();
    let mut mentioned = vec![0u64; entries.len()];
    let mut hits = vec![0u64; entries.len()];
    let mut count = vec![0u64; entries.len()];
    for (m, exact, any) in per_sample {
        for id in m {
            mentioned[id] += 1;
            if exact.contains(&id) {
                hits[id] += 1;
            }
        }
        for id in any {
            count[id] += 1;
        }
    }
    for (id, (f, i)) in entries.iter().enumerate() {
        if let Some(file) = files.get_mut(f) {
            let e = &mut file.entries[*i];
            e.prior = Some(round_prior(
                (hits[id] as f64 + 1.0) / (mentioned[id] as f64 + 2.0),
            ));
            e.count = count[id];
        }
    }
    for file in files.values_mut() {
        normalize(file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_keys_merge_case_slug_and_the() {
        assert_eq!(group_key("donald-trump"), group_key("Donald Trump"));
        assert_eq!(group_key("OpenAI"), group_key("openai"));
        assert_eq!(group_key("The New York Times"), group_key("New York Times"));
        assert_eq!(group_key("J.D. Vance"), group_key("JD Vance"));
        assert_ne!(group_key("C++"), group_key("C"));
        assert_eq!(group_key("《人类简史》"), group_key("人类简史"));
    }

    #[test]
    fn case_rule_follows_the_contract() {
        assert!(is_case_insensitive("Nvidia", false));
        assert!(!is_case_insensitive("NVIDIA", false));
        assert!(!is_case_insensitive("AI", false));
        assert!(!is_case_insensitive("Meta", true));
        assert!(!is_case_insensitive("英伟达", false));
        assert_eq!(match_key("Open  AI"), "open ai");
        assert_eq!(match_key("ＮＡＴＯ"), "nato");
    }

    #[test]
    fn splits_linked_label_values() {
        assert_eq!(
            split_label("川普 (Donald Trump)"),
            ("川普".to_owned(), Some("Donald Trump".to_owned()))
        );
        assert_eq!(
            split_label("International Energy Agency (IEA)"),
            (
                "International Energy Agency".to_owned(),
                Some("IEA".to_owned())
            )
        );
        assert_eq!(split_label("401(k)"), ("401(k)".to_owned(), None));
        assert_eq!(
            split_label("Just One (game)"),
            ("Just One (game)".to_owned(), None)
        );
    }

    fn block(text: &str, bold: &[&str]) -> TextBlock {
        TextBlock {
            zone: Zone::Paragraph,
            text: text.to_owned(),
            line: 1,
            bold: bold
                .iter()
                .map(|b| {
                    let i = text.find(b).unwrap();
                    i..i + b.len()
                })
                .collect(),
            speaker: None,
        }
    }

    #[test]
    fn finds_glosses_in_both_orders() {
        let seg = Segmenter::default();
        let g = find_glosses(&block("芯片巨头英伟达（NVIDIA）今天", &["英伟达"]), &seg);
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].han, vec!["英伟达".to_owned()]);
        assert_eq!(g[0].latin, vec!["NVIDIA".to_owned()]);
        assert!(g[0].strong);

        let g = find_glosses(&block("根据罗伯特·比约克（Robert Bjork）的研究", &[]), &seg);
        assert_eq!(g[0].han, vec!["罗伯特·比约克".to_owned()]);
        assert!(!g[0].strong);

        let g = find_glosses(&block("我们用 Claude Code（克劳德代码）写", &[]), &seg);
        assert_eq!(g[0].han, vec!["克劳德代码".to_owned()]);
        assert_eq!(g[0].latin[0], "Claude Code");
        assert_eq!(g[0].latin.last().unwrap(), "Code");

        assert!(find_glosses(&block("在2024年（2024）", &[]), &seg).is_empty());
        assert!(find_glosses(&block("他说（笑）", &[]), &seg).is_empty());
    }

    #[test]
    fn scan_respects_word_boundaries() {
        let scan = AliasScan::new(
            vec![
                ("Meta".to_owned(), 0),
                ("AI".to_owned(), 1),
                ("英伟达".to_owned(), 2),
                ("LLM".to_owned(), 3),
            ],
            &BTreeSet::new(),
        );
        let found = |t: &str| -> Vec<usize> { scan.find(t).into_iter().collect() };
        assert_eq!(found("metadata and AIGC, LLMs"), Vec::<usize>::new());
        assert_eq!(found("用META的AI和英伟达"), vec![0, 1, 2]);
        assert_eq!(found("ai"), Vec::<usize>::new());
    }
}
