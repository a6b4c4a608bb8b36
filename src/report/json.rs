//! The JSON Lines output (`--format json`): one `file` object per post, then one `summary`
//! object. The shape is a public interface, versioned by the `version` member.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::app::FILL_EVIDENCE;
use crate::app::{Explanation, FileReport, Status, Totals};
use crate::field::Field;
use crate::matcher::{Cue, Place};
use crate::plan::FieldValue;
use crate::report::human::one_line;
use crate::score::{Candidate, Evidence};
use crate::summary::Language;
use crate::topic::TopicSuggestion;

/// The version of the JSON shape; bumped on any incompatible change.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct FileObject<'a> {
    r#type: &'static str,
    version: u32,
    path: String,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<Language>,
    fields: BTreeMap<&'a str, &'a FieldValue>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    candidates: BTreeMap<&'static str, Vec<CandidateObject<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    topics: Option<&'a TopicSuggestion>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// One scored name: what `fill --format json` and `explain --format json` show.
#[derive(Serialize)]
struct CandidateObject<'a> {
    name: &'a str,
    score: f64,
    prior: f64,
    written: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    mentions: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    places: Option<BTreeMap<&'static str, usize>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ambiguous: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cue: Option<Cue>,
    evidence: &'a [Evidence],
}

impl<'a> CandidateObject<'a> {
    fn new(c: &'a Candidate, evidence: usize, detail: bool) -> Self {
        Self {
            name: &c.name,
            score: round(c.score, 3),
            prior: round(c.prior, 2),
            written: c.verdict.is_written(),
            reason: (!c.verdict.is_written()).then(|| c.verdict.reason()),
            mentions: c.mentions,
            places: detail.then(|| {
                c.places
                    .iter()
                    .map(|(p, n)| (Place::name(*p), *n))
                    .collect()
            }),
            count: (detail && c.count > 0).then_some(c.count),
            ambiguous: (detail && c.ambiguous > 0).then_some(c.ambiguous),
            first: detail.then(|| round(c.first, 3)),
            cue: c.cue,
            evidence: &c.evidence[..c.evidence.len().min(evidence)],
        }
    }
}

fn round(x: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (x * scale).round() / scale
}

fn candidate_map(
    fields: &BTreeMap<Field, Vec<Candidate>>,
    evidence: usize,
    detail: bool,
) -> BTreeMap<&'static str, Vec<CandidateObject<'_>>> {
    fields
        .iter()
        .map(|(field, list)| {
            (
                field.name(),
                list.iter()
                    .map(|c| CandidateObject::new(c, evidence, detail))
                    .collect(),
            )
        })
        .collect()
}

#[derive(Serialize)]
struct ExplainObject<'a> {
    r#type: &'static str,
    version: u32,
    path: String,
    fields: BTreeMap<&'static str, ExplainField<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    topics: Option<&'a TopicSuggestion>,
}

#[derive(Serialize)]
struct ExplainField<'a> {
    current: &'a [String],
    candidates: Vec<CandidateObject<'a>>,
}

#[derive(Serialize)]
struct SummaryObject<'a> {
    r#type: &'static str,
    version: u32,
    #[serde(flatten)]
    totals: &'a Totals,
}

/// The `file` object for one post, as one line.
pub fn file_line(report: &FileReport) -> String {
    let object = FileObject {
        r#type: "file",
        version: VERSION,
        path: report.path.display().to_string(),
        status: report.status,
        language: report.language,
        fields: report
            .plan
            .edits
            .iter()
            .map(|e| (e.key.as_str(), &e.value))
            .collect(),
        candidates: candidate_map(&report.candidates, FILL_EVIDENCE, false),
        topics: report.topics.as_ref(),
        error: report.error.as_ref().map(|e| one_line(&e.to_string())),
    };
    serde_json::to_string(&object).unwrap_or_default()
}

/// The `explain` object for one post, as one line: every candidate of every entity field
/// with its score, prior, mentions per place, first position and all evidence.
pub fn explain_line(explanation: &Explanation) -> String {
    let object = ExplainObject {
        r#type: "explain",
        version: VERSION,
        path: explanation.path.display().to_string(),
        fields: explanation
            .fields
            .iter()
            .map(|(field, f)| {
                (
                    field.name(),
                    ExplainField {
                        current: &f.current,
                        candidates: f
                            .candidates
                            .iter()
                            .map(|c| CandidateObject::new(c, usize::MAX, true))
                            .collect(),
                    },
                )
            })
            .collect(),
        topics: explanation.topics.as_ref(),
    };
    serde_json::to_string(&object).unwrap_or_default()
}

/// The closing `summary` object, as one line.
pub fn totals_line(totals: &Totals) -> String {
    serde_json::to_string(&SummaryObject {
        r#type: "summary",
        version: VERSION,
        totals,
    })
    .unwrap_or_default()
}
