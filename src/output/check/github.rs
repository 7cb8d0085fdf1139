//! GitHub Actions workflow commands: annotations on the run, then the verdict.

use super::{headline, located_sites, verdict_line};
use crate::gate::Verdict;
use crate::output::prose::{grouping_lines, one_paragraph};
use crate::output::schema::CheckReport;

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
        // The annotation sits on the program's own line when the profile names one.
        let place = located_sites(f)
            .into_iter()
            .find(|s| s.own)
            .map_or(String::new(), |s| {
                format!("file={},line={},", github_escape(&s.file, true), s.line)
            });
        out.push_str(&format!(
            "::{command} {place}title={}::{}\n",
            github_escape(&title, true),
            github_escape(&message, false)
        ));
    }
    for line in grouping_lines(&r.grouping, &r.inputs) {
        out.push_str(&line);
        out.push('\n');
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
        assert_eq!(github_escape("50%\nnext", false), "50%25%0Anext");
        assert_eq!(github_escape("a: b, c", true), "a%3A b%2C c");
    }
}
