//! Go goroutine profiles in text, `debug=1`: `/debug/pprof/goroutine?debug=1` and the Go 1.26+
//! `/debug/pprof/goroutineleak?debug=1`. Stacks are aggregated with a count; no states.

use crate::error::FormatError;
use crate::formats::go_records::read_records;
use crate::formats::lines::{excerpt, parse_i64, parse_u64, Lines};
use crate::formats::ReadOptions;
use crate::model::{Contents, Format};
use crate::model::{Profile, ProfileBuilder, ProfileKind, ValueType};

const GOROUTINE_HEADER: &[u8] = b"goroutine profile: total ";
const LEAK_HEADER: &[u8] = b"goroutineleak profile: total ";

pub fn looks_like(head: &[u8]) -> bool {
    head.starts_with(GOROUTINE_HEADER) || head.starts_with(LEAK_HEADER)
}

pub fn parse(bytes: &[u8]) -> Result<Profile, FormatError> {
    let mut lines = Lines::new(bytes);
    let header = lines
        .next()
        .ok_or_else(|| FormatError::at_line(1, "empty goroutine profile"))?;
    let (kind, name, total) = if let Some(total) = header.text.strip_prefix(LEAK_HEADER) {
        (ProfileKind::GoroutineLeak, "goroutineleak", total)
    } else if let Some(total) = header.text.strip_prefix(GOROUTINE_HEADER) {
        (ProfileKind::Goroutine, "goroutine", total)
    } else {
        return Err(FormatError::at_line(
            1,
            format!(
                "expected `goroutine profile: total N`, found `{}`",
                excerpt(header.text)
            ),
        ));
    };
    let declared = parse_u64(total).ok_or_else(|| {
        FormatError::at_line(
            1,
            format!(
                "the total `{}` is not a count that fits 64 bits",
                excerpt(total)
            ),
        )
    })?;
    let mut builder = ProfileBuilder::new(kind, vec![ValueType::new(name, "count")], 0);
    read_records(&mut lines, &mut builder, |count, line| {
        match parse_i64(count) {
            Some(n) if n >= 0 => Ok(vec![n]),
            _ => Err(FormatError::at_line(
                line.number,
                format!(
                    "record count `{}` is not a count that fits 64 bits",
                    excerpt(count)
                ),
            )),
        }
    })?;
    let mut profile = builder.finish();
    profile.declared_total = Some(declared);
    let sum = profile.total(0);
    if u64::try_from(sum).ok() != Some(declared) {
        profile.warnings.push(format!(
            "the header says {declared} goroutines but the records add up to {sum}{}",
            if (sum as u64) < declared {
                ": the file may be truncated"
            } else {
                ""
            }
        ));
    }
    Ok(profile)
}

/// GoroutineText inputs, for the sniffer and the reader table.
pub struct Reader;

impl super::Reader for Reader {
    fn format(&self) -> Format {
        Format::GoroutineText
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

    const SAMPLE: &str = "goroutine profile: total 3\n\
2 @ 0x1 0x2 0x3\n\
# labels: {\"handler\":\"/a\", \"tenant\":\"x\"}\n\
#\t0x2\tmain.worker+0x1d\t\t/src/main.go:10\n\
#\t0x3\tmain.main.func1+0x5\t/src/main.go:20\n\
\n\
1 @ 0x1 0x4\n\
#\t0x4\tmain.main+0x9\t/src/main.go:30\n\n";

    #[test]
    fn reads_counts_labels_and_frames() {
        let p = parse(SAMPLE.as_bytes()).unwrap();
        assert_eq!(p.kind, ProfileKind::Goroutine);
        assert_eq!(p.total(0), 3);
        assert_eq!(p.declared_total, Some(3));
        assert!(p.warnings.is_empty());
        assert_eq!(p.samples.len(), 2);
        let first = p.samples[0];
        let names: Vec<_> = p
            .stack(first.stack)
            .iter()
            .map(|&f| p.function_of_frame(f).name.as_str())
            .collect();
        assert_eq!(names, ["main.worker", "main.main.func1"]);
        assert_eq!(p.frames[p.stack(first.stack)[0] as usize].line, 10);
        assert_eq!(
            p.label_sets[first.labels as usize],
            vec![
                ("handler".to_string(), "/a".to_string()),
                ("tenant".to_string(), "x".to_string())
            ]
        );
    }

    #[test]
    fn leak_profile_header_and_total_mismatch() {
        let p = parse(b"goroutineleak profile: total 9\n1 @ 0x1\n#\t0x1\tmain.f+0x1\t/m.go:1\n")
            .unwrap();
        assert_eq!(p.kind, ProfileKind::GoroutineLeak);
        assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    }

    #[test]
    fn absurd_total_is_an_error_on_line_1() {
        let e = parse(b"goroutine profile: total 999999999999999999999999\n").unwrap_err();
        assert_eq!(e.place, crate::error::Place::Line(1));
    }

    #[test]
    fn malformed_record_names_its_line() {
        let e = parse(b"goroutine profile: total 1\nnonsense here\n").unwrap_err();
        assert_eq!(e.place, crate::error::Place::Line(2));
    }
}
