//! `diff`: what changed between two profiles or two heap snapshots.

use super::{assemble, describe_input, key_lines, specific_first_note};
use crate::analysis::diff::Change;
use crate::output::schema::{DiffReport, HeapDiffReport};
use crate::output::values::{format_bytes, format_delta, format_value};
use crate::output::{Style, TextTable};

pub fn diff(report: &DiffReport, style: &Style) -> TextTable {
    let unit = report.unit.as_str();
    let heading = vec![
        format!("base:   {}", describe_input(&report.inputs[0])),
        format!("target: {}", describe_input(&report.inputs[1])),
        format!(
            "{} ({}): total {} -> {} ({})",
            report.sample_type,
            match report.measure {
                crate::analysis::Measure::Flat => "flat",
                crate::analysis::Measure::Cum => "cum",
            },
            format_value(report.base_total, unit),
            format_value(report.target_total, unit),
            format_delta(report.target_total - report.base_total, unit)
        ),
    ];
    let rows = report
        .rows
        .iter()
        .map(|row| {
            let change = match row.change {
                Change::New => "new".to_string(),
                Change::Gone => "gone".to_string(),
                _ => row
                    .delta_percent
                    .map(|p| format!("{p:+.1}%"))
                    .unwrap_or_default(),
            };
            vec![
                format_delta(row.flat.delta, unit),
                format_delta(row.cum.delta, unit),
                change,
                format_value(row.target, unit),
                key_lines(&row.key, report.by, style).join("\n"),
            ]
        })
        .collect();
    // pprof's columns side by side: the flat and the cumulative change; the relative change
    // and the value now are of the measure the rows are sorted by (JSON has both, base too).
    let measure = match report.measure {
        crate::analysis::Measure::Flat => "flat",
        crate::analysis::Measure::Cum => "cum",
    };
    let (change, target) = (format!("{measure} %"), format!("{measure} now"));
    assemble(
        heading,
        &["flat Δ", "cum Δ", &change, &target, report.by],
        &[true, true, true, true, false],
        rows,
        (report.rows.len(), report.row_count),
        &report.inputs.iter().collect::<Vec<_>>(),
    )
}

pub fn heap_diff(report: &HeapDiffReport, _style: &Style) -> TextTable {
    let heading = vec![
        format!("base:   {}", describe_input(&report.inputs[0])),
        format!("target: {}", describe_input(&report.inputs[1])),
        format!(
            "objects {} -> {}, total {} -> {} ({})",
            report.base_totals.node_count,
            report.target_totals.node_count,
            format_bytes(report.base_totals.total_size as i64),
            format_bytes(report.target_totals.total_size as i64),
            format_delta(
                report.target_totals.total_size as i64 - report.base_totals.total_size as i64,
                "bytes"
            )
        ),
    ];
    let rows = report
        .rows
        .iter()
        .map(|r| {
            vec![
                r.new.to_string(),
                r.deleted.to_string(),
                format_delta(r.delta, "count"),
                format_delta(r.size_delta, "bytes"),
                r.key.clone(),
            ]
        })
        .collect();
    let mut table = assemble(
        heading,
        &["new", "deleted", "delta", "size delta", report.by],
        &[true, true, true, true, false],
        rows,
        (report.rows.len(), report.row_count),
        &report.inputs.iter().collect::<Vec<_>>(),
    );
    table.notes.extend(specific_first_note(
        report.specific_rows,
        report.row_count,
        "by size change",
    ));
    if !report.new_objects.is_empty() {
        table
            .notes
            .push("New objects in the target, largest retained size first:".into());
        for o in &report.new_objects {
            table.notes.push(format!(
                "  @{} {} (self {}, retained {})",
                o.id,
                o.class,
                format_bytes(o.self_size as i64),
                format_bytes(o.retained as i64)
            ));
        }
    }
    table
}
