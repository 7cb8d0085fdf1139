//! What users read. `schema` holds every command's report in the shape its JSON takes; the
//! tables render them for the terminal or as Markdown; `check` holds the CI formats; `report`
//! the postmortem page. Renderers know nothing of input formats or the command line.

pub mod check;
pub mod escape;
pub mod graph;
pub mod markdown;
pub mod names;
pub mod prose;
pub mod report;
pub mod schema;
pub mod table;
pub mod tables;
pub mod values;

use serde::Serialize;

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

/// How a command's report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A table fitted to the terminal.
    Table,
    /// The report's JSON (schema leakscope/1).
    Json,
    /// GitHub-flavoured Markdown.
    Md,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Md => "md",
        }
    }
}

/// Presentation choices that do not change what is reported.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub format: Format,
    pub wide: bool,
    pub full_names: bool,
}

pub fn render(table: &TextTable, style: &Style) -> String {
    match style.format {
        Format::Md => markdown::render(table),
        // Full names are asked for whole: they are not shortened to fit.
        _ => table::render(table, style.wide || style.full_names),
    }
}

pub fn json(report: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(report).expect("reports serialize to JSON");
    text.push('\n');
    text
}
