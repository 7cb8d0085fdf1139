//! Terminal tables (comfy-table), fitted to the terminal or to 80 columns. Names are never
//! split inside: one too long for its column is shortened in the middle (`grpc.(*…).Get`),
//! and `--wide` prints every name whole.

use comfy_table::{presets, Cell, CellAlignment, ContentArrangement, Table, TableComponent};

use super::TextTable;

pub fn render(t: &TextTable, wide: bool) -> String {
    let mut out = String::new();
    let mut table = Table::new();
    // pprof-like: no borders, one rule under the header.
    table.load_preset(presets::NOTHING);
    table.set_style(TableComponent::HeaderLines, '─');
    table.set_style(TableComponent::MiddleHeaderIntersections, '─');
    let width = (!wide).then(terminal_width);
    // The table is laid out here, not by comfy-table: it would cut words at any character.
    table.set_content_arrangement(ContentArrangement::Disabled);
    // Heading lines (inputs, series, the metric) wrap between words; what continues a line is
    // indented under it.
    for line in &t.heading {
        match width {
            Some(width) => out.push_str(&wrap_hanging(line, width as usize)),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    // The widest text column takes what the others leave; its words are fitted to that.
    let key = key_column(t);
    let budget = width.map(|w| key_budget(t, key, w as usize));
    table.set_header(t.headers.iter().map(Cell::new));
    for row in &t.rows {
        table.add_row(row.iter().enumerate().map(|(i, text)| {
            let cell = match budget.filter(|_| Some(i) == key) {
                Some(budget) => Cell::new(wrap_words(&fit_words(text, budget), budget)),
                None => Cell::new(text),
            };
            if t.numeric.get(i).copied().unwrap_or(false) {
                cell.set_alignment(CellAlignment::Right)
            } else {
                cell
            }
        }));
    }
    if !t.rows.is_empty() {
        out.push_str(&table.to_string());
        out.push('\n');
    }
    // Notes are prose: wrapped between words at the width (a word longer than a line, such as
    // a path, stays whole).
    for line in &t.notes {
        match width {
            Some(width) => out.push_str(&wrap_words(line, width as usize)),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// The terminal's columns; 80 when it reports no width, a pseudo-terminal of 0 columns or
/// less than [`MIN_WIDTH`], or output is not a terminal.
pub fn terminal_width() -> u16 {
    Table::new()
        .width()
        .filter(|&w| w >= MIN_WIDTH)
        .unwrap_or(80)
}

/// Narrower terminals than this are taken as unknown.
const MIN_WIDTH: u16 = 40;

/// The key column gets at least this many characters, whatever the others take.
const MIN_KEY_WIDTH: usize = 24;

/// Characters a column takes beyond its content: one space each side, and the (blank)
/// border or column separator before it.
const PADDING: usize = 3;

fn text_width(text: &str) -> usize {
    text.chars().count()
}

/// Widest line of a column, header included.
fn content_width(t: &TextTable, column: usize) -> usize {
    let header = t.headers.get(column).map_or(0, |h| text_width(h));
    t.rows
        .iter()
        .filter_map(|row| row.get(column))
        .flat_map(|cell| cell.lines())
        .map(text_width)
        .max()
        .unwrap_or(0)
        .max(header)
}

/// The column of names: the widest that is not numeric.
fn key_column(t: &TextTable) -> Option<usize> {
    (0..t.headers.len())
        .filter(|&i| !t.numeric.get(i).copied().unwrap_or(false))
        .max_by_key(|&i| (content_width(t, i), std::cmp::Reverse(i)))
}

/// What the key column may take at `width`: the rest after the other columns at their widest.
fn key_budget(t: &TextTable, key: Option<usize>, width: usize) -> usize {
    let others: usize = (0..t.headers.len())
        .filter(|&i| Some(i) != key)
        .map(|i| content_width(t, i) + PADDING)
        .sum();
    // And the border after the last column.
    width
        .saturating_sub(others + PADDING + 1)
        .max(MIN_KEY_WIDTH)
}

/// Every word of `text` no wider than `budget`: longer ones (names) lose their middle, so the
/// table wraps between words and never inside one. A mark of one or two characters before a
/// name (`↑`, `↓`) stays on its line: the name makes room for it.
fn fit_words(text: &str, budget: usize) -> String {
    text.lines()
        .map(|line| {
            let body = line.trim_start_matches(' ');
            let indent = line.len() - body.len();
            let room = budget.saturating_sub(indent).max(MIN_KEY_WIDTH / 2);
            let mark = match body.split_once(' ') {
                Some((first, _)) if text_width(first) <= 2 => text_width(first) + 1,
                _ => 0,
            };
            let words: Vec<String> = body
                .split(' ')
                .enumerate()
                .map(|(i, w)| match i {
                    1 if mark > 0 => shorten_middle(w, room.saturating_sub(mark).max(3)),
                    _ => shorten_middle(w, room),
                })
                .collect();
            format!("{}{}", &line[..indent], words.join(" "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Lines of at most `budget` characters, broken between words (each already fits); a line's
/// indent is kept on the lines it wraps to.
fn wrap_words(text: &str, budget: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines() {
        let body = line.trim_start_matches(' ');
        let indent = &line[..line.len() - body.len()];
        let mut current = indent.to_string();
        for word in body.split(' ') {
            let fresh = current.len() == indent.len();
            if !fresh && text_width(&current) + 1 + text_width(word) > budget {
                lines.push(std::mem::replace(&mut current, indent.to_string()));
            } else if !fresh {
                current.push(' ');
            }
            current.push_str(word);
        }
        lines.push(current);
    }
    lines.join("\n")
}

/// Each line of `text` wrapped between words at `width`; what continues a line is indented two
/// spaces more than it.
pub fn wrap_hanging(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines() {
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        let hang = " ".repeat(indent + 2);
        let mut current = line[..indent].to_string();
        let mut fresh = true;
        for word in body.split(' ') {
            if !fresh && text_width(&current) + 1 + text_width(word) > width {
                lines.push(std::mem::replace(&mut current, hang.clone()));
                fresh = true;
            }
            if !fresh {
                current.push(' ');
            }
            current.push_str(word);
            fresh = false;
        }
        lines.push(current);
    }
    lines.join("\n")
}

/// `word` cut to `budget` characters: first the package path goes (`…/mem.(*Pool).Get`, as
/// pprof shortens names), then the middle (`…`): a third of the start and the rest from the
/// end (the type and function, what tells names apart).
pub fn shorten_middle(word: &str, budget: usize) -> String {
    let n = text_width(word);
    if n <= budget || budget < 3 {
        return word.to_string();
    }
    if let Some(slash) = word.rfind('/') {
        let last = &word[slash + 1..];
        if text_width(last) + 2 <= budget {
            return format!("…/{last}");
        }
        return shorten_middle(last, budget);
    }
    let head = (budget - 1) / 3;
    let tail = budget - 1 - head;
    let chars: Vec<char> = word.chars().collect();
    let mut out: String = chars[..head].iter().collect();
    out.push('…');
    out.extend(&chars[n - tail..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_lines_wrap_between_words_with_a_hanging_indent() {
        let line = "Series: go heap profiles of grpcleaklab: /fixtures/go/conn-leak/a-heap.pb.gz, \
                    /fixtures/go/conn-leak/b-heap.pb.gz";
        let wrapped = wrap_hanging(line, 40);
        assert_eq!(
            wrapped,
            "Series: go heap profiles of grpcleaklab:\n  /fixtures/go/conn-leak/a-heap.pb.gz,\n  \
             /fixtures/go/conn-leak/b-heap.pb.gz"
        );
        assert!(wrapped.lines().all(|l| l.chars().count() <= 40));
        assert_eq!(wrap_hanging("  note: short", 40), "  note: short");
    }

    #[test]
    fn long_names_lose_their_middle_not_their_ends() {
        let name = "google.golang.org/grpc/mem.(*BinaryTieredBufferPool).Get";
        let short = shorten_middle(name, 30);
        assert_eq!(short.chars().count(), 30);
        assert_eq!(short, "mem.(*Bin…ieredBufferPool).Get");
        assert_eq!(
            shorten_middle(name, 36),
            "…/mem.(*BinaryTieredBufferPool).Get",
            "the package path goes first"
        );
        assert_eq!(shorten_middle(name, 20), "mem.(*…fferPool).Get");
        assert_eq!(shorten_middle("main.main", 30), "main.main");
    }

    #[test]
    fn no_name_is_split_at_80_columns() {
        let name = "google.golang.org/grpc/internal/transport.(*http2Client).reader";
        let t = TextTable {
            headers: vec!["flat".into(), "function".into()],
            numeric: vec![true, false],
            rows: vec![vec!["1.5MiB".into(), format!("{name}\ncreated by {name}")]],
            ..TextTable::default()
        };
        let out = render(&t, false);
        for line in out.lines() {
            assert!(line.chars().count() <= 80, "{line}");
            // Every word on the page is a whole word of the input, or its shortened form.
            for word in line.split_whitespace() {
                assert!(
                    ["flat", "function", "1.5MiB", "created", "by", "─"]
                        .iter()
                        .any(|w| word.starts_with(w))
                        || word.contains('…')
                        || word == name,
                    "split word: {word}"
                );
            }
        }
        assert!(render(&t, true).contains(name), "--wide prints names whole");
    }
}
