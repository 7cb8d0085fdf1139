//! `traces`: one row per sample, its value and labels beside its whole stack, leaf first.

use super::{assemble, describe_input};
use crate::output::names::stack_lines;
use crate::output::schema::TracesReport;
use crate::output::values::{format_value, percent};
use crate::output::{Style, TextTable};

pub fn traces(report: &TracesReport, style: &Style) -> TextTable {
    let t = &report.traces;
    let unit = t.unit.as_str();
    let heading = vec![
        describe_input(&report.input),
        format!(
            "{}: total {}, {}, largest first",
            t.sample_type,
            format_value(t.total, unit),
            match report.trace_count {
                1 => "1 trace".to_string(),
                n => format!("{n} traces"),
            }
        ),
    ];
    let rows = t
        .traces
        .iter()
        .map(|trace| {
            // Root last: the key form is root first.
            let key: Vec<&str> = trace.frames.iter().rev().map(String::as_str).collect();
            vec![
                format_value(trace.value, unit),
                percent(trace.value, t.total),
                trace.labels.join("\n"),
                stack_lines(&key.join(";"), style.full_names, usize::MAX).join("\n"),
            ]
        })
        .collect();
    assemble(
        heading,
        &["value", "%", "labels", "stack (leaf first)"],
        &[true, true, false, false],
        rows,
        (t.traces.len(), report.trace_count),
        &[&report.input],
    )
}
