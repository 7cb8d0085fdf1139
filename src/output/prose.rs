//! Catalogue prose as outputs print it.

/// Catalogue text is wrapped in its TOML; tables, annotations and reports wrap it themselves.
pub fn one_paragraph(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
