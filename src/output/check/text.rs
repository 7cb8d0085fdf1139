//! The verdict-first text a person reads in a terminal or a CI log.

use super::{headline, verdict_line, verdict_word};
use crate::gate::Verdict;
use crate::output::prose::{grouping_lines, one_paragraph, site_line};
use crate::output::schema::CheckReport;
use crate::output::table::wrap_hanging;

/// The text, each line wrapped between words at `width` when one is given.
pub fn text(r: &CheckReport, width: Option<usize>) -> String {
    let out = unwrapped(r);
    match width {
        Some(width) => out
            .lines()
            .map(|line| wrap_hanging(line, width) + "\n")
            .collect(),
        None => out,
    }
}

fn unwrapped(r: &CheckReport) -> String {
    let mut out = verdict_line(r);
    out.push('\n');
    for line in grouping_lines(&r.grouping, &r.inputs) {
        out.push_str(&line);
        out.push('\n');
    }
    for f in &r.findings {
        out.push_str(&format!(
            "{:<4} {}\n     {}; fingerprint {}\n",
            verdict_word(f.verdict),
            headline(f),
            f.reason,
            f.finding.fingerprint
        ));
        if f.verdict != Verdict::Pass {
            for hint in &f.finding.evidence.hints {
                out.push_str(&format!("     {hint}\n"));
            }
            for site in &f.finding.evidence.code {
                out.push_str(&format!("     {}\n", site_line(site, &site.function)));
            }
            out.push_str(&format!("     Fix: {}\n", one_paragraph(&f.finding.fix)));
        }
    }
    if r.findings.is_empty() {
        out.push_str(&format!(
            "{} signatures checked; nothing found.\n",
            r.signatures_checked.len()
        ));
    }
    out
}
