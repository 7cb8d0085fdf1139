//! The record layout shared by Go's `debug=1` text profiles (goroutine, goroutineleak, heap):
//!
//! ```text
//! <values> @ 0xpc 0xpc ...
//! # labels: {"key":"value"}
//! #    0xpc    pkg.function+0xoff    /path/file.go:123
//! ```
//!
//! (The gaps in `#` lines are tabs.) Frames without a `#` line are runtime-internal PCs that Go
//! does not symbolize here.

use crate::error::FormatError;
use crate::formats::lines::{excerpt, Line, Lines};
use crate::model::{Labels, ProfileBuilder};

/// Reads every record after the header line into `builder`. `parse_values` turns the part of
/// a record line before ` @ ` into one value per sample type.
pub fn read_records(
    lines: &mut Lines<'_>,
    builder: &mut ProfileBuilder,
    mut parse_values: impl FnMut(&[u8], &Line<'_>) -> Result<Vec<i64>, FormatError>,
) -> Result<(), FormatError> {
    let mut current: Option<(Vec<i64>, Labels, Vec<u32>)> = None;
    let flush = |builder: &mut ProfileBuilder, record: Option<(Vec<i64>, Labels, Vec<u32>)>| {
        if let Some((values, labels, frames)) = record {
            let stack = builder.intern_stack(&frames);
            let labels = builder.intern_labels(labels);
            builder.add_sample(stack, labels, &values);
        }
    };
    for line in lines {
        let t = line.text;
        if t.is_empty() {
            continue;
        }
        if let Some(rest) = t.strip_prefix(b"#") {
            let Some((_, labels, frames)) = current.as_mut() else {
                // Comments before the first record or after the last one (heap profiles end
                // with `# runtime.MemStats` lines).
                continue;
            };
            if let Some(json) = rest.strip_prefix(b" labels: ") {
                *labels = parse_labels(json, &line)?;
            } else if rest.first() == Some(&b'\t') {
                frames.push(parse_frame(rest, &line, builder)?);
            }
            continue;
        }
        let Some(at) =
            memchr::memmem::find(t, b" @ ").or_else(|| t.strip_suffix(b" @").map(|s| s.len()))
        else {
            return Err(FormatError::at_line(
                line.number,
                format!(
                    "expected a record `<count> @ <addresses>`, found `{}`",
                    excerpt(t)
                ),
            ));
        };
        let values = parse_values(&t[..at], &line)?;
        flush(builder, current.take());
        current = Some((values, Vec::new(), Vec::new()));
    }
    flush(builder, current.take());
    Ok(())
}

/// `#\t0x7f6a0d\tpkg.(*T).method+0xed\t/path/file.go:114` (the fields are padded with more tabs).
fn parse_frame(
    rest: &[u8],
    line: &Line<'_>,
    builder: &mut ProfileBuilder,
) -> Result<u32, FormatError> {
    let mut fields = rest.split(|&b| b == b'\t').filter(|f| !f.is_empty());
    let (Some(_pc), Some(function), location) = (fields.next(), fields.next(), fields.next())
    else {
        return Err(FormatError::at_line(
            line.number,
            format!("malformed frame line `#{}`", excerpt(rest)),
        ));
    };
    let function = strip_pc_offset(function);
    let (file, line_number) = match location {
        Some(loc) => split_file_line(loc),
        None => (&b""[..], 0),
    };
    let function = builder.intern_function_bytes(function, file);
    Ok(builder.intern_frame(function, line_number))
}

/// `pkg.f+0x1d` -> `pkg.f`.
fn strip_pc_offset(function: &[u8]) -> &[u8] {
    match memchr::memrchr(b'+', function) {
        Some(plus) if function[plus + 1..].starts_with(b"0x") => &function[..plus],
        _ => function,
    }
}

/// `/path/file.go:114` -> (`/path/file.go`, 114); a missing or odd line number gives 0.
pub fn split_file_line(location: &[u8]) -> (&[u8], u32) {
    match memchr::memrchr(b':', location) {
        Some(colon) => {
            let digits = &location[colon + 1..];
            let end = digits
                .iter()
                .position(|b| !b.is_ascii_digit())
                .unwrap_or(digits.len());
            match crate::formats::lines::parse_u64(&digits[..end]) {
                Some(n) => (&location[..colon], u32::try_from(n).unwrap_or(0)),
                None => (location, 0),
            }
        }
        None => (location, 0),
    }
}

/// `{"key":"value", "k2":"v2"}`: Go prints keys and values with %q, which JSON reads.
fn parse_labels(json: &[u8], line: &Line<'_>) -> Result<Labels, FormatError> {
    let map: std::collections::BTreeMap<String, String> =
        serde_json::from_slice(json).map_err(|e| {
            FormatError::at_line(line.number, format!("malformed `# labels:` line ({e})"))
        })?;
    Ok(map.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_fields_and_offsets() {
        assert_eq!(strip_pc_offset(b"main.f+0x1d"), b"main.f");
        assert_eq!(strip_pc_offset(b"main.a+b"), b"main.a+b");
        assert_eq!(split_file_line(b"/x/y.go:114"), (&b"/x/y.go"[..], 114));
        assert_eq!(
            split_file_line(b"/x/y.go:114 +0x1d"),
            (&b"/x/y.go"[..], 114)
        );
        assert_eq!(split_file_line(b"?"), (&b"?"[..], 0));
    }
}
