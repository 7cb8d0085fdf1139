//! Catalogue prose and the account of how inputs formed series, as outputs print them.

use crate::model::{CodeSite, Finding, OrderBasis, SiteRole, Status};
use crate::output::schema::{Grouping, InputInfo};
use crate::output::values::format_delta;

/// Catalogue text is wrapped in its TOML; tables, annotations and reports wrap it themselves.
pub fn one_paragraph(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Which inputs formed which series, how they were ordered, and the inputs left out: one line
/// each, as every output states them before its findings.
pub fn grouping_lines(grouping: &Grouping, inputs: &[InputInfo]) -> Vec<String> {
    let path = |i: usize| inputs.get(i).map_or("?", |x| x.path.as_str());
    let mut lines = Vec::new();
    for s in &grouping.series {
        let noun = match s.inputs.len() {
            1 => s.kind.noun(),
            _ => s.kind.plural(),
        };
        let process = s
            .process
            .as_ref()
            .map_or(String::new(), |p| format!(" of {p}"));
        let files: Vec<&str> = s.inputs.iter().map(|&i| path(i)).collect();
        let order = if s.inputs.len() > 1 && s.ordered_by != OrderBasis::CommandLine {
            format!(", ordered by {}", s.ordered_by.words())
        } else {
            String::new()
        };
        lines.push(format!(
            "Series: {} {noun}{process}: {}{order}",
            s.runtime,
            files.join(", ")
        ));
        lines.extend(s.notes.iter().map(|n| format!("  note: {n}")));
    }
    for u in &grouping.unjoined {
        lines.push(format!("Not in any series: {}: {}", u.path, u.reason));
    }
    lines
}

/// How long matched goroutines had waited, from the shortest and longest wait in minutes (Go
/// prints waits only from one minute on).
pub fn wait_span([lo, hi]: [u32; 2]) -> String {
    match (lo, hi) {
        (_, 0) => "less than a minute".to_string(),
        (_, 1) if lo == hi => "1 minute".to_string(),
        _ if lo == hi => format!("{hi} minutes"),
        (0, 1) => "up to a minute".to_string(),
        (0, _) => format!("up to {hi} minutes"),
        _ => format!("{lo} to {hi} minutes"),
    }
}

/// A code site's file and line, as far as the profile records them: `app/main.go:46`.
pub fn site_place(site: &CodeSite) -> String {
    match (site.file.is_empty(), site.line) {
        (true, _) => "not recorded".to_string(),
        (false, 0) => site.file.clone(),
        (false, line) => format!("{}:{line}", site.file),
    }
}

/// What a code site is, as a table's first column says it.
pub fn site_role(site: &CodeSite) -> &'static str {
    match site.role {
        SiteRole::CreatedBy => "go statement",
        SiteRole::OwnCode => "own code",
        SiteRole::AllocatedAt => "allocation site",
    }
}

/// A code site as one line: `own code: main.handle at app/main.go:46`.
pub fn site_line(site: &CodeSite, function: &str) -> String {
    let place = if site.file.is_empty() {
        String::new()
    } else {
        format!(" at {}", site_place(site))
    };
    format!("{} {function}{place}", site.role.words())
}

/// How sure the growth is from the order of the snapshots alone: Kendall's tau, the chance
/// that load going up and down ordered them this well (Mann–Kendall), and the median step
/// (Theil–Sen). `None` for a single snapshot and for proofs.
pub fn trend_line(finding: &Finding) -> Option<String> {
    // A proof needs no trend.
    let trend = finding
        .trend
        .filter(|_| finding.status != Status::Present)?;
    if finding.series.len() < 3 {
        return Some(
            "Trend: one step between two snapshots, too few to tell growth from load.".into(),
        );
    }
    // What stayed is measured from the second snapshot on: one count fewer.
    let counts = finding.series.len() - usize::from(finding.all_counts.is_some());
    Some(format!(
        "Trend: Kendall's tau {:.2}; Mann–Kendall p = {:.3}, the chance that load going up and \
         down alone orders {counts} counts this well; {} per step (Theil–Sen).",
        trend.tau,
        trend.p_value,
        format_delta(trend.slope.round() as i64, &finding.unit)
    ))
}

/// What the finding's own row of an evidence table counts, after the metric's name.
pub fn metric_counts(finding: &Finding) -> &'static str {
    if finding.all_counts.is_some() {
        " that stayed from the snapshot before (the finding's metric)"
    } else {
        " (the finding's metric)"
    }
}

/// Catalogue prose as paragraphs (separated by blank lines, each folded to one line), with
/// its `code` spans rendered by `code` and the rest by `plain`.
pub fn prose(
    text: &str,
    code: impl Fn(&str) -> String,
    plain: impl Fn(&str) -> String,
) -> Vec<String> {
    text.split("\n\n")
        .map(one_paragraph)
        .filter(|p| !p.is_empty())
        .map(|p| {
            inline_code(&p)
                .into_iter()
                .map(|(is_code, t)| if is_code { code(t) } else { plain(t) })
                .collect()
        })
        .collect()
}

/// Text with `code` spans, split into (is code, text) runs; an unmatched backtick is text.
fn inline_code(text: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let Some(len) = rest[open + 1..].find('`') else {
            break;
        };
        if open > 0 {
            out.push((false, &rest[..open]));
        }
        out.push((true, &rest[open + 1..open + 1 + len]));
        rest = &rest[open + len + 2..];
    }
    if !rest.is_empty() {
        out.push((false, rest));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_split_and_unmatched_backticks_stay_text() {
        assert_eq!(
            inline_code("call `conn.Close()` now"),
            vec![(false, "call "), (true, "conn.Close()"), (false, " now")]
        );
        assert_eq!(inline_code("a ` b"), vec![(false, "a ` b")]);
    }
}
