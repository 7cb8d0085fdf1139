//! `list`: one table per function, pprof's ROUTINE blocks: flat and cum per line, beside the
//! source when it was found ("." for no value, as pprof).

use super::{cut_note, describe_input, warnings};
use crate::analysis::list::Routine;
use crate::output::schema::ListReport;
use crate::output::values::{format_value, percent};
use crate::output::{Style, TextTable};

pub fn list(report: &ListReport, style: &Style) -> Vec<TextTable> {
    let l = &report.listing;
    let unit = l.unit.as_str();
    let mut tables: Vec<TextTable> = l
        .routines
        .iter()
        .enumerate()
        .map(|(i, routine)| {
            let mut heading = Vec::new();
            if i == 0 {
                heading.push(describe_input(&report.input));
                heading.push(format!(
                    "{}: total {}",
                    l.sample_type,
                    format_value(l.total, unit)
                ));
            }
            heading.push(format!(
                "ROUTINE {} in {}",
                if style.full_names {
                    routine.function.clone()
                } else {
                    crate::output::names::short_function(&routine.function).to_string()
                },
                if routine.file.is_empty() {
                    "?"
                } else {
                    &routine.file
                }
            ));
            heading.push(format!(
                "{} flat, {} cum, {} of the total",
                format_value(routine.flat, unit),
                format_value(routine.cum, unit),
                percent(routine.cum, l.total)
            ));
            routine_table(routine, unit, heading)
        })
        .collect();
    if let Some(last) = tables.last_mut() {
        last.notes
            .extend(cut_note(l.routines.len(), report.routine_count));
        last.notes.extend(warnings(&[&report.input]));
    }
    tables
}

fn routine_table(routine: &Routine, unit: &str, heading: Vec<String>) -> TextTable {
    let value = |v: i64| {
        if v == 0 {
            ".".to_string()
        } else {
            format_value(v, unit)
        }
    };
    let at = |line: u32| routine.lines.iter().find(|l| l.line == line);
    let (headers, numeric, rows): (Vec<&str>, Vec<bool>, Vec<Vec<String>>) = match &routine.source {
        Some(source) => (
            vec!["flat", "cum", "line", "source"],
            vec![true, true, true, false],
            source
                .iter()
                .map(|(n, text)| {
                    let (flat, cum) = at(*n).map_or((0, 0), |l| (l.flat, l.cum));
                    vec![value(flat), value(cum), n.to_string(), text.clone()]
                })
                .collect(),
        ),
        None => (
            vec!["flat", "cum", "line"],
            vec![true, true, true],
            routine
                .lines
                .iter()
                .map(|l| {
                    vec![
                        value(l.flat),
                        value(l.cum),
                        if l.line == 0 {
                            "?".to_string()
                        } else {
                            l.line.to_string()
                        },
                    ]
                })
                .collect(),
        ),
    };
    let note = match &routine.source {
        Some(_) => format!("source: {}", routine.source_note),
        None => format!("no source: {}", routine.source_note),
    };
    TextTable {
        heading,
        headers: headers.iter().map(|h| h.to_string()).collect(),
        numeric,
        rows,
        notes: vec![note],
    }
}
