//! `signatures list` and `signatures show`: the catalogue as a table, as text and as the
//! Markdown of docs/signatures.md.

use crate::detect::{unit_of, Catalogue, Signature};
use crate::output::values::format_value;
use crate::output::TextTable;

/// How an entry with `strict_growth` is judged, said after its threshold.
const STRICT_GROWTH: &str =
    ", judged as generic growth is (what stays piling up, a significant trend)";

/// `signatures list`: one table per runtime and library, in the catalogue's order.
pub fn signature_list(catalogue: &Catalogue) -> Vec<TextTable> {
    let mut groups: Vec<((&str, &str), Vec<&Signature>)> = Vec::new();
    for e in &catalogue.entries {
        let s = &e.signature;
        let key = (s.runtime.as_str(), s.library.as_str());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(s),
            None => groups.push((key, vec![s])),
        }
    }
    let count = groups.len();
    groups
        .into_iter()
        .enumerate()
        .map(|(i, ((runtime, library), members))| {
            let mut heading = Vec::new();
            if i == 0 {
                heading.push(format!(
                    "{} signatures, by runtime and library",
                    catalogue.entries.len()
                ));
                heading.push(String::new());
            }
            heading.push(format!("{runtime}: {library}"));
            TextTable {
                heading,
                headers: vec!["signature".into(), "reads".into()],
                numeric: vec![false, false],
                rows: members
                    .iter()
                    .map(|s| vec![format!("{}\n{}", s.id, s.title), s.profile.noun().into()])
                    .collect(),
                notes: if i + 1 == count {
                    vec![
                        "`leakscope signatures show ID` explains one and says how to fix it."
                            .into(),
                    ]
                } else {
                    vec![String::new()]
                },
            }
        })
        .collect()
}

/// `signatures show ID`: plain text, for a terminal.
pub fn signature_text(s: &Signature) -> String {
    let width = crate::output::table::terminal_width() as usize;
    let mut out = format!("{}\n{}\n\n", s.id, s.title);
    let mut field = |label: &str, value: String| {
        if !value.is_empty() {
            // Each line of a value (one pattern a line) filled to the width under the label.
            let lines: Vec<String> = value
                .lines()
                .map(|line| fill(line.trim_start(), width.saturating_sub(LABEL), LABEL))
                .collect();
            out.push_str(&format!(
                "{label:<LABEL$}{}\n",
                lines.join(&format!("\n{:LABEL$}", ""))
            ));
        }
    };
    field(
        "runtime",
        format!("{} ({}), {}", s.runtime, s.library, s.versions),
    );
    field(
        "reads",
        format!("{}, metric {}", s.profile.plural(), s.metric),
    );
    field("recognised by", s.recognised_by.clone());
    field("markers", s.markers.join("\n              "));
    field("states", s.states.join(", "));
    field("requires", s.require_all.join("\n              "));
    field("unless", s.unless.join("\n              "));
    field("taken off", s.minus.join("\n              "));
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
            .map(|g| {
                format!(
                    "growth of at least {g} {} over a series{}",
                    unit_of(&s.metric),
                    if s.strict_growth { STRICT_GROWTH } else { "" }
                )
            })
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
        fill(&one_line(&s.explanation), width, 0),
        fill(&one_line(&s.fix), width, 0)
    ));
    if !s.references.is_empty() {
        out.push_str("\nReferences\n");
        for r in &s.references {
            out.push_str(&format!("{r}\n"));
        }
    }
    out
}

/// Where a field's value starts in `signatures show`.
const LABEL: usize = 14;

/// A paragraph of the catalogue (wrapped in the TOML) as one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` broken between words into lines of at most `width` characters (a longer word, a
/// pattern or a URL, stays whole), the lines after the first indented by `indent`.
fn fill(text: &str, width: usize, indent: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        } else if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines.join(&format!("\n{:indent$}", ""))
}

/// The catalogue for humans, in Markdown (docs/signatures.md is this text).
pub fn catalogue_markdown(catalogue: &Catalogue) -> String {
    let mut out = String::from(
        "# Leak signature catalogue\n\n\
This page is generated from `src/detect/catalog/*.toml` by `leakscope signatures list --format md`;\n\
a test keeps it in sync. Ids are part of leakscope's interface. Generic findings beside these:\n\
`go.goroutines.growth` (a goroutine stack whose goroutines pile up) and `heap.growth` (an\n\
allocation site or constructor that trends up beyond noise), reported only where no\n\
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
        "- Runtime: {} ({}), {}; reads {}, metric: {}\n",
        s.runtime,
        s.library,
        s.versions,
        s.profile.plural(),
        s.metric
    ));
    out.push_str(&format!("- Recognised by: {}\n", s.recognised_by));
    for (label, list) in [
        ("Marker frames", &s.markers),
        ("Goroutine states", &s.states),
        ("Required frames", &s.require_all),
        ("Not counted when a frame is", &s.unless),
        ("Stacks taken off the count", &s.minus),
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
            "- Reported when the metric grows by at least {g} {} over a series{}\n",
            unit_of(&s.metric),
            if s.strict_growth { STRICT_GROWTH } else { "" }
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
        out.push_str("- One snapshot is proof, at any count\n");
    }
    if let Some(n) = s.suspect_min_count {
        let amount = match unit_of(&s.metric) {
            "bytes" => format_value(n, "bytes"),
            unit => format!("{n} {unit}"),
        };
        let mut rule = format!("- Suspect from one snapshot (or two) with at least {amount}");
        if s.suspect_one_creator {
            rule.push_str(", most started by one goroutine when the dump records creators");
        }
        if !s.suspect_orphaned_from.is_empty() {
            rule.push_str(&format!(
                " that no {} refers to",
                s.suspect_orphaned_from.join(" or ")
            ));
        }
        out.push_str(&rule);
        out.push('\n');
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
