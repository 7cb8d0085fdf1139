//! `check` output for people and for CI systems: a verdict-first text, Markdown, JUnit XML,
//! SARIF 2.1.0 and GitHub Actions workflow commands.

use serde_json::{json, Value};

use super::escape::markup;
use super::markdown::{code_span, escape_text};
use super::units::{join_values, one_paragraph};
use crate::detect::Catalogue;
use crate::detect::GENERIC_SIGNATURES;
use crate::gate::Verdict;
use crate::output::schema::{CheckReport, JudgedFinding};

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
            "leakscope check: PASS, no leak regression in {} inputs{}",
            r.inputs.len(),
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

pub fn text(r: &CheckReport) -> String {
    let mut out = verdict_line(r);
    out.push('\n');
    for f in &r.findings {
        out.push_str(&format!(
            "{:<4} {}\n     {}; fingerprint {}\n",
            verdict_word(f.verdict),
            headline(f),
            f.reason,
            f.finding.fingerprint
        ));
        if f.verdict != Verdict::Pass {
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

pub fn markdown(r: &CheckReport) -> String {
    let mut out = format!("### {}\n\n", escape_text(&verdict_line(r)));
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
            "\n#### {}\n\n{}\n\n**Fix.** {}\n\nFingerprint {}\n",
            code_span(&f.finding.signature),
            escape_text(&one_paragraph(&f.finding.explanation)),
            escape_text(&one_paragraph(&f.finding.fix)),
            code_span(&f.finding.fingerprint)
        ));
    }
    out
}

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
    lines.push(format!("Fix: {}", one_paragraph(&f.finding.fix)));
    lines.join("\n")
}

/// Every signature checked: the catalogue's and the generic ones.
fn checked_ids(r: &CheckReport) -> Vec<&str> {
    let mut ids: Vec<&str> = r.signatures_checked.iter().map(String::as_str).collect();
    for generic in GENERIC_SIGNATURES {
        if !ids.contains(&generic) {
            ids.push(generic);
        }
    }
    ids
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
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"leakscope check\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"0\">\n{cases}  </testsuite>\n</testsuites>\n",
        ids.len()
    )
}

/// A relative path as a URI reference: forward slashes, reserved characters escaped.
fn uri_reference(path: &str) -> String {
    let mut out = String::new();
    for b in path.replace('\\', "/").bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// SARIF 2.1.0: one result per finding; rules carry the catalogue's title, explanation and fix.
pub fn sarif(r: &CheckReport, catalogue: &Catalogue) -> String {
    let ids = checked_ids(r);
    let rules: Vec<Value> = ids
        .iter()
        .map(|id| match catalogue.get(id) {
            Some(e) => {
                let s = &e.signature;
                let mut rule = json!({
                    "id": s.id,
                    "shortDescription": {"text": s.title},
                    "fullDescription": {"text": one_paragraph(&s.explanation)},
                    "help": {"text": one_paragraph(&s.fix)},
                    "properties": {"runtime": s.runtime, "library": s.library, "versions": s.versions},
                });
                if let Some(uri) = s.references.first() {
                    rule["helpUri"] = json!(uri);
                }
                rule
            }
            None => {
                let title = r
                    .findings
                    .iter()
                    .find(|f| f.finding.signature == *id)
                    .map(|f| f.finding.title.clone())
                    .unwrap_or_else(|| format!("generic growth: {id}"));
                json!({"id": id, "shortDescription": {"text": title}})
            }
        })
        .collect();
    let results: Vec<Value> = r
        .findings
        .iter()
        .map(|f| {
            let level = match f.verdict {
                Verdict::Fail => "error",
                Verdict::Warn => "warning",
                Verdict::Pass => "note",
            };
            let last_input = f
                .finding
                .inputs
                .last()
                .and_then(|&i| r.inputs.get(i))
                .map(|i| i.path.as_str())
                .unwrap_or("");
            let mut result = json!({
                "ruleId": f.finding.signature,
                "ruleIndex": ids.iter().position(|id| *id == f.finding.signature),
                "level": level,
                "message": {"text": format!("{}. {}", headline(f), f.reason)},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri_reference(last_input)}}}],
                "partialFingerprints": {"leakscope/v1": f.finding.fingerprint},
                "properties": {"status": f.finding.status, "series": f.finding.series, "metric": f.finding.metric},
            });
            if r.baseline.is_some() {
                result["baselineState"] = json!(if f.known { "unchanged" } else { "new" });
            }
            if f.verdict == Verdict::Pass && f.reason.starts_with("allowed") {
                result["suppressions"] = json!([{"kind": "external", "justification": f.reason}]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "leakscope",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).expect("SARIF serializes");
    text.push('\n');
    text
}

/// Escapes a workflow command's message (`%`, CR, LF) and, for properties, `:` and `,`.
fn github_escape(text: &str, property: bool) -> String {
    let mut out = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

/// GitHub Actions workflow commands: an error or warning annotation per finding that fails or
/// warns, then the verdict.
pub fn github(r: &CheckReport) -> String {
    let mut out = String::new();
    for f in &r.findings {
        let command = match f.verdict {
            Verdict::Fail => "error",
            Verdict::Warn => "warning",
            Verdict::Pass => "notice",
        };
        let title = format!("leakscope: {}", f.finding.signature);
        let message = format!(
            "{}\n{}; fingerprint {}\nFix: {}",
            headline(f),
            f.reason,
            f.finding.fingerprint,
            one_paragraph(&f.finding.fix)
        );
        out.push_str(&format!(
            "::{command} title={}::{}\n",
            github_escape(&title, true),
            github_escape(&message, false)
        ));
    }
    out.push_str(&verdict_line(r));
    out.push('\n');
    out
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
        assert_eq!(uri_reference("runs/a b/x%.pb.gz"), "runs/a%20b/x%25.pb.gz");
        assert_eq!(github_escape("50%\nnext", false), "50%25%0Anext");
        assert_eq!(github_escape("a: b, c", true), "a%3A b%2C c");
    }
}
