//! Go's legacy heap profile text, `/debug/pprof/heap?debug=1`:
//!
//! ```text
//! heap profile: 5: 20480 [12: 49152] @ heap/1048576
//! 1: 4096 [2: 8192] @ 0x4a 0x4b
//! #    0x4a    main.f+0x1d    /src/main.go:10
//! ```
//!
//! Counts are raw samples; like pprof, we unsample them with the Poisson correction
//! `1 / (1 - exp(-avg/rate))`, where `rate` is half the number after `heap/` (Go writes
//! `2*MemProfileRate` there).

use crate::error::FormatError;
use crate::formats::go_records::read_records;
use crate::formats::lines::{excerpt, parse_i64, Lines};
use crate::formats::ReadOptions;
use crate::model::{Contents, Format};
use crate::model::{Profile, ProfileBuilder, ProfileKind, ValueType};

const HEADER: &[u8] = b"heap profile: ";

pub fn looks_like(head: &[u8]) -> bool {
    head.starts_with(HEADER)
}

pub fn parse(bytes: &[u8]) -> Result<Profile, FormatError> {
    let mut lines = Lines::new(bytes);
    let header = lines
        .next()
        .ok_or_else(|| FormatError::at_line(1, "empty heap profile"))?;
    let rest = header.text.strip_prefix(HEADER).ok_or_else(|| {
        FormatError::at_line(
            1,
            format!(
                "expected `heap profile: ...`, found `{}`",
                excerpt(header.text)
            ),
        )
    })?;
    let at = memchr::memmem::find(rest, b" @ ")
        .ok_or_else(|| FormatError::at_line(1, "the header has no `@ heap/<rate>` part"))?;
    parse_counts(&rest[..at]).ok_or_else(|| {
        FormatError::at_line(
            1,
            format!("malformed header counts `{}`", excerpt(&rest[..at])),
        )
    })?;
    let sampling = &rest[at + 3..];
    let rate = match sampling.iter().position(|&b| b == b'/') {
        Some(slash) if &sampling[..slash] == b"heap" => parse_i64(&sampling[slash + 1..])
            .filter(|&r| r >= 0)
            .map(|r| r / 2)
            .ok_or_else(|| {
                FormatError::at_line(
                    1,
                    format!("malformed sampling rate `{}`", excerpt(sampling)),
                )
            })?,
        _ => {
            return Err(FormatError::at_line(
                1,
                format!(
                    "unsupported sampling `{}` (expected `heap/<2*MemProfileRate>`)",
                    excerpt(sampling)
                ),
            ))
        }
    };

    let sample_types = vec![
        ValueType::new("alloc_objects", "count"),
        ValueType::new("alloc_space", "bytes"),
        ValueType::new("inuse_objects", "count"),
        ValueType::new("inuse_space", "bytes"),
    ];
    let mut builder = ProfileBuilder::new(ProfileKind::Heap, sample_types, 3);
    builder.profile_mut().period = Some((ValueType::new("space", "bytes"), rate));
    read_records(&mut lines, &mut builder, |counts, line| {
        let [inuse_objects, inuse_bytes, alloc_objects, alloc_bytes] = parse_counts(counts)
            .ok_or_else(|| {
                FormatError::at_line(
                    line.number,
                    format!(
                        "expected `objects: bytes [objects: bytes]`, found `{}`",
                        excerpt(counts)
                    ),
                )
            })?;
        let (ao, ab) = unsample(alloc_objects, alloc_bytes, rate);
        let (io, ib) = unsample(inuse_objects, inuse_bytes, rate);
        Ok(vec![ao, ab, io, ib])
    })?;
    Ok(builder.finish())
}

/// `a: b [c: d]` -> [a, b, c, d].
fn parse_counts(text: &[u8]) -> Option<[i64; 4]> {
    let text = std::str::from_utf8(text).ok()?;
    let (inuse, alloc) = text.split_once('[')?;
    let alloc = alloc.trim().strip_suffix(']')?;
    let pair = |s: &str| -> Option<(i64, i64)> {
        let (a, b) = s.split_once(':')?;
        let a = parse_i64(a.trim().as_bytes()).filter(|v| *v >= 0)?;
        let b = parse_i64(b.trim().as_bytes()).filter(|v| *v >= 0)?;
        Some((a, b))
    };
    let (a, b) = pair(inuse)?;
    let (c, d) = pair(alloc)?;
    Some([a, b, c, d])
}

/// pprof's `scaleHeapSample`: a sample of average size S was recorded with probability
/// `1 - exp(-S/rate)`; divide by it.
fn unsample(count: i64, bytes: i64, rate: i64) -> (i64, i64) {
    if count == 0 || bytes == 0 {
        return (0, 0);
    }
    if rate <= 1 {
        return (count, bytes);
    }
    let average = bytes as f64 / count as f64;
    let scale = 1.0 / (1.0 - (-average / rate as f64).exp());
    ((count as f64 * scale) as i64, (bytes as f64 * scale) as i64)
}

/// GoHeapText inputs, for the sniffer and the reader table.
pub struct Reader;

impl super::Reader for Reader {
    fn format(&self) -> Format {
        Format::GoHeapText
    }

    fn looks_like(&self, _head: &[u8], text: &[u8]) -> bool {
        looks_like(text)
    }

    fn read(&self, bytes: &[u8], _options: &ReadOptions) -> Result<Contents, FormatError> {
        parse(bytes).map(Contents::Stacks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_unsamples() {
        let text = b"heap profile: 1: 4096 [2: 8192] @ heap/1048576\n\
1: 4096 [2: 8192] @ 0x4a 0x4b\n\
#\t0x4a\tmain.f+0x1d\t/src/main.go:10\n\
#\t0x4b\tmain.main+0x1\t/src/main.go:20\n\
\n\
# runtime.MemStats\n\
# Alloc = 1234\n";
        let p = parse(text).unwrap();
        assert_eq!(p.samples.len(), 1);
        // rate 524288, average 4096 bytes: scale = 1/(1-exp(-4096/524288)) = 128.50...
        assert_eq!(p.values(0), [257, 1_052_677, 128, 526_338]);
    }

    #[test]
    fn rate_one_is_exact() {
        assert_eq!(unsample(3, 300, 1), (3, 300));
        assert_eq!(unsample(0, 300, 512), (0, 0));
    }

    #[test]
    fn malformed_record_is_an_error_with_line() {
        let e = parse(b"heap profile: 1: 1 [1: 1] @ heap/2\n1: x [1: 1] @ 0x1\n").unwrap_err();
        assert_eq!(e.place, crate::error::Place::Line(2));
    }
}
