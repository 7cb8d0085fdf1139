//! JUnit XML, the test report Jenkins and GitLab show.

use super::{checked_ids, headline, verdict_word};
use crate::gate::Verdict;
use crate::output::escape::markup;
use crate::output::prose::{grouping_lines, one_paragraph, site_line};
use crate::output::schema::{CheckReport, JudgedFinding};
use crate::output::values::join_values;

/// The evidence of a failing finding, as plain text for a JUnit failure body.
fn evidence_text(f: &JudgedFinding) -> String {
    let e = &f.finding.evidence;
    let unit = f.finding.unit.as_str();
    let mut lines = vec![
        headline(f),
        format!("why: {}; fingerprint {}", f.reason, f.finding.fingerprint),
    ];
    for s in &e.stacks {
        lines.push(format!(
            "stack {}: {}",
            join_values(&s.values, unit),
            s.name
        ));
    }
    for s in &e.co_growing {
        lines.push(format!(
            "growing with them: {} {}",
            s.name,
            join_values(&s.values, unit)
        ));
    }
    for s in &e.classes {
        lines.push(format!(
            "class {}: {}",
            s.name,
            join_values(&s.values, "objects")
        ));
    }
    for c in &e.creators {
        lines.push(format!(
            "created by {}: {} goroutines from {} distinct creators",
            c.function, c.goroutines, c.distinct_creators
        ));
    }
    for g in &e.retainers {
        let path: Vec<String> = g
            .path
            .iter()
            .map(|s| format!("{} {}", s.node, s.edge).trim().to_string())
            .collect();
        lines.push(format!("retained ×{} by {}", g.objects, path.join(" → ")));
    }
    lines.extend(e.hints.iter().cloned());
    lines.extend(e.code.iter().map(|site| site_line(site, &site.function)));
    lines.push(format!("Fix: {}", one_paragraph(&f.finding.fix)));
    lines.join("\n")
}

/// JUnit XML as Jenkins and GitLab read it: one test case per signature checked, failing when
/// one of its findings fails the policy.
pub fn junit(r: &CheckReport) -> String {
    let ids = checked_ids(r);
    let mut cases = String::new();
    let mut failures = 0;
    for id in &ids {
        let runtime = id.split('.').next().unwrap_or("leakscope");
        let mine: Vec<&JudgedFinding> = r
            .findings
            .iter()
            .filter(|f| f.finding.signature == *id)
            .collect();
        let failing: Vec<&&JudgedFinding> =
            mine.iter().filter(|f| f.verdict == Verdict::Fail).collect();
        let mut inner = String::new();
        if let Some(first) = failing.first() {
            failures += 1;
            let body: Vec<String> = failing.iter().map(|f| evidence_text(f)).collect();
            inner.push_str(&format!(
                "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                markup(&headline(first)),
                first.finding.status.name(),
                markup(&body.join("\n\n"))
            ));
        }
        let notes: Vec<String> = mine
            .iter()
            .filter(|f| f.verdict != Verdict::Fail)
            .map(|f| format!("{}: {}; {}", verdict_word(f.verdict), headline(f), f.reason))
            .collect();
        if !notes.is_empty() {
            inner.push_str(&format!(
                "      <system-out>{}</system-out>\n",
                markup(&notes.join("\n"))
            ));
        }
        let open = format!(
            "    <testcase classname=\"leakscope.{}\" name=\"{}\" time=\"0\"",
            markup(runtime),
            markup(id)
        );
        if inner.is_empty() {
            cases.push_str(&format!("{open}/>\n"));
        } else {
            cases.push_str(&format!("{open}>\n{inner}    </testcase>\n"));
        }
    }
    // Which files formed which series: the suite's own output.
    let grouping = grouping_lines(&r.grouping, &r.inputs);
    let out = if grouping.is_empty() {
        String::new()
    } else {
        format!(
            "    <system-out>{}</system-out>\n",
            markup(&grouping.join("\n"))
        )
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"leakscope check\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"0\">\n{cases}{out}  </testsuite>\n</testsuites>\n",
        ids.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            markup("a<b & \"c\"\u{1}"),
            "a&lt;b &amp; &quot;c&quot;\u{FFFD}"
        );
    }
}
