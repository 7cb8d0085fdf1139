//! `top`: the heaviest keys of one profile, or the largest classes of one heap snapshot.

use super::{assemble, describe_input, key_lines};
use crate::analysis::aggregate::GoroutineDetail;
use crate::output::names::short_function;
use crate::output::schema::{HeapTopReport, TopReport};
use crate::output::values::{format_bytes, format_value, percent};
use crate::output::{Style, TextTable};

pub fn top(report: &TopReport, style: &Style) -> TextTable {
    let unit = report.unit.as_str();
    let mut heading = vec![describe_input(&report.input)];
    let kept = match report.kept {
        Some(kept) => format!(
            ", {} ({}) kept by the filters",
            format_value(kept, unit),
            percent(kept, report.total)
        ),
        None => String::new(),
    };
    heading.push(format!(
        "{}: total {}{kept}, {} rows by {}",
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

fn heap_totals_line(t: &crate::output::schema::HeapTotals) -> String {
    let mut line = format!(
        "{} objects, {} edges, total {}",
        t.node_count,
        t.edge_count,
        format_bytes(t.total_size as i64)
    );
    if t.unreachable > 0 {
        line.push_str(&format!(
            "; {} objects unreachable from the GC roots are counted under the root",
            t.unreachable
        ));
    }
    line
}

pub fn heap_top(report: &HeapTopReport, _style: &Style) -> TextTable {
    let total = report.totals.total_size as i64;
    let heading = vec![
        describe_input(&report.input),
        heap_totals_line(&report.totals),
    ];
    let rows = report
        .rows
        .iter()
        .map(|r| {
            vec![
                r.count.to_string(),
                format_bytes(r.shallow as i64),
                percent(r.shallow as i64, total),
                format_bytes(r.retained as i64),
                percent(r.retained as i64, total),
                r.key.clone(),
            ]
        })
        .collect();
    assemble(
        heading,
        &["count", "shallow", "%", "retained", "%", report.by],
        &[true, true, true, true, true, false],
        rows,
        (report.rows.len(), report.row_count),
        &[&report.input],
    )
}
