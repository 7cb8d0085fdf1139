//! `check` output for people and for CI systems: a verdict-first text, Markdown, JUnit XML,
//! SARIF 2.1.0 and GitHub Actions workflow commands, one file each. This file holds the
//! wording they share, so that a verdict reads the same in every format.

mod github;
mod junit;
mod markdown;
mod sarif;
mod text;

pub use github::github;
pub use junit::junit;
pub use markdown::markdown;
pub use sarif::sarif;
pub use text::text;

use super::values::join_values;
use crate::detect::GENERIC_SIGNATURES;
use crate::gate::Verdict;
use crate::model::{CodeSite, SiteRole};
use crate::output::schema::{CheckReport, JudgedFinding};

/// The code sites that name a file and line, the program's own code first (its first own
/// frame before the `go` statement or allocation site): where annotations and code-scanning
/// results point.
fn located_sites(f: &JudgedFinding) -> Vec<&CodeSite> {
    let mut sites: Vec<&CodeSite> = f
        .finding
        .evidence
        .code
        .iter()
        .filter(|s| !s.file.is_empty() && s.line > 0)
        .collect();
    sites.sort_by_key(|s| (!s.own, s.role != SiteRole::OwnCode));
    sites
}

fn series_text(f: &JudgedFinding) -> String {
    join_values(&f.finding.series, &f.finding.unit)
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Fail => "FAIL",
        Verdict::Warn => "WARN",
        Verdict::Pass => "ok",
    }
}

/// One line a reviewer reads in a CI log or annotation.
fn headline(f: &JudgedFinding) -> String {
    format!(
        "{}: {} ({}: {})",
        f.finding.signature,
        f.finding.title,
        f.finding.metric,
        series_text(f)
    )
}

fn verdict_line(r: &CheckReport) -> String {
    if r.verdict == "fail" {
        format!(
            "leakscope check: FAIL, {} leak regression{}{}",
            r.regressions,
            if r.regressions == 1 { "" } else { "s" },
            warnings_suffix(r)
        )
    } else {
        format!(
            "leakscope check: PASS, no leak regression in {} input{}{}",
            r.inputs.len(),
            if r.inputs.len() == 1 { "" } else { "s" },
            warnings_suffix(r)
        )
    }
}

fn warnings_suffix(r: &CheckReport) -> String {
    match r.warnings {
        0 => String::new(),
        1 => ", 1 warning".into(),
        n => format!(", {n} warnings"),
    }
}

/// Every signature checked: the catalogue's and the generic ones.
fn checked_ids(r: &CheckReport) -> Vec<&str> {
    let mut ids: Vec<&str> = r.signatures_checked.iter().map(String::as_str).collect();
    let runtimes = r.grouping.runtimes();
    for generic in GENERIC_SIGNATURES {
        // Goroutine growth is Go's; heap growth is every runtime's.
        let applies =
            !runtimes.is_empty() && (!generic.starts_with("go.") || runtimes.contains(&"go"));
        if applies && !ids.contains(&generic) {
            ids.push(generic);
        }
    }
    ids
}
