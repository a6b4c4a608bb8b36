//! The JSON Lines output (`--format json`): one `file` object per post, then one `summary`
//! object. The shape is a public interface, versioned by the `version` member.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::app::{FileReport, Status, Totals};
use crate::plan::FieldValue;
use crate::report::human::one_line;
use crate::summary::Language;

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
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
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
        error: report.error.as_ref().map(|e| one_line(&e.to_string())),
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
