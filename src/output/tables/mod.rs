//! Reports as tables, for the terminal or as Markdown: one file per command holds its columns
//! and wording; this file holds what several of them share (key cells, input lines, the notes
//! every table ends with) so that all commands word these the same way.

mod diff;
mod list;
mod object_tree;
mod peek;
mod retainers;
mod scan;
mod series;
mod signatures;
mod top;
mod traces;

pub use diff::{diff, heap_diff};
pub use list::list;
pub use object_tree::object_tree;
pub use peek::peek;
pub use retainers::{path_lines, retainers};
pub use scan::scan;
pub use series::{heap_series, series};
pub use signatures::{catalogue_markdown, signature_list, signature_markdown, signature_text};
pub use top::{heap_top, top};
pub use traces::traces;

use super::names::{display_key, stack_lines};
use super::{Style, TextTable};
use crate::output::schema::InputInfo;

/// Frames shown per stack row in tables.
const STACK_LINES: usize = 8;

fn key_lines(key: &str, by: &str, style: &Style) -> Vec<String> {
    match by {
        "stack" => stack_lines(key, style.full_names, STACK_LINES),
        "function" => vec![display_key(key, style.full_names)],
        _ => vec![key.to_string()],
    }
}

fn describe_input(input: &InputInfo) -> String {
    let mut line = if input.kind == "heap-snapshot" {
        format!("{}: V8 heap snapshot", input.path)
    } else {
        format!("{}: {} profile ({})", input.path, input.kind, input.format)
    };
    if let Some(n) = input.leaked_goroutines {
        line.push_str(&format!(
            ", {n} goroutines marked (leaked) by the Go runtime"
        ));
    }
    line
}

/// The readers' warnings, each once: one that several inputs share names the first and
/// counts the others.
fn warnings(inputs: &[&InputInfo]) -> Vec<String> {
    let mut seen: Vec<(&str, Vec<&str>)> = Vec::new();
    for input in inputs {
        for w in &input.warnings {
            match seen.iter_mut().find(|(text, _)| text == w) {
                Some((_, paths)) => paths.push(&input.path),
                None => seen.push((w, vec![&input.path])),
            }
        }
    }
    seen.into_iter()
        .map(|(w, paths)| match paths.as_slice() {
            [one] => format!("warning: {one}: {w}"),
            [first, rest @ ..] => format!("warning: {first} and {} more inputs: {w}", rest.len()),
            [] => unreachable!("a warning comes from an input"),
        })
        .collect()
}

fn cut_note(shown: usize, all: usize) -> Option<String> {
    (shown < all).then(|| match all - shown {
        1 => "1 more row not shown (use -n 0 for all)".to_string(),
        n => format!("{n} more rows not shown (use -n 0 for all)"),
    })
}

/// How heap snapshot rows are ranked, when the program's constructors come first.
fn specific_first_note(specific: Option<usize>, rows: usize, order: &str) -> Option<String> {
    let specific = specific.filter(|&n| n < rows)?;
    Some(format!(
        "The program's and libraries' constructors come first ({specific}), {order}, then \
         V8's categories and plain containers ({}); --all-classes ranks all together.",
        rows - specific
    ))
}

/// A table with the notes every view ends with: rows cut by `-n`, then input warnings.
fn assemble(
    heading: Vec<String>,
    headers: &[&str],
    numeric: &[bool],
    rows: Vec<Vec<String>>,
    (shown, all): (usize, usize),
    inputs: &[&InputInfo],
) -> TextTable {
    let mut notes: Vec<String> = cut_note(shown, all).into_iter().collect();
    notes.extend(warnings(inputs));
    TextTable {
        heading,
        headers: headers.iter().map(|h| h.to_string()).collect(),
        numeric: numeric.to_vec(),
        rows,
        notes,
    }
}

/// Rows the user asked for: `-n`, default 20 for tables and all for JSON; 0 means all.
pub fn limit<T>(rows: &mut Vec<T>, requested: Option<usize>, json: bool) {
    let n = match requested {
        Some(0) => return,
        Some(n) => n,
        None if json => return,
        None => 20,
    };
    rows.truncate(n);
}
