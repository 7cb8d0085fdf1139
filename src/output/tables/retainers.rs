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

/// A retainer path from a GC root, one step a line: `Timeout ._onTimeout`, then `→ (closure)`.
pub fn path_lines(group: &PathGroup) -> Vec<String> {
    group
        .path
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let arrow = if i == 0 { "" } else { "→ " };
            let repeat = if step.repeat > 1 {
                format!(" (×{} in a row)", step.repeat)
            } else {
                String::new()
            };
            format!("{arrow}{} {}{repeat}", step.node, step.edge)
                .trim_end()
                .to_string()
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
