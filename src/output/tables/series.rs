//! `diff` over three or more inputs: how each key moved across the series.

use super::retainers::{path_lines, path_summary};
use super::{assemble, describe_input, key_lines, specific_first_note};
use crate::output::schema::{HeapSeriesReport, InputInfo, SeriesReport};
use crate::output::values::{format_bytes, format_delta, join_values};
use crate::output::{Style, TextTable};

/// `#1: path: kind`: a series' inputs, numbered as its columns refer to them.
fn numbered_inputs(inputs: &[InputInfo]) -> Vec<String> {
    inputs
        .iter()
        .enumerate()
        .map(|(i, input)| format!("#{}: {}", i + 1, describe_input(input)))
        .collect()
}

pub fn series(report: &SeriesReport, style: &Style) -> TextTable {
    let unit = report.unit.as_str();
    let mut heading = numbered_inputs(&report.inputs);
    heading.push(format!(
        "{}: totals {}",
        report.sample_type,
        join_values(&report.totals, unit)
    ));
    let rows = report
        .rows
        .iter()
        .map(|row| {
            vec![
                format_delta(row.delta, unit),
                join_values(&row.values, unit),
                format_delta(row.slope.round() as i64, unit),
                if row.grew_every_step { "yes" } else { "" }.to_string(),
                key_lines(&row.key, report.by, style).join("\n"),
            ]
        })
        .collect();
    assemble(
        heading,
        &["delta", "values", "/step", "grew", report.by],
        &[true, false, true, false, false],
        rows,
        (report.rows.len(), report.row_count),
        &report.inputs.iter().collect::<Vec<_>>(),
    )
}

pub fn heap_series(report: &HeapSeriesReport, _style: &Style) -> TextTable {
    let mut heading = numbered_inputs(&report.inputs);
    let counts: Vec<i64> = report.totals.iter().map(|t| t.node_count as i64).collect();
    let sizes: Vec<i64> = report.totals.iter().map(|t| t.total_size as i64).collect();
    heading.push(format!(
        "objects {}; total {}",
        join_values(&counts, "count"),
        join_values(&sizes, "bytes")
    ));
    let rows = report
        .rows
        .iter()
        .map(|r| {
            vec![
                format_delta(r.delta, "count"),
                join_values(&r.values, "count"),
                format_bytes(*r.retained_values.last().unwrap_or(&0)),
                match (r.beyond_noise, r.grew_every_step) {
                    (true, _) => "yes",
                    (false, true) => "(yes)",
                    _ => "",
                }
                .to_string(),
                r.key.clone(),
            ]
        })
        .collect();
    let mut table = assemble(
        heading,
        &["delta", "objects", "retained", "grew", report.by],
        &[true, false, true, false, false],
        rows,
        (report.rows.len(), report.row_count),
        &report.inputs.iter().collect::<Vec<_>>(),
    );
    table.notes.extend(specific_first_note(
        report.specific_rows,
        report.row_count,
        "by how much more they retain",
    ));
    if report
        .rows
        .iter()
        .any(|r| r.grew_every_step && !r.beyond_noise)
    {
        table.notes.push(
            "(yes): grew at every step, but by less than noise (engine bookkeeping, or under 10 objects or 5%)."
                .into(),
        );
    }
    if let Some(leaks) = &report.leaks_since {
        table.notes.push(format!(
            "{} objects allocated after {} (alive in {}) are still alive in {}:",
            leaks.objects, leaks.baseline, leaks.target, leaks.last
        ));
        for r in leaks.rows.iter().take(10) {
            table.notes.push(format!(
                "  {} × {} (retained {})",
                r.count,
                r.key,
                format_bytes(r.retained as i64)
            ));
        }
        for group in &leaks.paths {
            table.notes.push(path_summary(group));
            table
                .notes
                .extend(path_lines(group).into_iter().map(|l| format!("      {l}")));
        }
    }
    table
}
