//! Reports as tables: the columns and wording of `top`, `diff` and series output.

use super::names::{display_key, short_function, stack_lines};
use super::units::{format_bytes, format_delta, format_value, join_values, one_paragraph, percent};
use super::{Style, TextTable};
use crate::analysis::aggregate::GoroutineDetail;
use crate::analysis::diff::Change;
use crate::detect::{Catalogue, Signature};
use crate::model::PathGroup;
use crate::model::{Finding, ProfileClass, Status};
use crate::output::schema::{
    DiffReport, HeapDiffReport, HeapSeriesReport, HeapTopReport, InputInfo, RetainersReport,
    ScanReport, SeriesReport, TopReport,
};

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
    let mut line = if input.kind == "heap-snapshot" {
        format!("{}: V8 heap snapshot", input.path)
    } else {
        format!("{}: {} profile ({})", input.path, input.kind, input.format)
    };
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

pub fn heap_series(report: &HeapSeriesReport, _style: &Style) -> TextTable {
    let mut heading: Vec<String> = report
        .inputs
        .iter()
        .enumerate()
        .map(|(i, input)| format!("#{}: {}", i + 1, describe_input(input)))
        .collect();
    let counts: Vec<i64> = report.totals.iter().map(|t| t.node_count as i64).collect();
    let sizes: Vec<i64> = report.totals.iter().map(|t| t.total_size as i64).collect();
    heading.push(format!(
        "objects {}; total {}",
        join_values(&counts, "count"),
        join_values(&sizes, "bytes")
    ));
    let rows = report
        .rows
        .iter()
        .map(|r| {
            vec![
                format_delta(r.delta, "count"),
                join_values(&r.values, "count"),
                format_bytes(*r.retained_values.last().unwrap_or(&0)),
                match (r.beyond_noise, r.grew_every_step) {
                    (true, _) => "yes",
                    (false, true) => "(yes)",
                    _ => "",
                }
                .to_string(),
                r.key.clone(),
            ]
        })
        .collect();
    let mut table = assemble(
        heading,
        &["delta", "objects", "retained", "grew", report.by],
        &[true, false, true, false, false],
        rows,
        (report.rows.len(), report.row_count),
        &report.inputs.iter().collect::<Vec<_>>(),
    );
    if report
        .rows
        .iter()
        .any(|r| r.grew_every_step && !r.beyond_noise)
    {
        table.notes.push(
            "(yes): grew at every step, but by less than noise (engine bookkeeping, or under 10 objects or 5%)."
                .into(),
        );
    }
    if let Some(leaks) = &report.leaks_since {
        table.notes.push(format!(
            "{} objects allocated after {} (alive in {}) are still alive in {}:",
            leaks.objects, leaks.baseline, leaks.target, leaks.last
        ));
        for r in leaks.rows.iter().take(10) {
            table.notes.push(format!(
                "  {} × {} (retained {})",
                r.count,
                r.key,
                format_bytes(r.retained as i64)
            ));
        }
        for group in &leaks.paths {
            table.notes.push(path_summary(group));
            table
                .notes
                .extend(path_lines(group).into_iter().map(|l| format!("      {l}")));
        }
    }
    table
}

fn path_summary(group: &PathGroup) -> String {
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
        (report.paths.len(), report.path_count),
        &[&report.input],
    );
    if report.weakly_reachable > 0 {
        table.notes.push(format!(
            "{} of the objects are reached only through weak edges: nothing holds them strongly.",
            report.weakly_reachable
        ));
    }
    table
}

fn status_name(status: Status) -> &'static str {
    match status {
        Status::Growing => "GROWING",
        Status::Plateau => "plateau",
        Status::Receding => "receding",
        Status::Present => "PRESENT",
    }
}

/// `scan`: a summary table of the findings, then one table of evidence per finding.
pub fn scan(report: &ScanReport, style: &Style) -> Vec<TextTable> {
    let mut heading: Vec<String> = report.inputs.iter().map(describe_input).collect();
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
                status_name(f.status).to_string(),
                join_values(&f.series, &f.unit),
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
    } else if report.has_active_leak() {
        summary.notes.push(
            "GROWING: grew at the last step; PRESENT: proven by one snapshot; plateau: grew, then \
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
        status_name(f.status),
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
    heading.push(format!(
        "{}: {} ({} per step) over {}; fingerprint {}",
        f.metric,
        join_values(&f.series, &f.unit),
        format_delta(f.growth_per_step.round() as i64, &f.unit),
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
    let mut notes = Vec::new();
    if let Some([lo, hi]) = e.wait_minutes {
        notes.push(format!(
            "Waiting for {lo} to {hi} minutes in the last goroutine dump."
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

/// `signatures list`.
pub fn signature_list(catalogue: &Catalogue) -> TextTable {
    TextTable {
        heading: vec![format!("{} signatures", catalogue.entries.len())],
        headers: vec!["signature".into(), "reads".into()],
        numeric: vec![false, false],
        rows: catalogue
            .entries
            .iter()
            .map(|e| {
                let s = &e.signature;
                vec![format!("{}\n{}", s.id, s.title), profile_name(s).into()]
            })
            .collect(),
        notes: vec!["`leakscope signatures show ID` explains one and says how to fix it.".into()],
    }
}

fn profile_name(s: &Signature) -> &'static str {
    match s.profile {
        crate::model::ProfileClass::Goroutine => "goroutines",
        crate::model::ProfileClass::Heap => "heap profile",
        crate::model::ProfileClass::Snapshot => "heap snapshot",
    }
}

/// `signatures show ID`: plain text, for a terminal.
pub fn signature_text(s: &Signature) -> String {
    let mut out = format!("{}\n{}\n\n", s.id, s.title);
    let mut field = |label: &str, value: String| {
        if !value.is_empty() {
            out.push_str(&format!("{label:<14}{value}\n"));
        }
    };
    field(
        "runtime",
        format!("{} ({}), {}", s.runtime, s.library, s.versions),
    );
    field("reads", format!("{}, metric {}", profile_name(s), s.metric));
    field("recognised by", s.recognised_by.clone());
    field("markers", s.markers.join("\n              "));
    field("requires", s.require_all.join("\n              "));
    field("not counted", s.minus.join("\n              "));
    field(
        "co-growing",
        s.co_growing
            .iter()
            .map(|c| format!("{}: {}", c.name, c.frame))
            .collect::<Vec<_>>()
            .join("\n              "),
    );
    field("classes", s.classes.join(", "));
    field("with them", s.co_classes.join(", "));
    field(
        "threshold",
        s.min_growth
            .map(|g| format!("growth of at least {g} over a series"))
            .unwrap_or_default(),
    );
    let one_snapshot = match (&s.proof, s.present_min_count) {
        (Some(_), _) => "proof by itself".to_string(),
        (None, Some(n)) => format!(
            "proof with at least {n} matched goroutines{}",
            s.present_min_wait_spread_minutes
                .map(|m| format!(" whose wait ages spread over {m} minutes"))
                .unwrap_or_default()
        ),
        (None, None) => String::new(),
    };
    field("one snapshot", one_snapshot);
    out.push_str(&format!(
        "\nWhy\n{}\n\nFix\n{}\n",
        s.explanation.trim(),
        s.fix.trim()
    ));
    if !s.references.is_empty() {
        out.push_str("\nReferences\n");
        for r in &s.references {
            out.push_str(&format!("{r}\n"));
        }
    }
    out
}

/// The catalogue for humans, in Markdown (docs/signatures.md is this text).
pub fn catalogue_markdown(catalogue: &Catalogue) -> String {
    let mut out = String::from(
        "# Leak signature catalogue\n\n\
This page is generated from `src/signatures/catalog/*.toml` by `leakscope signatures list --format md`;\n\
a test keeps it in sync. Ids are part of leakscope's interface. Generic findings beside these:\n\
`go.goroutines.growth` (a goroutine stack that grows at every step) and `heap.growth` (an\n\
allocation site or constructor that grows at every step beyond noise), reported only where no\n\
entry below explains the growth.\n\n",
    );
    for e in &catalogue.entries {
        out.push_str(&signature_markdown(&e.signature));
    }
    out
}

/// One signature in Markdown: a section of docs/signatures.md.
pub fn signature_markdown(s: &Signature) -> String {
    let mut out = String::new();
    out.push_str(&format!("## `{}`\n\n**{}**\n\n", s.id, s.title));
    out.push_str(&format!(
        "- Runtime: {} ({}), {}; reads {} profiles, metric: {}\n",
        s.runtime,
        s.library,
        s.versions,
        match s.profile {
            ProfileClass::Goroutine => "goroutine",
            ProfileClass::Heap => "heap",
            ProfileClass::Snapshot => "V8 heap snapshot",
        },
        s.metric
    ));
    out.push_str(&format!("- Recognised by: {}\n", s.recognised_by));
    for (label, list) in [
        ("Marker frames", &s.markers),
        ("Required frames", &s.require_all),
        ("Not counted (still read)", &s.minus),
        ("Classes", &s.classes),
        ("Growing with them", &s.co_classes),
    ] {
        if !list.is_empty() {
            let items: Vec<String> = list.iter().map(|m| format!("`{m}`")).collect();
            out.push_str(&format!("- {label}: {}\n", items.join(", ")));
        }
    }
    if !s.co_growing.is_empty() {
        let items: Vec<String> = s
            .co_growing
            .iter()
            .map(|c| format!("{} (`{}`)", c.name, c.frame))
            .collect();
        out.push_str(&format!("- Growing with them: {}\n", items.join(", ")));
    }
    if let Some(g) = s.min_growth {
        out.push_str(&format!(
            "- Reported when the metric grows by at least {g} over a series\n"
        ));
    }
    if let Some(n) = s.present_min_count {
        out.push_str(&format!(
            "- One snapshot is enough with at least {n} matched goroutines{}\n",
            s.present_min_wait_spread_minutes
                .map(|m| format!(" whose wait ages spread over {m} minutes or more"))
                .unwrap_or_default()
        ));
    }
    if s.proof.is_some() {
        out.push_str("- One snapshot is proof\n");
    }
    out.push_str(&format!(
        "\n{}\n\n**Fix.** {}\n\n",
        s.explanation.trim(),
        s.fix.trim()
    ));
    if !s.references.is_empty() {
        out.push_str("References:\n");
        for r in &s.references {
            out.push_str(&format!("- <{r}>\n"));
        }
        out.push('\n');
    }
    out
}
