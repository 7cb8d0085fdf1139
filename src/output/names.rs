//! Short function names for tables: the package path up to its last `/` is dropped, so
//! `google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run` reads
//! `grpcsync.(*CallbackSerializer).run`.

pub use crate::analysis::keys::short_function;

/// A `;`-separated stack key (root first) as lines, leaf first, at most `max` of them.
pub fn stack_lines(key: &str, full: bool, max: usize) -> Vec<String> {
    let frames: Vec<&str> = key.rsplit(';').collect();
    let mut lines: Vec<String> = frames
        .iter()
        .take(max)
        .map(|f| {
            if full {
                f.to_string()
            } else {
                short_function(f).to_string()
            }
        })
        .collect();
    if frames.len() > max {
        lines.push(format!("… {} more frames", frames.len() - max));
    }
    lines
}

pub fn display_key(key: &str, full: bool) -> String {
    if full {
        key.to_string()
    } else {
        short_function(key).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortens_package_paths_only() {
        assert_eq!(
            short_function("google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run"),
            "grpcsync.(*CallbackSerializer).run"
        );
        assert_eq!(short_function("main.main"), "main.main");
        assert_eq!(
            short_function("net/http.(*conn).serve"),
            "http.(*conn).serve"
        );
        assert_eq!(short_function("a.F[b/c.T]"), "a.F[b/c.T]");
        assert_eq!(
            stack_lines("main.main;a/b.f;c.g", false, 2),
            ["c.g", "b.f", "… 1 more frames"]
        );
    }
}
