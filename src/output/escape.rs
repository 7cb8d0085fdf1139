//! Escaping for markup: HTML text and attribute values, SVG inside HTML, and XML (JUnit).
//! Every string a profile supplied goes through here.

/// `&`, `<`, `>` and both quotes as references; control characters that neither HTML nor
/// XML 1.0 may carry become U+FFFD.
pub fn markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => out.push('\u{FFFD}'),
            c if ('\u{7f}'..='\u{9f}').contains(&c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_becomes_text() {
        assert_eq!(
            super::markup("</script><img src=x onerror='a()'>&\u{0}"),
            "&lt;/script&gt;&lt;img src=x onerror=&#39;a()&#39;&gt;&amp;\u{FFFD}"
        );
    }
}
