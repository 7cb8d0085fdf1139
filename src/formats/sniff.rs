//! Decides an input's format from its first bytes (after gunzip), never from its name.

use crate::formats::{Reader, READERS};
use crate::model::Format;

/// How many leading bytes the sniffer looks at.
pub const SNIFF_LEN: usize = 64 << 10;

/// The reader of the input whose first bytes are `head`: the first in `READERS` to claim it.
pub fn reader_for(head: &[u8]) -> Option<&'static dyn Reader> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = {
        let start = head
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(head.len());
        &head[start..]
    };
    READERS.iter().copied().find(|r| r.looks_like(head, text))
}

pub fn sniff(head: &[u8]) -> Option<Format> {
    reader_for(head).map(|r| r.format())
}

/// Protobuf varints and tags put bytes below 0x09 in any real message (a ValueType starts with
/// tag 0x08); text never has them.
pub(super) fn has_binary_bytes(head: &[u8]) -> bool {
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
