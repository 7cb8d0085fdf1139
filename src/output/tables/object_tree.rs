//! `dominators` and `containment`: a heap snapshot's objects as an indented tree, each with
//! its sizes and distance, and a line for the children left folded.

use super::{assemble, describe_input};
use crate::analysis::object_tree::ObjectRow;
use crate::output::schema::ObjectTreeReport;
use crate::output::values::{format_bytes, percent};
use crate::output::{Style, TextTable};

// No-break spaces: Markdown and HTML keep them at the start of a cell.
const INDENT: &str = "\u{a0}\u{a0}";

pub fn object_tree(report: &ObjectTreeReport, _style: &Style) -> TextTable {
    let what = match report.view {
        "dominators" => "dominator tree",
        _ => "containment",
    };
    let levels = match report.depth {
        1 => "1 level".to_string(),
        n => format!("{n} levels"),
    };
    let mut heading = vec![describe_input(&report.input)];
    heading.push(match report.class_objects {
        Some(n) if n > report.children && report.children > 0 => format!(
            "{what} of the {} largest of {n} objects of {}, {levels} below each",
            report.children, report.start
        ),
        Some(n) => format!(
            "{what} of the {n} objects of {}, {levels} below each",
            report.start
        ),
        None => format!("{what} from {}, {levels} down", report.start),
    });
    let mut rows: Vec<Vec<String>> = Vec::new();
    // Rows whose folded children are announced once their shown subtree has ended.
    let mut pending: Vec<&ObjectRow> = Vec::new();
    let folded = |row: &ObjectRow| {
        let count = match row.hidden_children {
            1 => "1 more child".to_string(),
            n => format!("{n} more children"),
        };
        let line = format!("{}… {count}", INDENT.repeat(row.depth as usize + 1));
        match row.hidden_retained {
            Some(bytes) => vec![
                format_bytes(bytes as i64),
                percent(bytes as i64, report.total as i64),
                String::new(),
                String::new(),
                line,
            ],
            None => vec![
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                line,
            ],
        }
    };
    for (i, row) in report.rows.iter().enumerate() {
        while pending.last().is_some_and(|p| p.depth >= row.depth) {
            rows.push(folded(pending.pop().expect("checked")));
        }
        let edge = row
            .edge
            .as_deref()
            .map(|e| format!("{e} → "))
            .unwrap_or_default();
        // Children all folded (at the depth limit) are counted on the row itself.
        let unfolded = report
            .rows
            .get(i + 1)
            .is_some_and(|next| next.depth > row.depth);
        let below = match row.hidden_children {
            0 => String::new(),
            _ if unfolded => String::new(),
            1 => " (+1 child)".to_string(),
            n => format!(" (+{n} children)"),
        };
        rows.push(vec![
            format_bytes(row.retained as i64),
            percent(row.retained as i64, report.total as i64),
            format_bytes(row.self_size as i64),
            row.distance.map_or("–".to_string(), |d| d.to_string()),
            format!(
                "{}{edge}{} @{}{below}",
                INDENT.repeat(row.depth as usize),
                row.name,
                row.id
            ),
        ]);
        if row.hidden_children > 0 && unfolded {
            pending.push(row);
        }
    }
    while let Some(p) = pending.pop() {
        rows.push(folded(p));
    }
    let shown = rows.len();
    let mut table = assemble(
        heading,
        &["retained", "%", "shallow", "dist", "object"],
        &[true, true, true, true, false],
        rows,
        (shown, shown),
        &[&report.input],
    );
    table.notes.insert(
        0,
        "Unfold further with --depth D, more children with -n N (0 for all).".to_string(),
    );
    table
}
