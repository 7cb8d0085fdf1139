//! Decides an input's format from its first bytes (after gunzip), never from its name.

use crate::formats::{
    go_heap_text, goroutine_text, goroutine_traceback, jemalloc, pprof, v8_snapshot,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// pprof protobuf (profile.proto).
    Pprof,
    /// Go goroutine profile text, debug=1.
    GoroutineText,
    /// Go goroutine traceback: debug=2, panic and SIGQUIT output.
    GoroutineTraceback,
    /// Go legacy heap profile text, debug=1.
    GoHeapText,
    /// V8 `.heapsnapshot` JSON.
    V8HeapSnapshot,
    /// jemalloc `heap_v2` text dump.
    JemallocHeap,
}

impl Format {
    /// The stable name used in JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Format::Pprof => "pprof",
            Format::GoroutineText => "goroutine-text",
            Format::GoroutineTraceback => "goroutine-traceback",
            Format::GoHeapText => "go-heap-text",
            Format::V8HeapSnapshot => "v8-heapsnapshot",
            Format::JemallocHeap => "jemalloc-heap",
        }
    }
}

/// How many leading bytes the sniffer looks at.
pub const SNIFF_LEN: usize = 64 << 10;

pub fn sniff(head: &[u8]) -> Option<Format> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = {
        let start = head
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(head.len());
        &head[start..]
    };
    if goroutine_text::looks_like(text) {
        Some(Format::GoroutineText)
    } else if go_heap_text::looks_like(text) {
        Some(Format::GoHeapText)
    } else if jemalloc::looks_like(text) {
        Some(Format::JemallocHeap)
    } else if v8_snapshot::looks_like(text) {
        Some(Format::V8HeapSnapshot)
    } else if goroutine_traceback::looks_like(head) {
        Some(Format::GoroutineTraceback)
    } else if pprof::looks_like(head) && has_binary_bytes(head) {
        Some(Format::Pprof)
    } else {
        None
    }
}

/// Protobuf varints and tags put bytes below 0x09 in any real message (a ValueType starts with
/// tag 0x08); text never has them.
fn has_binary_bytes(head: &[u8]) -> bool {
    head.iter().any(|&b| b < 0x09 || (0x0e..0x20).contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_go_format_by_content() {
        assert_eq!(
            sniff(b"goroutine profile: total 3\n"),
            Some(Format::GoroutineText)
        );
        assert_eq!(
            sniff(b"goroutineleak profile: total 3\n"),
            Some(Format::GoroutineText)
        );
        assert_eq!(
            sniff(b"heap profile: 1: 2 [3: 4] @ heap/1024\n"),
            Some(Format::GoHeapText)
        );
        assert_eq!(
            sniff(b"goroutine 1 [running]:\nmain.main()\n"),
            Some(Format::GoroutineTraceback)
        );
        assert_eq!(
            sniff(b"panic: oops\n\ngoroutine 1 [running]:\nmain.main()\n"),
            Some(Format::GoroutineTraceback)
        );
        assert_eq!(sniff(b"\x0a\x04\x08\x01\x10\x02"), Some(Format::Pprof));
        assert_eq!(sniff(b"hello world"), None);
        assert_eq!(sniff(b""), None);
    }
}
