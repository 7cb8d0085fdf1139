//! `scan`: the findings, then a table of evidence for each.

use super::retainers::{path_lines, path_summary};
use super::{describe_input, warnings, STACK_LINES};
use crate::model::{Finding, Status};
use crate::output::names::{display_key, short_function, stack_lines};
use crate::output::prose::{grouping_lines, one_paragraph, site_line, trend_line, wait_span};
use crate::output::schema::ScanReport;
use crate::output::values::{format_delta, join_values, wrap_values};
use crate::output::{Style, TextTable};

/// The widest line of a finding's values in the summary table.
const SERIES_WIDTH: usize = 24;

/// `scan`: a summary table of the findings, then one table of evidence per finding.
pub fn scan(report: &ScanReport, style: &Style) -> Vec<TextTable> {
    let mut heading: Vec<String> = report.inputs.iter().map(describe_input).collect();
    heading.extend(grouping_lines(&report.grouping, &report.inputs));
    heading.push(format!(
        "{} signatures checked, {} findings",
        report.signatures_checked.len(),
        report.findings.len()
    ));
    let rows = report
        .findings
        .iter()
        .map(|f| {
            vec![
                format!("{}\n{}", f.signature, f.title),
                f.status.label(),
                // Narrow enough that the longest signature id fits whole beside it at 80
                // columns.
                wrap_values(&join_values(&f.series, &f.unit), SERIES_WIDTH),
            ]
        })
        .collect();
    let mut summary = TextTable {
        heading,
        headers: vec!["signature".into(), "status".into(), f_series_header(report)],
        numeric: vec![false, false, true],
        rows,
        notes: warnings(&report.inputs.iter().collect::<Vec<_>>()),
    };
    if report.findings.is_empty() {
        summary
            .notes
            .push("No known leak signature and no steady growth in these inputs.".into());
    } else if report.has_active_leak()
        || report.findings.iter().any(|f| f.status == Status::Suspect)
    {
        summary.notes.push(
            "GROWING: grew at the last step; PRESENT: proven by one snapshot; SUSPECT: the \
             structure of a leak, with too few snapshots to measure growth; plateau: grew, then \
             stopped (residue of a fixed leak); receding: went back down."
                .into(),
        );
    }
    std::iter::once(summary)
        .chain(report.findings.iter().map(|f| finding(f, report, style)))
        .collect()
}

fn f_series_header(report: &ScanReport) -> String {
    match report.inputs.len() {
        1 => "value".into(),
        n => format!("over {n} inputs"),
    }
}

fn finding(f: &Finding, report: &ScanReport, style: &Style) -> TextTable {
    let mut heading = vec![format!(
        "{} [{}]: {}",
        f.signature,
        f.status.label(),
        f.title
    )];
    let inputs = if f.inputs.len() == report.inputs.len() && f.inputs.len() > 2 {
        format!("all {} inputs", f.inputs.len())
    } else {
        let paths: Vec<&str> = f
            .inputs
            .iter()
            .filter_map(|&i| report.inputs.get(i).map(|x| x.path.as_str()))
            .collect();
        paths.join(", ")
    };
    let step = if f.series.len() > 1 {
        format!(
            " ({} per step)",
            format_delta(f.growth_per_step.round() as i64, &f.unit)
        )
    } else {
        String::new()
    };
    heading.push(format!(
        "{}: {}{step} over {}; fingerprint {}",
        f.metric,
        join_values(&f.series, &f.unit),
        inputs,
        f.fingerprint
    ));
    let e = &f.evidence;
    let mut rows: Vec<Vec<String>> = Vec::new();
    for s in &e.stacks {
        let lines = if s.name.contains(';') {
            stack_lines(&s.name, style.full_names, STACK_LINES)
        } else {
            vec![display_key(&s.name, style.full_names)]
        };
        rows.push(vec![lines.join("\n"), join_values(&s.values, &f.unit)]);
    }
    for s in &e.co_growing {
        rows.push(vec![
            format!("growing with them: {}", s.name),
            join_values(&s.values, &f.unit),
        ]);
    }
    for s in &e.classes {
        rows.push(vec![s.name.clone(), join_values(&s.values, "objects")]);
    }
    for c in &e.creators {
        let who = match (c.distinct_creators, c.top_creators.first()) {
            (1, Some(one)) => match &one.now_in {
                Some(now) => format!(
                    "one goroutine ({}) created them all, a loop now in {}",
                    one.id,
                    short_function(now)
                ),
                None => format!("one goroutine ({}) created them all; it has exited", one.id),
            },
            (0, _) => "creator not recorded".to_string(),
            (n, _) => format!("{n} distinct goroutines created them (per request or per call)"),
        };
        rows.push(vec![
            format!(
                "created by {}\n{who}",
                display_key(&c.function, style.full_names)
            ),
            c.goroutines.to_string(),
        ]);
    }
    for g in &e.retainers {
        rows.push(vec![
            format!("{}\n{}", path_summary(g).trim(), path_lines(g).join("\n")),
            g.objects.to_string(),
        ]);
    }
    for site in &e.code {
        rows.push(vec![
            site_line(site, &display_key(&site.function, style.full_names)),
            join_values(&[site.value], &f.unit),
        ]);
    }
    let mut notes: Vec<String> = trend_line(f).into_iter().collect();
    if let Some(waits) = e.wait_minutes {
        notes.push(format!(
            "Waiting for {} in the last goroutine dump.",
            wait_span(waits)
        ));
    }
    notes.extend(e.hints.iter().cloned());
    notes.push(format!("Why: {}", one_paragraph(&f.explanation)));
    notes.push(format!("Fix: {}", one_paragraph(&f.fix)));
    notes.extend(f.references.iter().map(|r| format!("See {r}")));
    TextTable {
        heading,
        headers: vec!["evidence".into(), "per input".into()],
        numeric: vec![false, true],
        rows,
        notes,
    }
}
