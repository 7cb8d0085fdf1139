//! The report as GitHub-flavoured Markdown: the same verdict, evidence tables, stacks and
//! retainer paths as the HTML page, for a ticket or a pull request. Profile strings go into
//! code spans or fenced blocks, or are escaped; the flame graphs stay in the HTML report.

use super::{
    creators_reading, leaf_first, web_link, Postmortem, SeriesSection, CREATORS_PER_FINDING,
    PATHS_PER_FINDING, STACKS_PER_FINDING,
};
use crate::model::Finding;
use crate::output::escape::markup as html;
use crate::output::markdown::{code_span, escape_text};
use crate::output::names::stack_label;
use crate::output::prose::{metric_counts, site_place, site_role};
use crate::output::tables::path_lines;
use crate::output::values::{format_bytes, format_delta, format_time, format_value};
use crate::output::TextTable;

pub fn render(p: &Postmortem) -> String {
    let mut out = String::with_capacity(32 * 1024);
    out.push_str("# Leak report\n\n");
    out.push_str(&format!(
        "{} checked, written by leakscope {}.\n\n",
        p.scope(),
        env!("CARGO_PKG_VERSION")
    ));
    if !p.processes.is_empty() {
        out.push_str(&header(
            &[
                "process".into(),
                "runtime".into(),
                "series".into(),
                "inputs".into(),
                "captured".into(),
            ],
            5,
        ));
        for row in &p.processes {
            out.push_str(&table_row(&[
                row.process
                    .as_deref()
                    .map(code_span)
                    .unwrap_or_else(|| "not named in the files".into()),
                escape_text(&row.runtime_text()),
                escape_text(row.series),
                row.inputs.to_string(),
                escape_text(&row.window_text()),
            ]));
        }
        out.push('\n');
    }
    out.push_str(&format!("## Verdict: {}\n\n", escape_text(&p.headline())));
    for line in &p.grouping {
        let item = match line.strip_prefix("  ") {
            Some(note) => format!("  - {}\n", escape_text(note)),
            None => format!("- {}\n", escape_text(line)),
        };
        out.push_str(&item);
    }
    if !p.grouping.is_empty() {
        out.push('\n');
    }
    for f in &p.findings {
        out.push_str(&format!(
            "- **{}** {}\n",
            f.status.name().to_ascii_uppercase(),
            escape_text(&p.sentence(f))
        ));
    }
    if !p.findings.is_empty() {
        out.push('\n');
        out.push_str("## Findings\n\n");
        for (n, f) in p.findings.iter().enumerate() {
            finding(&mut out, p, n, f);
        }
    }
    for s in &p.series {
        series(&mut out, p, s);
    }
    inputs(&mut out, p);
    out.push_str("## Reproduce\n\n");
    let commands = p.reproduce.join("\n");
    out.push_str(&fenced("sh", &commands));
    out
}

/// A fenced code block that holds `text` literally: the fence is longer than any backtick run
/// inside.
fn fenced(info: &str, text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}{info}\n{text}\n{fence}\n\n")
}

/// Catalogue prose: `code` spans kept, the rest escaped.
fn prose(text: &str) -> String {
    crate::output::prose::prose(text, code_span, escape_text)
        .iter()
        .map(|p| format!("{p}\n\n"))
        .collect()
}

/// `▁▃▅█`: the shape of a series at a glance.
fn sparkline(values: &[i64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let (lo, hi) = (
        values.iter().copied().min().unwrap_or(0),
        values.iter().copied().max().unwrap_or(0),
    );
    values
        .iter()
        .map(|&v| {
            if hi == lo {
                BARS[0]
            } else {
                BARS[((v - lo) as f64 / (hi - lo) as f64 * 7.0).round() as usize]
            }
        })
        .collect()
}

fn table_row(cells: &[String]) -> String {
    format!("| {} |\n", cells.join(" | "))
}

fn header(cells: &[String], numeric_from: usize) -> String {
    let mut out = table_row(cells);
    let rule: Vec<&str> = (0..cells.len())
        .map(|k| if k >= numeric_from { "---:" } else { "---" })
        .collect();
    out.push_str(&format!("|{}|\n", rule.join("|")));
    out
}

fn finding(out: &mut String, p: &Postmortem, n: usize, f: &Finding) {
    out.push_str(&format!(
        "### {}. {} ({})\n\n",
        n + 1,
        escape_text(&f.title),
        f.status.name().to_ascii_uppercase()
    ));
    out.push_str(&format!(
        "{} · fingerprint {}\n\n{}",
        code_span(&f.signature),
        code_span(&f.fingerprint),
        escape_text(&p.sentence(f))
    ));
    if f.series.len() > 1 {
        out.push_str(&format!(" {}", sparkline(&f.series)));
    }
    out.push_str("\n\n");
    let mut head = vec!["evidence".to_string()];
    for &i in &f.inputs {
        let time = p.inputs[i]
            .time_nanos
            .map(|t| format!("<br>{}", escape_text(&format_time(t))))
            .unwrap_or_default();
        head.push(format!("{}{time}", p.label(i)));
    }
    out.push_str(&header(&head, 1));
    let values = |v: &[i64], unit: &str| -> Vec<String> {
        v.iter()
            .map(|&x| escape_text(&format_value(x, unit)))
            .collect()
    };
    let mut row = |name: String, v: &[i64], unit: &str| {
        let mut cells = vec![name];
        cells.extend(values(v, unit));
        out.push_str(&table_row(&cells));
    };
    row(
        format!(
            "**{}**{}",
            escape_text(&f.metric),
            escape_text(metric_counts(f))
        ),
        &f.series,
        &f.unit,
    );
    let e = &f.evidence;
    for s in e.stacks.iter().take(STACKS_PER_FINDING) {
        row(
            format!("stack: {}", stack_summary(&s.name)),
            &s.values,
            &f.unit,
        );
    }
    for s in &e.co_growing {
        row(
            format!("growing with them: {}", escape_text(&s.name)),
            &s.values,
            &f.unit,
        );
    }
    for s in &e.classes {
        row(
            format!("{} objects", code_span(&s.name)),
            &s.values,
            "objects",
        );
    }
    out.push('\n');
    if e.stacks.len() > STACKS_PER_FINDING {
        out.push_str(&format!(
            "{} more matched stacks not shown.\n\n",
            e.stacks.len() - STACKS_PER_FINDING
        ));
    }
    if !e.stacks.is_empty() {
        out.push_str("<details><summary>Matched stacks, leaf first</summary>\n\n");
        for s in e.stacks.iter().take(STACKS_PER_FINDING) {
            out.push_str(&fenced("text", &leaf_first(&s.name).join("\n")));
        }
        out.push_str("</details>\n\n");
    }
    if !e.creators.is_empty() {
        out.push_str("#### Who created them (last dump)\n\n");
        out.push_str(&header(
            &[
                "created by".into(),
                "goroutines".into(),
                "distinct creators".into(),
            ],
            1,
        ));
        for c in e.creators.iter().take(CREATORS_PER_FINDING) {
            out.push_str(&table_row(&[
                code_span(&c.function),
                c.goroutines.to_string(),
                creators_reading(c.distinct_creators),
            ]));
        }
        out.push('\n');
    }
    if !e.code.is_empty() {
        out.push_str("#### In the code (last snapshot)\n\n");
        out.push_str(&header(
            &[
                "where".into(),
                "function".into(),
                "file:line".into(),
                "value".into(),
            ],
            3,
        ));
        for site in &e.code {
            out.push_str(&table_row(&[
                format!(
                    "{}{}",
                    site_role(site),
                    if site.own { "" } else { " (library)" }
                ),
                code_span(&site.function),
                code_span(&site_place(site)),
                format_value(site.value, &f.unit),
            ]));
        }
        out.push('\n');
    }
    if !e.retainers.is_empty() {
        out.push_str("#### Why they are alive: retainer paths (last snapshot)\n\n");
        for g in e.retainers.iter().take(PATHS_PER_FINDING) {
            let target = g.path.last().map(|s| s.node.as_str()).unwrap_or("");
            out.push_str(&format!(
                "<details><summary>{} × {}, retaining {} (e.g. @{})</summary>\n\n",
                g.objects,
                html(target),
                format_bytes(g.retained as i64),
                g.example_id
            ));
            out.push_str(&fenced("text", &path_lines(g).join("\n")));
            out.push_str("</details>\n\n");
        }
        if e.retainers.len() > PATHS_PER_FINDING {
            out.push_str(&format!(
                "{} more path shapes not shown.\n\n",
                e.retainers.len() - PATHS_PER_FINDING
            ));
        }
    }
    for note in Postmortem::notes(f) {
        out.push_str(&format!("{}\n\n", escape_text(&note)));
    }
    out.push_str("#### Why it leaks\n\n");
    out.push_str(&prose(&f.explanation));
    out.push_str("#### Fix\n\n");
    out.push_str(&prose(&f.fix));
    if !f.references.is_empty() {
        out.push_str("#### References\n\n");
        for r in &f.references {
            match web_link(r) {
                Some(url) => out.push_str(&format!("- <{url}>\n")),
                None => out.push_str(&format!("- {}\n", escape_text(r))),
            }
        }
        out.push('\n');
    }
}

fn series(out: &mut String, p: &Postmortem, s: &SeriesSection) {
    let labels: Vec<String> = s.inputs.iter().map(|&i| p.label(i)).collect();
    out.push_str(&format!("## {}: {}\n\n", s.title(), labels.join(" → ")));
    if let Some(flame) = &s.flame {
        if !flame.changes.is_empty() {
            let unit = flame.unit.as_str();
            if flame.differential {
                out.push_str(
                    "### Stacks by growth, first against last (shrinking last)\n\n\
                     The differential flame graph is in the HTML report.\n\n",
                );
                out.push_str(&header(
                    &[
                        "stack".into(),
                        "first".into(),
                        "last".into(),
                        "change".into(),
                    ],
                    1,
                ));
            } else {
                out.push_str("### Largest stacks\n\nThe flame graph is in the HTML report.\n\n");
                out.push_str(&header(&["stack".into(), "value".into()], 1));
            }
            for c in &flame.changes {
                let mut cells = vec![stack_summary(&c.stack)];
                if flame.differential {
                    cells.push(escape_text(&format_value(c.before, unit)));
                }
                cells.push(escape_text(&format_value(c.after, unit)));
                if flame.differential {
                    cells.push(escape_text(&format_delta(c.after - c.before, unit)));
                }
                out.push_str(&table_row(&cells));
            }
            out.push('\n');
            if flame.change_count > flame.changes.len() {
                out.push_str(&format!(
                    "{} more stacks not shown.\n\n",
                    flame.change_count - flame.changes.len()
                ));
            }
        }
    }
    if let Some(growth) = &s.growth {
        out.push_str("### Constructors by growth\n\n");
        table_with_heading(out, growth);
    }
    out.push_str(&format!(
        "### Top of the last snapshot ({})\n\n",
        labels.last().map(String::as_str).unwrap_or("")
    ));
    table_with_heading(out, &s.top);
}

fn table_with_heading(out: &mut String, table: &TextTable) {
    let mut table = table.clone();
    for line in std::mem::take(&mut table.heading) {
        out.push_str(&format!("{}\n\n", escape_text(&line)));
    }
    out.push_str(&crate::output::markdown::render(&table));
}

fn inputs(out: &mut String, p: &Postmortem) {
    out.push_str("## Inputs\n\n");
    out.push_str(&header(
        &[
            "".into(),
            "file".into(),
            "format".into(),
            "runtime".into(),
            "profile".into(),
            "captured".into(),
            "file size".into(),
            "decoded".into(),
        ],
        6,
    ));
    for (i, input) in p.inputs.iter().enumerate() {
        out.push_str(&table_row(&[
            p.label(i),
            code_span(&input.path),
            escape_text(input.format),
            escape_text(input.runtime),
            escape_text(input.kind),
            input
                .time_nanos
                .map(|t| escape_text(&format_time(t)))
                .unwrap_or_else(|| "not recorded".into()),
            p.file_sizes[i]
                .map(|s| format_bytes(s as i64))
                .unwrap_or_default(),
            format_bytes(input.size as i64),
        ]));
    }
    out.push('\n');
    for (path, note) in p.input_notes() {
        out.push_str(&format!("{}: {}\n\n", code_span(path), escape_text(&note)));
    }
}

/// A stack in one table cell: its telling frame, side and entry into the gRPC library.
fn stack_summary(stack: &str) -> String {
    stack_label(&leaf_first(stack)).describe(code_span)
}
