//! Reports as tables: the columns and wording of `top`, `diff` and series output.

use super::names::{display_key, short_function, stack_lines};
use super::units::{format_delta, format_value, percent};
use super::{Style, TextTable};
use crate::analysis::aggregate::GoroutineDetail;
use crate::analysis::diff::Change;
use crate::report::{DiffReport, InputInfo, SeriesReport, TopReport};

/// Frames shown per stack row in tables.
const STACK_LINES: usize = 8;

fn key_lines(key: &str, by: &str, style: &Style) -> Vec<String> {
    match by {
        "stack" => stack_lines(key, style.full_names, STACK_LINES),
        "function" => vec![display_key(key, style.full_names)],
        _ => vec![key.to_string()],
    }
}

fn describe_input(input: &InputInfo) -> String {
    let mut line = format!("{}: {} profile ({})", input.path, input.kind, input.format);
    if let Some(n) = input.leaked_goroutines {
        line.push_str(&format!(
            ", {n} goroutines marked (leaked) by the Go runtime"
        ));
    }
    line
}

fn warnings(inputs: &[&InputInfo]) -> Vec<String> {
    inputs
        .iter()
        .flat_map(|i| {
            i.warnings
                .iter()
                .map(move |w| format!("warning: {}: {w}", i.path))
        })
        .collect()
}

fn cut_note(shown: usize, all: usize) -> Option<String> {
    (shown < all).then(|| format!("{} more rows not shown (use -n 0 for all)", all - shown))
}

pub fn top(report: &TopReport, style: &Style) -> TextTable {
    let unit = report.unit.as_str();
    let mut heading = vec![describe_input(&report.input)];
    heading.push(format!(
        "{}: total {}, {} rows by {}",
        report.sample_type,
        format_value(report.total, unit),
        report.row_count,
        report.by
    ));
    let detail = report.rows.iter().any(|r| r.goroutines.is_some());
    let rows = report
        .rows
        .iter()
        .map(|row| {
            let mut key = key_lines(&row.key, report.by, style);
            if let Some(d) = &row.goroutines {
                key.extend(goroutine_lines(d, style));
            }
            vec![
                format_value(row.flat, unit),
                percent(row.flat, report.total),
                format_value(row.cum, unit),
                percent(row.cum, report.total),
                key.join("\n"),
            ]
        })
        .collect();
    let mut table = assemble(
        heading,
        &["flat", "flat%", "cum", "cum%", report.by],
        &[true, true, true, true, false],
        rows,
        (report.rows.len(), report.row_count),
        &[&report.input],
    );
    if detail {
        table.notes.insert(
            0,
            "Under each key: goroutine states, waits of a minute or more, creators.".into(),
        );
    }
    table
}

/// A table with the notes every view ends with: rows cut by `-n`, then input warnings.
fn assemble(
    heading: Vec<String>,
    headers: &[&str],
    numeric: &[bool],
    rows: Vec<Vec<String>>,
    (shown, all): (usize, usize),
    inputs: &[&InputInfo],
) -> TextTable {
    let mut notes: Vec<String> = cut_note(shown, all).into_iter().collect();
    notes.extend(warnings(inputs));
    TextTable {
        heading,
        headers: headers.iter().map(|h| h.to_string()).collect(),
        numeric: numeric.to_vec(),
        rows,
        notes,
    }
}

/// `  chan receive 600 · waited ≥1m: 290 (max 3m)` and `  created by X in goroutine 1 (now in Y)`.
fn goroutine_lines(d: &GoroutineDetail, style: &Style) -> Vec<String> {
    let mut lines = Vec::new();
    let mut summary: Vec<String> = d
        .states
        .iter()
        .take(3)
        .map(|s| format!("{} {}", s.state, s.count))
        .collect();
    if d.states.len() > 3 {
        summary.push(format!("+{} states", d.states.len() - 3));
    }
    if d.waiting_1m_plus > 0 {
        summary.push(format!(
            "waited ≥1m: {} (max {}m)",
            d.waiting_1m_plus,
            d.max_wait_minutes.unwrap_or(0)
        ));
    }
    if d.leaked > 0 {
        summary.push(format!("leaked: {}", d.leaked));
    }
    lines.push(format!("  {}", summary.join(" · ")));
    for group in d.creators.iter().take(2) {
        let name = if style.full_names {
            group.function.as_str()
        } else {
            short_function(&group.function)
        };
        let by = match (group.distinct_creators, group.top_creators.first()) {
            (1, Some(c)) => match &c.now_in {
                Some(now) => format!(
                    "in goroutine {} (alive, in {})",
                    c.id,
                    if style.full_names {
                        now.as_str()
                    } else {
                        short_function(now)
                    }
                ),
                None => format!("in goroutine {} (exited)", c.id),
            },
            (0, _) => String::new(),
            (n, _) => format!("from {n} goroutines"),
        };
        lines.push(
            format!("  {} created by {name} {by}", group.goroutines)
                .trim_end()
                .to_string(),
        );
    }
    lines
}

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
                format_delta(row.delta, unit),
                change,
                format_value(row.base, unit),
                format_value(row.target, unit),
                key_lines(&row.key, report.by, style).join("\n"),
            ]
        })
        .collect();
    assemble(
        heading,
        &["delta", "change", "base", "target", report.by],
        &[true, true, true, true, false],
        rows,
        (report.rows.len(), report.row_count),
        &report.inputs.iter().collect::<Vec<_>>(),
    )
}

pub fn series(report: &SeriesReport, style: &Style) -> TextTable {
    let unit = report.unit.as_str();
    let mut heading: Vec<String> = report
        .inputs
        .iter()
        .enumerate()
        .map(|(i, input)| format!("#{}: {}", i + 1, describe_input(input)))
        .collect();
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

/// `0 → 150 → 300 → 600`; long series keep the first two and last two values.
fn join_values(values: &[i64], unit: &str) -> String {
    let shown: Vec<String> = if values.len() > 6 {
        let mut v: Vec<String> = values[..2].iter().map(|&x| format_value(x, unit)).collect();
        v.push("…".into());
        v.extend(
            values[values.len() - 2..]
                .iter()
                .map(|&x| format_value(x, unit)),
        );
        v
    } else {
        values.iter().map(|&x| format_value(x, unit)).collect()
    };
    shown.join(" → ")
}

/// Rows the user asked for: `-n`, default 20 for tables and all for JSON; 0 means all.
pub fn limit<T>(rows: &mut Vec<T>, requested: Option<usize>, json: bool) {
    let n = match requested {
        Some(0) => return,
        Some(n) => n,
        None if json => return,
        None => 20,
    };
    rows.truncate(n);
}
