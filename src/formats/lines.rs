//! Line iteration over a byte buffer for the text formats: line numbers and byte offsets for
//! error messages, no UTF-8 requirement (names are decoded lossily where they are kept).

/// One line without its terminator (`\n` or `\r\n`).
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// 1-based.
    pub number: u64,
    /// Offset of the line's first byte.
    pub offset: u64,
    pub text: &'a [u8],
    /// False for a last line that the input cut off before its newline.
    pub terminated: bool,
}

pub struct Lines<'a> {
    bytes: &'a [u8],
    position: usize,
    number: u64,
}

impl<'a> Lines<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Lines {
            bytes,
            position: 0,
            number: 0,
        }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    fn next(&mut self) -> Option<Line<'a>> {
        if self.position >= self.bytes.len() {
            return None;
        }
        let start = self.position;
        let rest = &self.bytes[start..];
        let (mut text, terminated) = match memchr::memchr(b'\n', rest) {
            Some(end) => {
                self.position = start + end + 1;
                (&rest[..end], true)
            }
            None => {
                self.position = self.bytes.len();
                (rest, false)
            }
        };
        if let Some(stripped) = text.strip_suffix(b"\r") {
            text = stripped;
        }
        self.number += 1;
        Some(Line {
            number: self.number,
            offset: start as u64,
            text,
            terminated,
        })
    }
}

/// Text of a line for use in names and messages.
pub fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// A short, printable excerpt of `bytes` for error messages.
pub fn excerpt(bytes: &[u8]) -> String {
    const MAX: usize = 60;
    let cut = &bytes[..bytes.len().min(MAX)];
    let mut s: String = String::from_utf8_lossy(cut)
        .chars()
        .map(|c| if c.is_control() && c != '\t' { '.' } else { c })
        .collect();
    if bytes.len() > MAX {
        s.push('…');
    }
    s
}

/// Parses an unsigned decimal that must fit 64 bits.
pub fn parse_u64(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || bytes.len() > 20 {
        return None;
    }
    let mut value: u64 = 0;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(value)
}

/// Parses a signed decimal that must fit 64 bits.
pub fn parse_i64(bytes: &[u8]) -> Option<i64> {
    match bytes.strip_prefix(b"-") {
        Some(rest) => parse_u64(rest).and_then(|v| 0i64.checked_sub_unsigned(v)),
        None => parse_u64(bytes).and_then(|v| i64::try_from(v).ok()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_numbers_offsets_and_cut_last_line() {
        let lines: Vec<_> = Lines::new(b"a\r\nbb\n\nccc").collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[1].text, b"bb");
        assert_eq!(lines[1].offset, 3);
        assert_eq!(lines[3].number, 4);
        assert!(!lines[3].terminated);
        assert!(lines[2].terminated);
    }

    #[test]
    fn numbers_reject_overflow_and_junk() {
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"18446744073709551616"), None);
        assert_eq!(parse_u64(b"12a"), None);
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775808"), None);
    }
}
