//! `peek` and `tree`: each function between its callers (above) and its callees (below), as
//! `go tool pprof -peek` and `-tree` print them.

use super::{assemble, describe_input, key_lines};
use crate::output::schema::PeekReport;
use crate::output::values::{format_value, percent};
use crate::output::{Style, TextTable};

pub fn peek(report: &PeekReport, style: &Style) -> TextTable {
    let p = &report.peek;
    let unit = p.unit.as_str();
    let heading = vec![
        describe_input(&report.input),
        format!(
            "{}: total {}, {}; callers above each (↑), callees below (↓), with the share \
             of its cum that passed each edge",
            p.sample_type,
            format_value(p.total, unit),
            match (&report.regex, report.entry_count) {
                (Some(_), 1) => "1 function matched".to_string(),
                (Some(_), n) => format!("{n} functions matched"),
                (None, _) => "every function, largest flat first".to_string(),
            }
        ),
    ];
    let name = |key: &str| key_lines(key, "function", style).join("\n");
    let mut rows = Vec::new();
    for (n, e) in p.entries.iter().enumerate() {
        if n > 0 {
            rows.push(vec![String::new(); 7]);
        }
        // Arrows as well as the place say which side an edge is on: Markdown drops the indent.
        let edge = |arrow: &str, key: &str, value: i64| {
            vec![
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                format_value(value, unit),
                percent(value, e.cum),
                format!("  {arrow} {}", name(key)),
            ]
        };
        rows.extend(e.callers.iter().map(|c| edge("↑", &c.key, c.value)));
        rows.push(vec![
            format_value(e.flat, unit),
            percent(e.flat, p.total),
            format_value(e.cum, unit),
            percent(e.cum, p.total),
            String::new(),
            String::new(),
            name(&e.key),
        ]);
        rows.extend(e.callees.iter().map(|c| edge("↓", &c.key, c.value)));
    }
    let mut table = assemble(
        heading,
        &[
            "flat", "flat%", "cum", "cum%", "calls", "calls%", "function",
        ],
        &[true, true, true, true, true, true, false],
        rows,
        (0, 0),
        &[&report.input],
    );
    // `-n` counts functions here, not rows.
    if p.entries.len() < report.entry_count {
        table.notes.insert(
            0,
            format!(
                "{} more functions not shown (use -n 0 for all)",
                report.entry_count - p.entries.len()
            ),
        );
    }
    table
}
