//! jemalloc heap profiles (`prof.dump`, what `jeprof` reads), as Rust services on
//! tikv-jemallocator write them:
//!
//! ```text
//! heap_v2/4096
//!   t*: 1787: 9885693 [0: 0]
//!   t0: 555: 2022849 [0: 0]
//! @ 0x55b936dbc9b3 0x55b936dbd05d ...
//!   t*: 1: 2074 [0: 0]
//!   t0: 1: 2074 [0: 0]
//!
//! MAPPED_LIBRARIES:
//! 55b936b2b000-55b936c41000 r--p 00000000 fe:00 5382595  /path/to/binary
//! ```
//!
//! Counts are sampled: an allocation of `s` bytes is recorded with probability
//! `1 - exp(-s/period)`. Each record is unsampled the way jeprof does it, from its `t*` line:
//! with `avg = bytes / count`, both count and bytes are multiplied by `1 / (1 - exp(-avg/period))`.
//! Per-thread lines are kept as a `thread` label (`t0`, `t1`, ...) and scaled by their record's
//! factor, so per-thread values add up to the record's.

use rustc_hash::FxHashMap;

use crate::error::FormatError;
use crate::formats::lines::{excerpt, parse_u64, Lines};
use crate::formats::symbolize::{parse_maps_line, Mapping, SymbolSources, Symbolizer};
use crate::formats::ReadOptions;
use crate::model::{Contents, Format};
use crate::model::{Profile, ProfileBuilder, ProfileKind, ValueType};

const HEADER: &[u8] = b"heap_v2/";

pub fn looks_like(text: &[u8]) -> bool {
    text.starts_with(HEADER)
}

struct Record {
    addresses: Vec<u64>,
    /// (thread, count, bytes); thread `None` is the `t*` line.
    counts: Vec<(Option<String>, u64, u64)>,
}

pub fn parse(bytes: &[u8], sources: &SymbolSources) -> Result<Profile, FormatError> {
    let mut lines = Lines::new(bytes);
    let header = lines
        .next()
        .ok_or_else(|| FormatError::at_line(1, "empty heap profile"))?;
    let period = header
        .text
        .strip_prefix(HEADER)
        .and_then(parse_u64)
        .ok_or_else(|| {
            FormatError::at_line(
                1,
                format!(
                    "expected `heap_v2/<sample period>`, found `{}`",
                    excerpt(header.text)
                ),
            )
        })?;
    let mut records: Vec<Record> = Vec::new();
    let mut mappings: Option<Vec<Mapping>> = None;
    for line in lines.by_ref() {
        let t = line.text;
        if let Some(rest) = t.strip_prefix(b"@") {
            let mut addresses = Vec::new();
            for word in rest.split(|&b| b == b' ').filter(|w| !w.is_empty()) {
                let hex = word.strip_prefix(b"0x").unwrap_or(word);
                let address = std::str::from_utf8(hex)
                    .ok()
                    .and_then(|h| u64::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        FormatError::at_line(
                            line.number,
                            format!("`{}` is not a hexadecimal address", excerpt(word)),
                        )
                    })?;
                addresses.push(address);
            }
            if addresses.is_empty() {
                return Err(FormatError::at_line(
                    line.number,
                    "a stack record with no addresses",
                ));
            }
            records.push(Record {
                addresses,
                counts: Vec::new(),
            });
        } else if let Some(rest) = t.strip_prefix(b"  t") {
            let (thread, counts) = parse_count_line(rest).ok_or_else(|| {
                FormatError::at_line(
                    line.number,
                    format!(
                        "expected `tN: count: bytes [count: bytes]`, found `{}`",
                        excerpt(t)
                    ),
                )
            })?;
            // Lines before the first `@` are the whole profile's totals.
            if let Some(record) = records.last_mut() {
                record.counts.push((thread, counts.0, counts.1));
            }
        } else if t == b"MAPPED_LIBRARIES:" {
            let mut maps = Vec::new();
            for line in lines.by_ref() {
                let text = String::from_utf8_lossy(line.text);
                if text.trim().is_empty() {
                    continue;
                }
                maps.push(parse_maps_line(&text).ok_or_else(|| {
                    FormatError::at_line(
                        line.number,
                        format!("malformed MAPPED_LIBRARIES line `{}`", excerpt(line.text)),
                    )
                })?);
            }
            mappings = Some(maps);
            break;
        } else if !t.iter().all(u8::is_ascii_whitespace) {
            return Err(FormatError::at_line(
                line.number,
                format!("unexpected line `{}`", excerpt(t)),
            ));
        }
    }
    if let Some(r) = records
        .iter()
        .find(|r| !r.counts.iter().any(|c| c.0.is_none()))
    {
        return Err(FormatError::new(format!(
            "the stack record @ 0x{:x} has no `t*:` line",
            r.addresses[0]
        )));
    }

    let mut warnings = Vec::new();
    // The first mapping with a file is the main binary; its load address tells runs apart.
    let process = mappings.as_ref().and_then(|maps| {
        let main = maps.iter().find(|m| m.path.starts_with('/'))?;
        super::process_identity(&main.path, "", main.start)
    });
    let _symbolizing = crate::progress::phase("symbolizing", None);
    let symbolizer = match mappings {
        Some(maps) => Some(Symbolizer::new(maps, sources).map_err(FormatError::new)?),
        None if sources.binary.is_some() => {
            return Err(FormatError::new(
                "no MAPPED_LIBRARIES section (the dump is cut short?): addresses cannot be placed in the binary",
            ))
        }
        None => {
            warnings.push("no MAPPED_LIBRARIES section: addresses are shown unsymbolized".to_string());
            None
        }
    };
    if let Some(s) = &symbolizer {
        warnings.extend(s.warnings.iter().cloned());
    }

    let sample_types = vec![
        ValueType::new("inuse_objects", "count"),
        ValueType::new("inuse_space", "bytes"),
    ];
    let mut builder = ProfileBuilder::new(ProfileKind::Heap, sample_types, 1);
    builder.profile_mut().period = Some((ValueType::new("space", "bytes"), period as i64));
    builder.profile_mut().process = process;
    let mut frames_of: FxHashMap<(u64, bool), Vec<u32>> = FxHashMap::default();
    let mut unresolved = 0usize;
    let mut stack = Vec::new();
    for record in &records {
        stack.clear();
        for (i, &address) in record.addresses.iter().enumerate() {
            let caller = i > 0;
            let frames = frames_of.entry((address, caller)).or_insert_with(|| {
                match symbolizer.as_ref().and_then(|s| s.frames(address, caller)) {
                    Some(resolved) => resolved
                        .iter()
                        .map(|f| {
                            let function = builder.intern_function(&f.function, &f.file);
                            builder.intern_frame(function, f.line)
                        })
                        .collect(),
                    None => {
                        unresolved += 1;
                        let name = symbolizer
                            .as_ref()
                            .map(|s| s.unresolved_name(address))
                            .unwrap_or_else(|| format!("0x{address:x}"));
                        let function = builder.intern_function(&name, "");
                        vec![builder.intern_frame(function, 0)]
                    }
                }
            });
            stack.extend_from_slice(frames);
        }
        let stack_id = builder.intern_stack(&stack);
        let (_, total_count, total_bytes) = record
            .counts
            .iter()
            .find(|c| c.0.is_none())
            .expect("checked above");
        let scale = unsample_scale(*total_count, *total_bytes, period);
        let threads: Vec<_> = record.counts.iter().filter(|c| c.0.is_some()).collect();
        if threads.is_empty() {
            builder.add_sample(stack_id, 0, &scaled(*total_count, *total_bytes, scale));
        }
        for (thread, count, bytes) in threads {
            let labels = builder.intern_labels(vec![(
                "thread".to_string(),
                format!("t{}", thread.as_deref().unwrap_or("")),
            )]);
            builder.add_sample(stack_id, labels, &scaled(*count, *bytes, scale));
        }
    }
    let mut profile = builder.finish();
    if unresolved > 0 && symbolizer.is_some() {
        warnings.push(format!(
            "{unresolved} addresses outside the symbolized binaries are shown as file+offset"
        ));
    }
    profile.warnings = warnings;
    Ok(profile)
}

/// `*: 1787: 9885693 [0: 0]` or `0: 555: 2022849 [0: 0]` (after `  t`): the thread (`None` for
/// `*`) and the in-use count and bytes.
fn parse_count_line(rest: &[u8]) -> Option<(Option<String>, (u64, u64))> {
    let text = std::str::from_utf8(rest).ok()?;
    let (thread, values) = text.split_once(':')?;
    let thread = match thread {
        "*" => None,
        t if t.bytes().all(|b| b.is_ascii_digit()) && !t.is_empty() => Some(t.to_string()),
        _ => return None,
    };
    let (live, _cumulative) = values.split_once('[')?;
    let (count, bytes) = live.split_once(':')?;
    Some((
        thread,
        (
            parse_u64(count.trim().as_bytes())?,
            parse_u64(bytes.trim().as_bytes())?,
        ),
    ))
}

/// jeprof's factor for a heap_v2 record: `1 / (1 - exp(-(bytes/count)/period))`.
fn unsample_scale(count: u64, bytes: u64, period: u64) -> f64 {
    if count == 0 || bytes == 0 || period <= 1 {
        return 1.0;
    }
    let average = bytes as f64 / count as f64;
    1.0 / (1.0 - (-average / period as f64).exp())
}

fn scaled(count: u64, bytes: u64, scale: f64) -> [i64; 2] {
    [
        (count as f64 * scale).round() as i64,
        (bytes as f64 * scale).round() as i64,
    ]
}

/// JemallocHeap inputs, for the sniffer and the reader table.
pub struct Reader;

impl super::Reader for Reader {
    fn format(&self) -> Format {
        Format::JemallocHeap
    }

    fn looks_like(&self, _head: &[u8], text: &[u8]) -> bool {
        looks_like(text)
    }

    fn read(&self, bytes: &[u8], options: &ReadOptions) -> Result<Contents, FormatError> {
        parse(bytes, &options.symbols).map(Contents::Stacks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = "heap_v2/4096\n  t*: 3: 12288 [0: 0]\n  t0: 3: 12288 [0: 0]\n\
@ 0x1000 0x2000\n  t*: 2: 8192 [0: 0]\n  t0: 1: 4096 [0: 0]\n  t1: 1: 4096 [0: 0]\n\
@ 0x1000 0x3000\n  t*: 1: 100 [0: 0]\n\nMAPPED_LIBRARIES:\n";

    #[test]
    fn reads_records_threads_and_unsamples() {
        let p = parse(DUMP.as_bytes(), &SymbolSources::default()).unwrap();
        assert_eq!(p.sample_types[1].name, "inuse_space");
        // 4096-byte allocations at period 4096: scale 1/(1-e^-1) = 1.58198.
        let scale = 1.0 / (1.0 - (-1.0f64).exp());
        let total = p.total(1);
        let expected =
            2.0 * (4096.0 * scale).round() + (100.0 / (1.0 - (-100.0f64 / 4096.0).exp())).round();
        assert_eq!(total, expected as i64);
        assert_eq!(
            p.samples.len(),
            3,
            "two threads of the first stack, one unthreaded"
        );
        let names: Vec<_> = p
            .stack(p.samples[0].stack)
            .iter()
            .map(|&f| p.function_of_frame(f).name.as_str())
            .collect();
        assert_eq!(names, ["0x1000", "0x2000"]);
    }

    #[test]
    fn damaged_dumps() {
        let e = parse(b"heap_v1/4096\n", &SymbolSources::default()).unwrap_err();
        assert_eq!(e.place, crate::error::Place::Line(1));
        let e = parse(
            b"heap_v2/4096\n@ 0x1000 0xzz\n  t*: 1: 1 [0: 0]\n",
            &SymbolSources::default(),
        )
        .unwrap_err();
        assert_eq!(e.place, crate::error::Place::Line(2));
        let e = parse(
            b"heap_v2/4096\n@ 0x1000\n  t*: one: 1 [0: 0]\n",
            &SymbolSources::default(),
        )
        .unwrap_err();
        assert_eq!(e.place, crate::error::Place::Line(3));
        let p = parse(
            b"heap_v2/4096\n@ 0x1000\n  t*: 1: 8 [0: 0]\n",
            &SymbolSources::default(),
        )
        .unwrap();
        assert!(p.warnings[0].contains("MAPPED_LIBRARIES"));
        let with_binary = SymbolSources {
            binary: Some("leaklab".into()),
            ..SymbolSources::default()
        };
        assert!(parse(b"heap_v2/4096\n@ 0x1000\n  t*: 1: 8 [0: 0]\n", &with_binary).is_err());
    }
}
