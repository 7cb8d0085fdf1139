//! SARIF 2.1.0, for code-scanning dashboards.

use serde_json::{json, Value};

use super::{checked_ids, headline, located_sites};
use crate::detect::Catalogue;
use crate::gate::Verdict;
use crate::model::CodeSite;
use crate::output::prose::{grouping_lines, one_paragraph};
use crate::output::schema::CheckReport;

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

/// A code site as a SARIF location: file, line, and what it is.
fn source_location(s: &CodeSite) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri_reference(&s.file)},
            "region": {"startLine": s.line},
        },
        "message": {"text": format!("{} {}", s.role.words(), s.function)},
    })
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
            let profile = json!({
                "physicalLocation": {"artifactLocation": {"uri": uri_reference(last_input)}},
                "message": {"text": "the profile that shows it"},
            });
            // Code-scanning views point at the first line of the program's own code; the
            // other sites and the profile itself go along as related locations.
            // A result sits on the program's own line; library code and the profile follow.
            let located = located_sites(f);
            let own = located.first().is_some_and(|s| s.own);
            let mut sites: Vec<Value> = located.into_iter().map(source_location).collect();
            let locations = if own {
                let primary = sites.remove(0);
                sites.push(profile);
                vec![primary]
            } else {
                vec![profile]
            };
            let mut result = json!({
                "ruleId": f.finding.signature,
                "ruleIndex": ids.iter().position(|id| *id == f.finding.signature),
                "level": level,
                "message": {"text": format!("{}. {}", headline(f), f.reason)},
                "locations": locations,
                "partialFingerprints": {"leakscope/v1": f.finding.fingerprint},
                "properties": {"status": f.finding.status, "series": f.finding.series, "metric": f.finding.metric},
            });
            if !sites.is_empty() {
                for (id, site) in sites.iter_mut().enumerate() {
                    site["id"] = json!(id);
                }
                result["relatedLocations"] = json!(sites);
            }
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
            "properties": {"series": grouping_lines(&r.grouping, &r.inputs)},
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).expect("SARIF serializes");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(uri_reference("runs/a b/x%.pb.gz"), "runs/a%20b/x%25.pb.gz");
    }
}
