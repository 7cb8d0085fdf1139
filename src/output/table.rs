//! Terminal tables (comfy-table), fitted to the terminal or to 80 columns.

use comfy_table::{
    presets, Cell, CellAlignment, ColumnConstraint, ContentArrangement, Table, TableComponent,
};

use super::TextTable;

pub fn render(t: &TextTable, wide: bool) -> String {
    let mut out = String::new();
    for line in &t.heading {
        out.push_str(line);
        out.push('\n');
    }
    let mut table = Table::new();
    // pprof-like: no borders, one rule under the header.
    table.load_preset(presets::NOTHING);
    table.set_style(TableComponent::HeaderLines, '─');
    table.set_style(TableComponent::MiddleHeaderIntersections, '─');
    if wide {
        table.set_content_arrangement(ContentArrangement::Disabled);
    } else {
        table.set_content_arrangement(ContentArrangement::Dynamic);
        if !table.is_tty() {
            table.set_width(80);
        }
    }
    table.set_header(t.headers.iter().map(Cell::new));
    for row in &t.rows {
        table.add_row(row.iter().enumerate().map(|(i, text)| {
            let cell = Cell::new(text);
            if t.numeric.get(i).copied().unwrap_or(false) {
                cell.set_alignment(CellAlignment::Right)
            } else {
                cell
            }
        }));
    }
    // Numbers keep their width; the key column (what the reader scans) takes what is left.
    for (i, numeric) in t.numeric.iter().enumerate() {
        if let (true, Some(column)) = (*numeric, table.column_mut(i)) {
            column.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
    if !t.rows.is_empty() {
        out.push_str(&table.to_string());
        out.push('\n');
    }
    for line in &t.notes {
        out.push_str(line);
        out.push('\n');
    }
    out
}
