//! `peek`: each matched function between its callers (above) and its callees (below), as
//! `go tool pprof -peek` prints them.

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
            "{}: total {}, {} matched; callers above each (↑), callees below (↓), with \
             the share of its cum that passed each edge",
            p.sample_type,
            format_value(p.total, unit),
            match p.entries.len() {
                1 => "1 function".to_string(),
                n => format!("{n} functions"),
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
    let count = rows.len();
    assemble(
        heading,
        &[
            "flat", "flat%", "cum", "cum%", "calls", "calls%", "function",
        ],
        &[true, true, true, true, true, true, false],
        rows,
        (count, count),
        &[&report.input],
    )
}
