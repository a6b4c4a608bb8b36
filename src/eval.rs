//! `frontfill eval`: measures the filler against gold posts the way `../shared/eval/score.py`
//! does, number for number. It copies the (held-out) gold posts, empties the eight fields with
//! the rule of `blank.py`, fills the copies with the [`Engine`] on disk, and scores them:
//! entities and tags by set overlap after NFKC + case folding + whitespace collapsing,
//! `tags_lenient` after the plural/separator folding, category and area by exact match, and the
//! summary by ROUGE-1/2/L over CJK characters and Latin words. Every helper mirrors the Python
//! line for line; where Python semantics are subtle (text-mode newline translation, `str.strip`,
//! `str.casefold`, `round`), the comment says how it is reproduced.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_yaml_ng::{Mapping, Value};
use unicode_normalization::UnicodeNormalization;

use crate::app::{Engine, Mode, Status};
use crate::discover::Input;
use crate::error::{Error, Result};
use crate::field::Field;
use crate::front_matter::parse_mapping;
use crate::holdout::Holdout;

/// The list fields the scorer compares as sets.
pub const LIST_FIELDS: [&str; 5] = [
    "tags",
    "people",
    "companies_orgs",
    "products_models",
    "media_books",
];
/// The text fields.
pub const SCALAR_FIELDS: [&str; 3] = ["category", "area", "summary"];
/// The four entity fields that make up the micro average.
pub const ENTITY_FIELDS: [&str; 4] = ["people", "companies_orgs", "products_models", "media_books"];

// ---------------------------------------------------------------------------------------------
// fm.py

/// Python's text-mode read: `\r\n` and lone `\r` become `\n`.
pub fn universal_newlines(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_owned();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// `fm.split`: the front matter (with its final newline) and the body, or `None` when the text
/// does not start with `---\n` or has no closing `\n---\n`.
pub fn split(text: &str) -> Option<(&str, &str)> {
    if !text.starts_with("---\n") {
        return None;
    }
    let end = text.get(4..)?.find("\n---\n")? + 4;
    Some((&text[4..=end], &text[end + 5..]))
}

/// `fm.load`: the parsed front matter, empty when it is missing, malformed or not a mapping.
pub fn load(text: &str) -> Mapping {
    match split(text) {
        Some((fm, _)) => parse_mapping(fm).unwrap_or_default(),
        None => Mapping::new(),
    }
}

/// Python's `str(x)` for the YAML scalars a front matter holds.
fn py_str(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Null => "None".to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Tagged(t) => py_str(&t.value),
        Value::Sequence(_) | Value::Mapping(_) => serde_json::to_string(value).unwrap_or_default(),
    }
}

/// Python truthiness, for `gold.get(f) or ""`.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|x| x != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Sequence(s) => !s.is_empty(),
        Value::Mapping(m) => !m.is_empty(),
        Value::Tagged(t) => truthy(&t.value),
    }
}

/// `fm.as_list`: a field's values as texts (`[]`, `''` and null give none; a text gives one).
pub fn as_list(value: Option<&Value>) -> Vec<String> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) if s.is_empty() || s == "[]" => Vec::new(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Sequence(items)) => items
            .iter()
            .filter(|x| !x.is_null())
            .map(py_str)
            .filter(|s| !py_strip(s).is_empty())
            .collect(),
        Some(Value::Mapping(map)) => map.keys().map(py_str).collect(),
        Some(Value::Tagged(t)) => as_list(Some(&t.value)),
        Some(other) => vec![py_str(other)],
    }
}

/// `str.isspace` for one character (Rust's set plus the separators U+001C..U+001F).
fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn py_strip(s: &str) -> &str {
    s.trim_matches(py_isspace)
}

/// `str.casefold`: lowercase plus the full case foldings that differ from it (after NFKC has
/// already folded compatibility characters such as `ſ` and `ﬁ`).
pub fn casefold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            'ß' | 'ẞ' => out.push_str("ss"),
            'ς' => out.push('σ'),
            '\u{345}' | 'ι' => out.push('ι'),
            // Cherokee lowercase letters fold to the capitals.
            '\u{13f8}'..='\u{13fd}' => {
                out.push(char::from_u32(c as u32 - 8).unwrap_or(c));
            }
            '\u{ab70}'..='\u{abbf}' => {
                out.push(char::from_u32(c as u32 - 0xab70 + 0x13a0).unwrap_or(c));
            }
            // Greek letters with a subscript iota fold to the letter followed by iota.
            '\u{1f80}'..='\u{1faf}'
            | '\u{1fb2}'..='\u{1fb4}'
            | '\u{1fb7}'
            | '\u{1fbc}'
            | '\u{1fc2}'..='\u{1fc4}'
            | '\u{1fc7}'
            | '\u{1fcc}'
            | '\u{1ff2}'..='\u{1ff4}'
            | '\u{1ff7}'
            | '\u{1ffc}' => {
                let base: String = std::iter::once(c)
                    .nfd()
                    .filter(|&d| d != '\u{345}')
                    .nfc()
                    .collect();
                out.extend(base.chars().flat_map(char::to_lowercase));
                out.push('ι');
            }
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// `fm.norm_entity`: NFKC, stripped, case-folded, inner whitespace collapsed to one space.
pub fn norm_entity(s: &str) -> String {
    let nfkc: String = s.nfkc().collect();
    let folded = casefold(py_strip(&nfkc));
    let mut out = String::with_capacity(folded.len());
    let mut in_space = false;
    for c in folded.chars() {
        if py_isspace(c) {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

/// `fm.norm_tag_lenient`: separators dropped and a plural `s` removed from parts of more than
/// three characters (not from `ss`).
pub fn norm_tag_lenient(s: &str) -> String {
    let s = norm_entity(s).replace(['_', ' '], "-");
    s.split('-')
        .map(|p| {
            if p.chars().count() > 3 && p.ends_with('s') && !p.ends_with("ss") {
                &p[..p.len() - 1]
            } else {
                p
            }
        })
        .collect()
}

fn is_key_char(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

/// `re.match(r"^([A-Za-z_]+):", line)`.
fn key_of(line: &str) -> Option<&str> {
    let n = line.bytes().take_while(|&b| is_key_char(b)).count();
    (n > 0 && line.as_bytes().get(n) == Some(&b':')).then(|| &line[..n])
}

/// Python's `str.splitlines(keepends=True)`.
fn splitlines_keepends(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut iter = s.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let end = match c {
            '\r' => match iter.peek() {
                Some((j, '\n')) => {
                    let j = *j;
                    iter.next();
                    j + 1
                }
                _ => i + 1,
            },
            '\n' | '\u{b}' | '\u{c}' | '\u{1c}' | '\u{1d}' | '\u{1e}' | '\u{85}' | '\u{2028}'
            | '\u{2029}' => i + c.len_utf8(),
            _ => continue,
        };
        out.push(&s[start..end]);
        start = end;
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// `fm.blank`: the eight fields' values replaced by `[]` / `''`, everything else kept.
pub fn blank(text: &str) -> String {
    let Some((fm, body)) = split(text) else {
        return text.to_owned();
    };
    let mut out = String::with_capacity(text.len());
    out.push_str("---\n");
    let mut skip = false;
    for line in splitlines_keepends(fm) {
        if skip {
            if line.starts_with([' ', '-', '\t']) && key_of(line).is_none() {
                continue;
            }
            skip = false;
        }
        if let Some(key) = key_of(line) {
            if LIST_FIELDS.contains(&key) {
                out.push_str(&format!("{key}: []\n"));
                skip = true;
                continue;
            }
            if SCALAR_FIELDS.contains(&key) {
                out.push_str(&format!("{key}: ''\n"));
                skip = true;
                continue;
            }
        }
        out.push_str(line);
    }
    out.push_str("---\n");
    out.push_str(body);
    out
}

// ---------------------------------------------------------------------------------------------
// score.py

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

/// ROUGE units: CJK characters one by one, runs of ASCII letters and digits as words, after
/// Python's `str.lower()`.
pub fn units(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    let mut word = String::new();
    for c in lower.chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        if is_cjk(c) {
            out.push(c.to_string());
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

fn ngrams(u: &[String], n: usize) -> HashMap<&[String], usize> {
    let mut counts = HashMap::new();
    if u.len() >= n {
        for w in u.windows(n) {
            *counts.entry(w).or_default() += 1;
        }
    }
    counts
}

/// ROUGE-N F1 between reference and hypothesis units.
pub fn rouge_n(reference: &[String], hypothesis: &[String], n: usize) -> f64 {
    let r = ngrams(reference, n);
    let h = ngrams(hypothesis, n);
    if r.is_empty() || h.is_empty() {
        return 0.0;
    }
    let overlap: usize = r
        .iter()
        .map(|(k, &c)| c.min(h.get(k).copied().unwrap_or(0)))
        .sum();
    let p = overlap as f64 / h.values().sum::<usize>() as f64;
    let rc = overlap as f64 / r.values().sum::<usize>() as f64;
    if overlap == 0 {
        0.0
    } else {
        2.0 * p * rc / (p + rc)
    }
}

fn lcs(a: &[String], b: &[String]) -> usize {
    if a.is_empty() || b.is_empty() {
        return 0;
    }
    let mut prev = vec![0usize; b.len() + 1];
    let mut cur = vec![0usize; b.len() + 1];
    for x in a {
        cur[0] = 0;
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = if x == y {
                prev[j] + 1
            } else {
                prev[j + 1].max(cur[j])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// ROUGE-L F1 (longest common subsequence).
pub fn rouge_l(reference: &[String], hypothesis: &[String]) -> f64 {
    let l = lcs(reference, hypothesis);
    if l == 0 {
        return 0.0;
    }
    let p = l as f64 / hypothesis.len() as f64;
    let r = l as f64 / reference.len() as f64;
    2.0 * p * r / (p + r)
}

/// Python's `round(x, 4)`: the exact binary value rounded half to even at four decimals.
pub fn py_round4(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    // Rust prints the exact decimal expansion at this precision; values here are in [0, 1].
    let exact = format!("{:.80}", x.abs());
    let (int, frac) = exact.split_once('.').unwrap_or((&exact, ""));
    let (keep, rest) = frac.split_at(4.min(frac.len()));
    let mut digits: Vec<u8> = int.bytes().chain(keep.bytes()).map(|b| b - b'0').collect();
    let rest = rest.as_bytes();
    let round_up = match rest.first() {
        Some(b) if *b > b'5' => true,
        Some(b'5') => {
            rest[1..].iter().any(|&b| b != b'0') || digits.last().is_some_and(|d| d % 2 == 1)
        }
        _ => false,
    };
    if round_up {
        let mut i = digits.len();
        while i > 0 {
            i -= 1;
            if digits[i] == 9 {
                digits[i] = 0;
            } else {
                digits[i] += 1;
                break;
            }
            if i == 0 {
                digits.insert(0, 1);
            }
        }
    }
    let split = digits.len() - 4;
    let text: String = digits[..split]
        .iter()
        .map(|d| char::from(b'0' + d))
        .chain(std::iter::once('.'))
        .chain(digits[split..].iter().map(|d| char::from(b'0' + d)))
        .collect();
    let value: f64 = text.parse().unwrap_or(x);
    if x < 0.0 {
        -value
    } else {
        value
    }
}

/// Precision, recall and F1 as score.py rounds them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Prf {
    /// Precision.
    pub p: f64,
    /// Recall.
    pub r: f64,
    /// F1.
    pub f1: f64,
}

/// True positives, false positives, false negatives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Predicted and in gold.
    pub tp: u64,
    /// Predicted, not in gold.
    pub fp: u64,
    /// In gold, not predicted.
    #[serde(rename = "fn")]
    pub fn_: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.fn_ += other.fn_;
    }

    /// `prf(tp, fp, fn)` rounded to four decimals.
    pub fn prf(&self) -> Prf {
        let (tp, fp, fn_) = (self.tp as f64, self.fp as f64, self.fn_ as f64);
        let p = if self.tp + self.fp > 0 {
            tp / (tp + fp)
        } else {
            0.0
        };
        let r = if self.tp + self.fn_ > 0 {
            tp / (tp + fn_)
        } else {
            0.0
        };
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        Prf {
            p: py_round4(p),
            r: py_round4(r),
            f1: py_round4(f),
        }
    }
}

/// Set overlap of two lists after a normalization.
pub fn overlap(gold: &[String], pred: &[String], norm: fn(&str) -> String) -> Counts {
    let g: BTreeSet<String> = gold.iter().map(|x| norm(x)).collect();
    let p: BTreeSet<String> = pred.iter().map(|x| norm(x)).collect();
    Counts {
        tp: g.intersection(&p).count() as u64,
        fp: p.difference(&g).count() as u64,
        fn_: g.difference(&p).count() as u64,
    }
}

/// The running totals of a scoring pass, added post by post in file-name order (the order
/// matters for the floating-point sums, as in score.py).
#[derive(Debug, Clone, Default)]
pub struct Tally {
    posts: u64,
    missing: u64,
    counts: BTreeMap<&'static str, Counts>,
    category: u64,
    area: u64,
    rouge: [f64; 3],
    lens: Vec<usize>,
    untouched: Option<(u64, u64)>,
}

fn scalar_text(map: &Mapping, key: &str) -> String {
    map.get(key)
        .filter(|v| truthy(v))
        .map(py_str)
        .unwrap_or_default()
}

impl Tally {
    /// Scores one post: the gold text, the prediction (`None` when missing or unreadable) and,
    /// to check the writer touched nothing else, the blanked input it was filled from.
    pub fn add(&mut self, gold_text: &str, pred_text: Option<&str>, input: Option<&str>) {
        self.posts += 1;
        let gold = load(gold_text);
        let pred = match pred_text {
            Some(t) => load(t),
            None => {
                self.missing += 1;
                Mapping::new()
            }
        };
        if let (Some(input), Some(pred_text)) = (input, pred_text) {
            let (ok, bad) = self.untouched.get_or_insert((0, 0));
            if blank(pred_text) == input {
                *ok += 1;
            } else {
                *bad += 1;
            }
        }
        for f in LIST_FIELDS {
            let g = as_list(gold.get(f));
            let p = as_list(pred.get(f));
            self.counts
                .entry(f)
                .or_default()
                .add(overlap(&g, &p, norm_entity));
            if f == "tags" {
                let g: Vec<String> = g.iter().map(|x| norm_entity(x)).collect();
                let p: Vec<String> = p.iter().map(|x| norm_entity(x)).collect();
                self.counts.entry("tags_lenient").or_default().add(overlap(
                    &g,
                    &p,
                    norm_tag_lenient,
                ));
            }
        }
        for f in ["category", "area"] {
            if norm_entity(&scalar_text(&gold, f)) == norm_entity(&scalar_text(&pred, f)) {
                if f == "category" {
                    self.category += 1;
                } else {
                    self.area += 1;
                }
            }
        }
        let gs = units(&scalar_text(&gold, "summary"));
        let ps = units(&scalar_text(&pred, "summary"));
        self.lens
            .push(scalar_text(&pred, "summary").chars().count());
        self.rouge[0] += rouge_n(&gs, &ps, 1);
        self.rouge[1] += rouge_n(&gs, &ps, 2);
        self.rouge[2] += rouge_l(&gs, &ps);
    }

    /// The result, as score.py prints it.
    pub fn scores(&self) -> Scores {
        let counts = |f: &str| self.counts.get(f).copied().unwrap_or_default();
        let mut micro = Counts::default();
        for f in ENTITY_FIELDS {
            micro.add(counts(f));
        }
        let n = self.posts as f64;
        let ratio = |x: f64| {
            if self.posts == 0 {
                0.0
            } else {
                py_round4(x / n)
            }
        };
        let mut lens = self.lens.clone();
        lens.sort_unstable();
        Scores {
            posts: self.posts,
            missing_predictions: self.missing,
            tags: counts("tags").prf(),
            people: counts("people").prf(),
            companies_orgs: counts("companies_orgs").prf(),
            products_models: counts("products_models").prf(),
            media_books: counts("media_books").prf(),
            tags_lenient: counts("tags_lenient").prf(),
            entities_micro: micro.prf(),
            category_acc: ratio(self.category as f64),
            area_acc: ratio(self.area as f64),
            summary_rouge: (self.posts > 0).then(|| Rouge {
                r1: ratio(self.rouge[0]),
                r2: ratio(self.rouge[1]),
                rl: ratio(self.rouge[2]),
            }),
            summary_len_median: lens.get(lens.len() / 2).copied().unwrap_or(0),
            untouched_ok: self.untouched.map(|u| u.0),
            untouched_bad: self.untouched.map(|u| u.1),
            counts: ENTITY_FIELDS
                .iter()
                .map(|f| ((*f).to_owned(), counts(f)))
                .chain(std::iter::once(("entities_micro".to_owned(), micro)))
                .collect(),
        }
    }
}

/// Summary ROUGE averages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Rouge {
    /// ROUGE-1 F1.
    pub r1: f64,
    /// ROUGE-2 F1.
    pub r2: f64,
    /// ROUGE-L F1.
    pub rl: f64,
}

/// score.py's result (same keys, same order), plus the raw counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scores {
    /// Gold posts scored.
    pub posts: u64,
    /// Predictions that could not be read.
    pub missing_predictions: u64,
    /// Tags, exact.
    pub tags: Prf,
    /// People.
    pub people: Prf,
    /// Companies and organisations.
    pub companies_orgs: Prf,
    /// Products and models.
    pub products_models: Prf,
    /// Media and books.
    pub media_books: Prf,
    /// Tags, lenient.
    pub tags_lenient: Prf,
    /// Micro average over the four entity fields.
    pub entities_micro: Prf,
    /// Category accuracy.
    pub category_acc: f64,
    /// Area accuracy.
    pub area_acc: f64,
    /// Summary ROUGE (absent when no post was scored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary_rouge: Option<Rouge>,
    /// Median summary length in characters.
    pub summary_len_median: usize,
    /// Posts whose bytes outside the eight fields are unchanged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub untouched_ok: Option<u64>,
    /// Posts where something outside the eight fields changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub untouched_bad: Option<u64>,
    /// tp/fp/fn per entity field and micro (not in score.py's output).
    pub counts: BTreeMap<String, Counts>,
}

// ---------------------------------------------------------------------------------------------
// The eval run

/// The canonical names a vocabulary can write, per entity field (normalized as the scorer does).
pub type KnownNames = BTreeMap<Field, BTreeSet<String>>;

/// How many gold values a vocabulary knows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Known {
    /// Gold values (per post, normalized) that are names in the vocabulary.
    pub known: u64,
    /// Gold values.
    pub total: u64,
}

impl Known {
    /// `known / total`, 0 when there are none.
    pub fn share(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.known as f64 / self.total as f64
        }
    }
}

/// The share of gold entity values that are in the vocabulary at all: the recall ceiling.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Ceiling {
    /// Per field.
    pub fields: BTreeMap<String, Known>,
    /// Over the four fields.
    pub micro: Known,
}

/// What an eval run produced.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    /// Scores, as score.py computes them.
    pub scores: Scores,
    /// The recall ceiling, when the vocabulary's names were given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ceiling: Option<Ceiling>,
    /// Posts the filler reported an error for (scored as their blanked input).
    pub fill_errors: Vec<String>,
    /// Where the copies are (only when kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub work_dir: Option<PathBuf>,
    /// Time spent filling.
    #[serde(serialize_with = "secs")]
    pub fill_time: Duration,
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0).round() / 1000.0)
}

/// The gold posts of a folder that an eval scores: `*.md` directly inside it (as score.py lists
/// them), in name order, restricted to the holdout fold when one is given.
///
/// # Errors
/// The folder cannot be listed.
pub fn gold_posts(dir: &Path, holdout: Option<Holdout>) -> Result<Vec<String>> {
    let entries = fs::read_dir(dir).map_err(|source| Error::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".md"))
        .filter(|n| holdout.is_none_or(|h| h.contains_name(n)))
        .collect();
    names.sort();
    Ok(names)
}

/// Copies and blanks the selected gold posts into `work/blanked` and `work/filled` (and the gold
/// itself into `work/gold`, so score.py can be run on exactly the same files), fills
/// `work/filled` with the engine, and scores it.
///
/// # Errors
/// A gold post or a copy cannot be read or written.
pub fn evaluate(
    gold_dir: &Path,
    holdout: Option<Holdout>,
    engine: &Engine,
    work: &Path,
    known: Option<&KnownNames>,
) -> Result<EvalReport> {
    let names = gold_posts(gold_dir, holdout)?;
    let dirs = ["gold", "blanked", "filled"].map(|d| work.join(d));
    for dir in &dirs {
        fs::create_dir_all(dir).map_err(|source| Error::Write {
            path: dir.clone(),
            source,
        })?;
    }
    let write = |path: PathBuf, text: &str| {
        fs::write(&path, text).map_err(|source| Error::Write { path, source })
    };
    let mut golds = Vec::with_capacity(names.len());
    let mut inputs = Vec::with_capacity(names.len());
    for name in &names {
        let path = gold_dir.join(name);
        let bytes = fs::read(&path).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?;
        let text = String::from_utf8(bytes).map_err(|e| Error::NotUtf8 {
            path: path.clone(),
            line: 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count(),
            offset: e.utf8_error().valid_up_to(),
        })?;
        let gold = universal_newlines(&text);
        let blanked = blank(&gold);
        write(dirs[0].join(name), &gold)?;
        write(dirs[1].join(name), &blanked)?;
        write(dirs[2].join(name), &blanked)?;
        inputs.push(Input::File(dirs[2].join(name)));
        golds.push((gold, blanked));
    }
    let started = Instant::now();
    let reports = engine.run(&inputs, Mode::Write, &|_| {});
    let fill_time = started.elapsed();
    let fill_errors = reports
        .iter()
        .filter(|r| r.status == Status::Error)
        .map(|r| match &r.error {
            Some(e) => e.to_string(),
            None => r.path.display().to_string(),
        })
        .collect();
    let mut tally = Tally::default();
    let mut ceiling = known.map(|_| Ceiling::default());
    for (name, (gold, blanked)) in names.iter().zip(&golds) {
        let pred = fs::read(dirs[2].join(name))
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .map(|t| universal_newlines(&t));
        tally.add(gold, pred.as_deref(), Some(blanked));
        if let (Some(c), Some(known)) = (ceiling.as_mut(), known) {
            add_ceiling(c, &load(gold), known);
        }
    }
    Ok(EvalReport {
        scores: tally.scores(),
        ceiling,
        fill_errors,
        work_dir: None,
        fill_time,
    })
}

fn add_ceiling(ceiling: &mut Ceiling, gold: &Mapping, known: &KnownNames) {
    for (field, key) in [
        (Field::People, "people"),
        (Field::CompaniesOrgs, "companies_orgs"),
        (Field::ProductsModels, "products_models"),
        (Field::MediaBooks, "media_books"),
    ] {
        let values: BTreeSet<String> = as_list(gold.get(key))
            .iter()
            .map(|v| norm_entity(v))
            .collect();
        let names = known.get(&field);
        let hit = values
            .iter()
            .filter(|v| names.is_some_and(|n| n.contains(*v)))
            .count() as u64;
        let entry = ceiling.fields.entry(key.to_owned()).or_default();
        entry.known += hit;
        entry.total += values.len() as u64;
        ceiling.micro.known += hit;
        ceiling.micro.total += values.len() as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn entity_normalization_is_nfkc_casefold_and_spaces() {
        assert_eq!(norm_entity("  ＯｐｅｎＡＩ "), "openai");
        assert_eq!(norm_entity("Donald\u{3000} \tTrump"), "donald trump");
        assert_eq!(norm_entity("Straße"), "strasse");
        assert_eq!(norm_entity("ΟΔΥΣΣΕΥΣ"), norm_entity("οδυσσευς"));
        assert_eq!(norm_entity("\u{1c}x\u{1f}"), "x");
        assert_eq!(norm_entity("ﬁle"), "file");
    }

    #[test]
    fn lenient_tags_fold_plurals_and_separators() {
        assert_eq!(norm_tag_lenient("AI_Agents"), "aiagent");
        assert_eq!(norm_tag_lenient("ai agents"), "aiagent");
        assert_eq!(norm_tag_lenient("business-class"), "businessclass");
        assert_eq!(norm_tag_lenient("gas-prices"), "gasprice");
        assert_eq!(norm_tag_lenient("bus"), "bus");
    }

    #[test]
    fn counts_and_rounding_follow_score_py() {
        let c = overlap(
            &list(&["OpenAI", "Nvidia", "特朗普"]),
            &list(&["openai", "NVIDIA", "Meta", "Meta "]),
            norm_entity,
        );
        assert_eq!(
            c,
            Counts {
                tp: 2,
                fp: 1,
                fn_: 1
            }
        );
        let prf = c.prf();
        assert_eq!((prf.p, prf.r, prf.f1), (0.6667, 0.6667, 0.6667));
        assert_eq!(Counts::default().prf(), Prf::default());
        // Exact binary ties round half to even, as Python's round does.
        assert_eq!(py_round4(0.03125), 0.0312);
        assert_eq!(py_round4(0.09375), 0.0938);
        assert_eq!(py_round4(1.0), 1.0);
        assert_eq!(py_round4(2.0 / 3.0), 0.6667);
    }

    #[test]
    fn rouge_over_characters_and_words() {
        let r = units("AI 改变了 GPT-4o 的世界!");
        assert_eq!(
            r,
            list(&["ai", "改", "变", "了", "gpt", "4o", "的", "世", "界"])
        );
        let h = units("AI 改变世界");
        assert!(
            (rouge_n(&r, &h, 1) - 2.0 * (5.0 / 5.0) * (5.0 / 9.0) / (1.0 + 5.0 / 9.0)).abs()
                < 1e-12
        );
        assert_eq!(rouge_n(&r, &[], 1), 0.0);
        assert_eq!(lcs(&r, &h), 5);
        assert_eq!(rouge_l(&h, &h), 1.0);
    }

    #[test]
    fn blank_keeps_layout_and_empties_the_eight_fields() {
        let text = "---\ntitle: x\ntags:\n  - a\n  - b\nsummary: >\n  long\n  text\npeople: [A]\nstatus: ok\n---\nbody\n";
        assert_eq!(
            blank(text),
            "---\ntitle: x\ntags: []\nsummary: ''\npeople: []\nstatus: ok\n---\nbody\n"
        );
        assert_eq!(blank("no front matter\n"), "no front matter\n");
        assert_eq!(blank("---\n---\n"), "---\n---\n");
        assert_eq!(split("---\na: 1\n---\nb"), Some(("a: 1\n", "b")));
    }

    #[test]
    fn a_tally_scores_like_score_py() {
        let gold = "---\ntags:\n  - ai-agents\npeople:\n  - Donald Trump\ncompanies_orgs: []\ncategory: ai\narea: tech\nsummary: 人工智能改变世界\n---\nx\n";
        let pred = "---\ntags:\n  - ai-agent\npeople:\n  - donald trump\n  - Elon Musk\ncompanies_orgs: []\ncategory: AI\narea: ''\nsummary: 人工智能\n---\nx\n";
        let mut t = Tally::default();
        t.add(gold, Some(pred), Some(&blank(pred)));
        t.add(gold, None, None);
        let s = t.scores();
        assert_eq!(s.posts, 2);
        assert_eq!(s.missing_predictions, 1);
        assert_eq!(
            s.people,
            Prf {
                p: 0.5,
                r: 0.5,
                f1: 0.5
            }
        );
        assert_eq!(s.tags.f1, 0.0);
        assert_eq!(
            s.tags_lenient,
            Prf {
                p: 1.0,
                r: 0.5,
                f1: 0.6667
            }
        );
        assert_eq!(s.category_acc, 0.5);
        assert_eq!(s.area_acc, 0.0);
        assert_eq!(s.untouched_ok, Some(1));
        let r1 = 2.0 * 1.0 * 0.5 / 1.5;
        assert_eq!(s.summary_rouge.unwrap().r1, py_round4(r1 / 2.0));
    }
}
