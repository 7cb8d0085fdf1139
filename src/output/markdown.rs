//! GitHub-flavoured Markdown tables. Every profile-derived string goes into a code span, so
//! names can never become links, emphasis or HTML.

use super::TextTable;

pub fn render(t: &TextTable) -> String {
    let mut out = String::new();
    for (i, line) in t.heading.iter().enumerate() {
        if i == 0 {
            out.push_str("### ");
            out.push_str(&escape_text(line));
        } else {
            out.push_str(&escape_text(line));
        }
        out.push_str("\n\n");
    }
    if !t.rows.is_empty() {
        out.push('|');
        for h in &t.headers {
            out.push(' ');
            out.push_str(&escape_text(h));
            out.push_str(" |");
        }
        out.push_str("\n|");
        for i in 0..t.headers.len() {
            out.push_str(if t.numeric.get(i).copied().unwrap_or(false) {
                "---:|"
            } else {
                "---|"
            });
        }
        out.push('\n');
        for row in &t.rows {
            out.push('|');
            for (i, cell) in row.iter().enumerate() {
                out.push(' ');
                let numeric = t.numeric.get(i).copied().unwrap_or(false);
                let lines: Vec<String> = cell
                    .lines()
                    .map(|l| {
                        if numeric {
                            escape_text(l)
                        } else {
                            code_span(l)
                        }
                    })
                    .collect();
                out.push_str(&lines.join("<br>"));
                out.push_str(" |");
            }
            out.push('\n');
        }
        out.push('\n');
    }
    for line in &t.notes {
        out.push_str(&escape_text(line));
        out.push_str("\n\n");
    }
    out
}

/// A code span that holds `text` literally: fenced with one more backtick than the longest
/// run inside it, and `|` escaped for table cells.
pub fn code_span(text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    let text = text.replace('|', "\\|").replace(['\n', '\r'], " ");
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Plain text with Markdown and HTML metacharacters escaped, on one line.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_stay_literal() {
        assert_eq!(code_span("a|b"), "`a\\|b`");
        assert_eq!(code_span("x`y"), "``x`y``");
        assert_eq!(code_span("`x"), "`` `x ``");
        assert_eq!(escape_text("[a](b) <img>"), "\\[a\\](b) \\<img\\>");
        assert_eq!(escape_text("&lt;\n# x"), "\\&lt; \\# x");
        assert_eq!(code_span("a\nb"), "`a b`");
    }
}
