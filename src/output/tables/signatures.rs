//! `signatures list` and `signatures show`: the catalogue as a table, as text and as the
//! Markdown of docs/signatures.md.

use crate::detect::{unit_of, Catalogue, Signature};
use crate::output::values::format_value;
use crate::output::TextTable;

/// `signatures list`.
pub fn signature_list(catalogue: &Catalogue) -> TextTable {
    TextTable {
        heading: vec![format!("{} signatures", catalogue.entries.len())],
        headers: vec!["signature".into(), "reads".into()],
        numeric: vec![false, false],
        rows: catalogue
            .entries
            .iter()
            .map(|e| {
                let s = &e.signature;
                vec![format!("{}\n{}", s.id, s.title), s.profile.noun().into()]
            })
            .collect(),
        notes: vec!["`leakscope signatures show ID` explains one and says how to fix it.".into()],
    }
}

/// `signatures show ID`: plain text, for a terminal.
pub fn signature_text(s: &Signature) -> String {
    let mut out = format!("{}\n{}\n\n", s.id, s.title);
    let mut field = |label: &str, value: String| {
        if !value.is_empty() {
            out.push_str(&format!("{label:<14}{value}\n"));
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
    field("requires", s.require_all.join("\n              "));
    field("not counted", s.minus.join("\n              "));
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
            .map(|g| format!("growth of at least {g} over a series"))
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
        s.explanation.trim(),
        s.fix.trim()
    ));
    if !s.references.is_empty() {
        out.push_str("\nReferences\n");
        for r in &s.references {
            out.push_str(&format!("{r}\n"));
        }
    }
    out
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
        ("Required frames", &s.require_all),
        ("Not counted (still read)", &s.minus),
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
            "- Reported when the metric grows by at least {g} over a series\n"
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
