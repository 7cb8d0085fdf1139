//! Output: every report becomes a `TextTable` (rendered as a terminal table or Markdown) or
//! JSON. Renderers know nothing of file formats.

pub mod ci;
pub mod escape;
pub mod markdown;
pub mod names;
pub mod table;
pub mod units;
pub mod views;

use serde::Serialize;

use crate::cli::OutputFormat;

/// A titled table with notes: the common shape of terminal and Markdown output.
#[derive(Debug, Clone, Default)]
pub struct TextTable {
    /// Lines printed above the table.
    pub heading: Vec<String>,
    pub headers: Vec<String>,
    /// Right-align this column (numbers).
    pub numeric: Vec<bool>,
    /// Cells; a cell may hold several lines (the first is the key, the rest detail).
    pub rows: Vec<Vec<String>>,
    /// Lines printed below the table (row cut-offs, warnings).
    pub notes: Vec<String>,
}

/// Presentation choices that do not change what is reported.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub format: OutputFormat,
    pub wide: bool,
    pub full_names: bool,
}

pub fn render(table: &TextTable, style: &Style) -> String {
    match style.format {
        OutputFormat::Md => markdown::render(table),
        _ => table::render(table, style.wide),
    }
}

pub fn json(report: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(report).expect("reports serialize to JSON");
    text.push('\n');
    text
}
