//! What each command reports, in the shape its JSON takes (`"schema": "leakscope/1"`). Fields
//! are only ever added, never renamed. Renderers turn these into tables and Markdown.

use serde::Serialize;

use crate::analysis::{aggregate::Row, diff::DiffRow, series::SeriesRow, GroupBy, Measure};
use crate::formats::Input;

pub const SCHEMA: &str = "leakscope/1";

#[derive(Debug, Clone, Serialize)]
pub struct InputInfo {
    pub path: String,
    pub format: &'static str,
    pub runtime: &'static str,
    pub kind: &'static str,
    pub gzipped: bool,
    /// Bytes after decompression.
    pub size: u64,
    /// Capture time (nanoseconds since the Unix epoch) when the format records it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_nanos: Option<i64>,
    /// Goroutines the Go runtime marked `(leaked)` (full goroutine dumps only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaked_goroutines: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl InputInfo {
    pub fn of(input: &Input) -> Self {
        InputInfo {
            path: input.path.display().to_string(),
            format: input.format.name(),
            runtime: input.runtime.name(),
            kind: input.profile.kind.name(),
            gzipped: input.gzipped,
            size: input.size,
            time_nanos: input.profile.time_nanos,
            leaked_goroutines: input
                .profile
                .goroutines
                .as_ref()
                .map(|d| d.goroutines.iter().filter(|g| g.leaked).count() as u64)
                .filter(|&n| n > 0),
            warnings: input.profile.warnings.clone(),
        }
    }
}

fn group_name(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Function => "function",
        GroupBy::Stack => "stack",
        GroupBy::Labels => "labels",
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TopReport {
    pub schema: &'static str,
    pub input: InputInfo,
    pub by: &'static str,
    pub sample_type: String,
    pub unit: String,
    pub total: i64,
    /// Rows in the report (after `-n`).
    pub rows: Vec<Row>,
    /// Rows there were before `-n`.
    pub row_count: usize,
}

impl TopReport {
    pub fn new(input: InputInfo, by: GroupBy, aggregate: crate::analysis::Aggregate) -> Self {
        TopReport {
            schema: SCHEMA,
            input,
            by: group_name(by),
            sample_type: aggregate.sample_type,
            unit: aggregate.unit,
            total: aggregate.total,
            row_count: aggregate.rows.len(),
            rows: aggregate.rows,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    pub schema: &'static str,
    pub inputs: Vec<InputInfo>,
    pub by: &'static str,
    pub measure: Measure,
    pub sample_type: String,
    pub unit: String,
    pub base_total: i64,
    pub target_total: i64,
    pub rows: Vec<DiffRow>,
    pub row_count: usize,
}

impl DiffReport {
    pub fn new(inputs: Vec<InputInfo>, by: GroupBy, diff: crate::analysis::Diff) -> Self {
        DiffReport {
            schema: SCHEMA,
            inputs,
            by: group_name(by),
            measure: diff.measure,
            sample_type: diff.sample_type,
            unit: diff.unit,
            base_total: diff.base_total,
            target_total: diff.target_total,
            row_count: diff.rows.len(),
            rows: diff.rows,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SeriesReport {
    pub schema: &'static str,
    pub inputs: Vec<InputInfo>,
    pub by: &'static str,
    pub measure: Measure,
    pub sample_type: String,
    pub unit: String,
    pub totals: Vec<i64>,
    pub rows: Vec<SeriesRow>,
    pub row_count: usize,
}

impl SeriesReport {
    pub fn new(inputs: Vec<InputInfo>, by: GroupBy, series: crate::analysis::Series) -> Self {
        SeriesReport {
            schema: SCHEMA,
            inputs,
            by: group_name(by),
            measure: series.measure,
            sample_type: series.sample_type,
            unit: series.unit,
            totals: series.totals,
            row_count: series.rows.len(),
            rows: series.rows,
        }
    }
}
