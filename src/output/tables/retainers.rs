//! `retainers`: the paths from the GC roots that keep a class of objects alive.

use super::{assemble, describe_input};
use crate::model::PathGroup;
use crate::output::schema::RetainersReport;
use crate::output::values::format_bytes;
use crate::output::{Style, TextTable};

/// The heading of a group of retainer paths; series and scan notes print it too.
pub(super) fn path_summary(group: &PathGroup) -> String {
    format!(
        "  ×{} (retained {}, e.g. @{}, fingerprint {}):",
        group.objects,
        format_bytes(group.retained as i64),
        group.example_id,
        group.fingerprint
    )
}

/// A retainer path from a GC root, one object a line with its id and sizes, each after the edge
/// that reaches it: `Timeout @812 [104 B, retains 2.1 KiB]`, then `._onTimeout → (closure) @813
/// [...]`. Edges lead their line so that a wrapped line never strands one.
pub fn path_lines(group: &PathGroup) -> Vec<String> {
    let mut via = "";
    group
        .path
        .iter()
        .map(|step| {
            let arrow = if via.is_empty() {
                String::new()
            } else {
                format!("{via} → ")
            };
            via = step.edge.as_str();
            let repeat = if step.repeat > 1 {
                format!(" (×{} in a row)", step.repeat)
            } else {
                String::new()
            };
            // No-break spaces keep the sizes of a hop together when a narrow table wraps.
            format!(
                "{arrow}{} @{} [{},\u{a0}retains\u{a0}{}]{repeat}",
                step.node,
                step.id,
                format_bytes(step.self_size as i64),
                format_bytes(step.retained as i64),
            )
        })
        .collect()
}

pub fn retainers(report: &RetainersReport, _style: &Style) -> TextTable {
    let mut heading = vec![describe_input(&report.input)];
    heading.push(format!(
        "{}: {} objects, retained {} together, {} distinct paths from the GC roots",
        report.target,
        report.objects,
        format_bytes(report.retained as i64),
        report.path_count
    ));
    let rows = report
        .paths
        .iter()
        .map(|g| {
            vec![
                g.objects.to_string(),
                format_bytes(g.retained as i64),
                path_lines(g).join("\n"),
            ]
        })
        .collect();
    let mut table = assemble(
        heading,
        &["objects", "retained", "path (root first)"],
        &[true, true, false],
        rows,
        // Paths are cut by --paths, not by -n: the note below says so.
        (report.path_count, report.path_count),
        &[&report.input],
    );
    if report.paths.len() < report.path_count {
        table.notes.insert(
            0,
            format!(
                "{} more paths not shown (use --paths {} for all)",
                report.path_count - report.paths.len(),
                report.path_count
            ),
        );
    }
    if report.weakly_reachable > 0 {
        table.notes.push(format!(
            "{} of the objects are reached only through weak edges: nothing holds them strongly.",
            report.weakly_reachable
        ));
    }
    table
}
