//! Markdown, for a pull-request comment or a GitHub job summary.

use super::{series_text, verdict_line, verdict_word};
use crate::gate::Verdict;
use crate::output::markdown::{code_span, escape_text};
use crate::output::prose::{grouping_lines, prose, site_place};
use crate::output::schema::CheckReport;

pub fn markdown(r: &CheckReport) -> String {
    let mut out = format!("### {}\n\n", escape_text(&verdict_line(r)));
    let grouping = grouping_lines(&r.grouping, &r.inputs);
    for line in &grouping {
        let item = line
            .strip_prefix("  ")
            .map_or(format!("- {}", escape_text(line)), |note| {
                format!("  - {}", escape_text(note))
            });
        out.push_str(&item);
        out.push('\n');
    }
    if !grouping.is_empty() {
        out.push('\n');
    }
    if r.findings.is_empty() {
        out.push_str(&format!(
            "{} signatures checked on {} inputs; nothing found.\n",
            r.signatures_checked.len(),
            r.inputs.len()
        ));
        return out;
    }
    out.push_str("| verdict | signature | status | series | why |\n|---|---|---|---|---|\n");
    for f in &r.findings {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            verdict_word(f.verdict),
            code_span(&f.finding.signature),
            f.finding.status.name(),
            escape_text(&series_text(f)),
            escape_text(&f.reason),
        ));
    }
    for f in r.findings.iter().filter(|f| f.verdict != Verdict::Pass) {
        out.push_str(&format!(
            "\n#### {}\n\n{}\n\n",
            code_span(&f.finding.signature),
            prose(&f.finding.explanation, code_span, escape_text).join(" "),
        ));
        let e = &f.finding.evidence;
        for hint in &e.hints {
            out.push_str(&format!("- {}\n", escape_text(hint)));
        }
        for site in &e.code {
            out.push_str(&format!(
                "- {} {}{}\n",
                escape_text(site.role.words()),
                code_span(&site.function),
                if site.file.is_empty() {
                    String::new()
                } else {
                    format!(" at {}", code_span(&site_place(site)))
                }
            ));
        }
        if !e.hints.is_empty() || !e.code.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!(
            "**Fix.** {}\n\nFingerprint {}\n",
            prose(&f.finding.fix, code_span, escape_text).join(" "),
            code_span(&f.finding.fingerprint)
        ));
    }
    out
}
