//! The house rules of `src/lib.rs`, checked on the code: which layer may name which. A layer
//! names another by a `crate::layer` path (in a `use` line or inline); `super::` stays inside a
//! layer. The rules:
//!
//! - `model` names nothing of the crate but `error`, `progress` and `parallel`, the ground
//!   floor everyone may use;
//! - `formats` and `analysis` name only `model` (and `error`);
//! - `detect` never names `output`, `app` or `cli`;
//! - `gate` never names `output`, `app` or `cli`;
//! - `output` never names `cli`, `app` or `formats`, nor a module inside `detect` (only what
//!   `detect` exports at its top);
//! - only `cli` and `app` know clap.

use std::path::{Path, PathBuf};

/// The layers a file's top folder (or file) may not name.
fn forbidden(layer: &str) -> &'static [&'static str] {
    const ALL_ABOVE_MODEL: &[&str] = &[
        "formats", "analysis", "detect", "gate", "output", "app", "cli",
    ];
    match layer {
        "model" => ALL_ABOVE_MODEL,
        "formats" => &["analysis", "detect", "gate", "output", "app", "cli"],
        "analysis" => &["formats", "detect", "gate", "output", "app", "cli"],
        "detect" | "gate" => &["output", "app", "cli"],
        "output" => &["cli", "app", "formats"],
        "error" | "progress" | "parallel" => ALL_ABOVE_MODEL,
        _ => &[],
    }
}

fn knows_clap(layer: &str) -> bool {
    matches!(layer, "cli" | "app" | "main.rs")
}

/// Every rule a file's source breaks, as `path:line: what`.
fn violations(layer: &str, path: &str, source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (number, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let at = |what: String| format!("{path}:{}: {what}: {}", number + 1, line.trim());
        for other in forbidden(layer) {
            if names(code, &format!("crate::{other}")) {
                found.push(at(format!("{layer} names {other}")));
            }
        }
        if layer == "output" && names_inside(code, "crate::detect::") {
            found.push(at("output names a module inside detect".into()));
        }
        if !knows_clap(layer) && code.contains("clap::") {
            found.push(at(format!("{layer} knows clap")));
        }
    }
    found
}

/// Whether `code` names the path `prefix` (as a whole path segment).
fn names(code: &str, prefix: &str) -> bool {
    code.match_indices(prefix).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + prefix.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// Whether `code` names a lower-case module below `prefix` (`crate::detect::stack_signatures::`),
/// as a path or inside a `use crate::detect::{module::Item}` group.
fn names_inside(code: &str, prefix: &str) -> bool {
    code.match_indices(prefix).any(|(at, _)| {
        let rest = &code[at + prefix.len()..];
        let rest = rest.trim_start_matches('{');
        rest.split([',', '}']).map(str::trim).any(|item| {
            let segment: String = item
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            item[segment.len()..].starts_with("::")
                && segment.chars().next().is_some_and(|c| c.is_lowercase())
        })
    })
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn layers_name_only_what_is_below_them() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 20, "the source tree was found");
    let mut found = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let first = first.to_string_lossy();
        let layer = first.strip_suffix(".rs").unwrap_or(&first);
        let layer = if layer == "main" { "main.rs" } else { layer };
        let source = std::fs::read_to_string(file).unwrap();
        found.extend(violations(layer, &relative.display().to_string(), &source));
    }
    assert!(found.is_empty(), "layering broken:\n{}", found.join("\n"));
}

#[test]
fn the_checker_sees_a_forbidden_use() {
    let bad = [
        ("model", "use crate::formats::Format;"),
        ("analysis", "use crate::output::Style;"),
        ("analysis", "    let x = crate::detect::scan(&inputs);"),
        ("formats", "#[derive(clap::ValueEnum)]"),
        ("detect", "use crate::output::names::short_function;"),
        ("output", "use crate::cli::OutputFormat;"),
        ("output", "use crate::detect::stack_growth::StackMatch;"),
        (
            "output",
            "use crate::detect::{Catalogue, catalogue::Signature};",
        ),
        ("gate", "use crate::app::io;"),
    ];
    for (layer, line) in bad {
        assert_eq!(
            violations(layer, "x.rs", line).len(),
            1,
            "{layer}: `{line}` should break a rule"
        );
    }
    let fine = [
        ("analysis", "use crate::model::HeapGraph;"),
        ("output", "use crate::detect::{Catalogue, Signature};"),
        ("output", "use crate::gate::Verdict;"),
        ("app", "use clap::ValueEnum;"),
        ("detect", "// crate::output is above us"),
        ("analysis", "use crate::outputs_elsewhere::Y;"),
    ];
    for (layer, line) in fine {
        assert!(
            violations(layer, "x.rs", line).is_empty(),
            "{layer}: `{line}` breaks no rule"
        );
    }
}
