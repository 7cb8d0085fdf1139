//! pprof protobuf (profile.proto), as written by Go's `runtime/pprof` (heap, allocs, goroutine,
//! goroutineleak, CPU, mutex, block), by `jemalloc_pprof` and by pprof-rs. Gzip is removed
//! before this module sees the bytes.

use pprof::protos::Message;
use rustc_hash::FxHashMap;

use crate::error::FormatError;
use crate::formats::symbolize::{normalize_rust_name, Mapping, SymbolSources, Symbolizer};
use crate::formats::ReadOptions;
use crate::model::{Contents, Format, Lists};
use crate::model::{Profile, ProfileBuilder, ProfileKind, ValueType};

/// Does `head` start like a serialized `Profile` message? Every field of profile.proto has a
/// number from 1 to 14; the first byte is that field's tag.
pub fn looks_like(head: &[u8]) -> bool {
    match head.first() {
        Some(&tag) => {
            let field = tag >> 3;
            let wire = tag & 7;
            (1..=14).contains(&field) && (wire == 0 || wire == 2)
        }
        None => false,
    }
}

pub fn parse(bytes: &[u8], sources: &SymbolSources) -> Result<Profile, FormatError> {
    let (raw, samples) =
        decode(bytes).map_err(|e| FormatError::new(format!("corrupt pprof protobuf: {e}")))?;
    convert(&raw, &samples, sources)
}

/// The samples of a profile, flat. Decoded one message each, a sample costs three small
/// allocations (locations, values, labels), and allocating and freeing them took a quarter of
/// reading a large heap profile.
#[derive(Debug, Default)]
struct Samples {
    locations: Lists<u64>,
    values: Lists<i64>,
    /// String labels only, (key, value) as string table indexes.
    labels: Lists<(i64, i64)>,
}

impl Samples {
    fn len(&self) -> usize {
        self.locations.len()
    }

    /// Sample `i`'s locations, values and string labels.
    fn get(&self, i: usize) -> (&[u64], &[i64], &[(i64, i64)]) {
        (&self.locations[i], &self.values[i], &self.labels[i])
    }
}

/// A `Profile` message with its samples decoded flat, every other field as prost decodes it.
fn decode(bytes: &[u8]) -> Result<(pprof::protos::Profile, Samples), prost::DecodeError> {
    use prost::encoding::{decode_key, DecodeContext, WireType};
    let mut profile = pprof::protos::Profile::default();
    let mut samples = Samples::default();
    let mut buf = bytes;
    while !buf.is_empty() {
        let (tag, wire) = decode_key(&mut buf)?;
        if tag == 2 && wire == WireType::LengthDelimited {
            let message = length_delimited(&mut buf)?;
            decode_sample(message, &mut samples)?;
        } else {
            profile.merge_field(tag, wire, &mut buf, DecodeContext::default())?;
        }
    }
    Ok((profile, samples))
}

/// The length-delimited field at the start of `buf` (a varint length, then the bytes), which
/// `buf` moves past.
fn length_delimited<'a>(buf: &mut &'a [u8]) -> Result<&'a [u8], prost::DecodeError> {
    let len = usize::try_from(prost::encoding::decode_varint(buf)?)
        .ok()
        .filter(|&n| n <= buf.len())
        .ok_or_else(|| prost::DecodeError::new("buffer underflow"))?;
    let (message, rest) = buf.split_at(len);
    *buf = rest;
    Ok(message)
}

/// One `Sample` message (location_id = 1, value = 2, label = 3; numbers packed or not).
fn decode_sample(mut buf: &[u8], samples: &mut Samples) -> Result<(), prost::DecodeError> {
    use prost::encoding::{decode_key, decode_varint, skip_field, DecodeContext, WireType};
    while !buf.is_empty() {
        let (tag, wire) = decode_key(&mut buf)?;
        match (tag, wire) {
            (1 | 2, WireType::LengthDelimited) => {
                let mut packed = length_delimited(&mut buf)?;
                while !packed.is_empty() {
                    let n = decode_varint(&mut packed)?;
                    match tag {
                        1 => samples.locations.push(n),
                        _ => samples.values.push(n as i64),
                    }
                }
            }
            (1, WireType::Varint) => samples.locations.push(decode_varint(&mut buf)?),
            (2, WireType::Varint) => samples.values.push(decode_varint(&mut buf)? as i64),
            (3, WireType::LengthDelimited) => {
                let message = length_delimited(&mut buf)?;
                let label = pprof::protos::Label::decode(message)?;
                if label.str != 0 {
                    samples.labels.push((label.key, label.str));
                }
            }
            _ => skip_field(wire, tag, &mut buf, DecodeContext::default())?,
        }
    }
    samples.locations.close();
    samples.values.close();
    samples.labels.close();
    Ok(())
}

/// A symbolizer for profiles whose locations carry only addresses (jemalloc_pprof, pprof-rs
/// without symbols), when there is anything to symbolize them with.
fn symbolizer_for(
    raw: &pprof::protos::Profile,
    sources: &SymbolSources,
) -> Result<Option<Symbolizer>, FormatError> {
    if raw.location.iter().all(|l| !l.line.is_empty()) || raw.mapping.is_empty() {
        return Ok(None);
    }
    let string = |i: i64| {
        raw.string_table
            .get(i as usize)
            .cloned()
            .unwrap_or_default()
    };
    let mappings: Vec<Mapping> = raw
        .mapping
        .iter()
        .map(|m| Mapping {
            start: m.memory_start,
            end: m.memory_limit,
            offset: m.file_offset,
            path: string(m.filename),
            build_id: Some(string(m.build_id)).filter(|b| !b.is_empty()),
        })
        .collect();
    let has_sources =
        sources.binary.is_some() || sources.debug_dir.is_some() || sources.sysroot.is_some();
    if !has_sources
        && !mappings
            .iter()
            .any(|m| std::path::Path::new(&m.path).is_file())
    {
        return Ok(None);
    }
    Symbolizer::new(mappings, sources)
        .map(Some)
        .map_err(FormatError::new)
}

fn convert(
    raw: &pprof::protos::Profile,
    samples: &Samples,
    sources: &SymbolSources,
) -> Result<Profile, FormatError> {
    let strings = &raw.string_table;
    let string = |index: i64, what: &str| -> Result<&str, FormatError> {
        usize::try_from(index)
            .ok()
            .and_then(|i| strings.get(i))
            .map(String::as_str)
            .ok_or_else(|| {
                FormatError::new(format!(
                    "string index {index} in {what} is past the string table ({} entries)",
                    strings.len()
                ))
            })
    };
    if raw.sample_type.is_empty() {
        return Err(FormatError::new(
            "pprof profile has no sample types (not a profile, or an empty message)",
        ));
    }
    let mut sample_types = Vec::with_capacity(raw.sample_type.len());
    for t in &raw.sample_type {
        sample_types.push(ValueType::new(
            string(t.ty, "sample_type")?,
            string(t.unit, "sample_type")?,
        ));
    }
    let default_name = string(raw.default_sample_type, "default_sample_type")?;
    let kind = kind_of(&sample_types, default_name);
    // pprof's rule: the named default if present, else the last sample type.
    let default_sample_index = sample_types
        .iter()
        .position(|t| !default_name.is_empty() && t.name == default_name)
        .unwrap_or(sample_types.len() - 1);

    let mut builder = ProfileBuilder::new(kind, sample_types, default_sample_index);
    builder.reserve(samples.len(), raw.function.len(), raw.location.len());
    {
        let p = builder.profile_mut();
        p.time_nanos = (raw.time_nanos != 0).then_some(raw.time_nanos);
        // The first mapping is the main binary (pprof's convention).
        if let Some(m) = raw.mapping.first() {
            let file = string(m.filename, "mapping filename")?;
            let build_id = string(m.build_id, "mapping build_id")?;
            p.process = super::process_identity(file, build_id, m.memory_start);
        }
        if let Some(t) = &raw.period_type {
            p.period = Some((
                ValueType::new(string(t.ty, "period_type")?, string(t.unit, "period_type")?),
                raw.period,
            ));
        }
    }

    let mut function_ids: FxHashMap<u64, u32> = FxHashMap::default();
    for f in &raw.function {
        let name = string(f.name, "function name")?;
        let name = if name.is_empty() {
            string(f.system_name, "function system_name")?
        } else {
            name
        };
        let id = builder.intern_function(
            &normalize_rust_name(name),
            string(f.filename, "function filename")?,
        );
        builder.set_function_start_line(id, u32::try_from(f.start_line).unwrap_or(0));
        function_ids.insert(f.id, id);
    }
    // Symbolizer mapping index by pprof mapping id.
    let mapping_index: FxHashMap<u64, usize> = raw
        .mapping
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id, i))
        .collect();
    let mapping_names: FxHashMap<u64, &str> = raw
        .mapping
        .iter()
        .map(|m| Ok((m.id, string(m.filename, "mapping filename")?)))
        .collect::<Result<_, FormatError>>()?;

    let symbolizer = symbolizer_for(raw, sources)?;
    if let Some(s) = &symbolizer {
        builder
            .profile_mut()
            .warnings
            .extend(s.warnings.iter().cloned());
    }
    // A location at the top of every stack it is in is the sampled instruction itself; the
    // others are return addresses, which point after their call.
    let mut leaf_only: FxHashMap<u64, bool> = FxHashMap::default();
    for sample in 0..samples.len() {
        for (i, id) in samples.get(sample).0.iter().enumerate() {
            let entry = leaf_only.entry(*id).or_insert(true);
            *entry &= i == 0;
        }
    }

    // Each location expands to its lines, innermost (inlined) first, which is the leaf-first
    // order the model keeps.
    let mut location_frames: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
    for loc in &raw.location {
        let mut frames = Vec::with_capacity(loc.line.len().max(1));
        if loc.line.is_empty() {
            let caller = !leaf_only.get(&loc.id).copied().unwrap_or(false);
            // A mapping over the whole address space means the address is already relative to
            // the binary (jemalloc_pprof writes them so).
            let mapping = raw.mapping.iter().find(|m| m.id == loc.mapping_id);
            let relative =
                mapping.is_some_and(|m| m.memory_start == 0 && m.memory_limit == u64::MAX);
            let resolved =
                symbolizer
                    .as_ref()
                    .and_then(|s| match mapping_index.get(&loc.mapping_id) {
                        Some(&m) if relative => s.frames_in(m, loc.address, caller),
                        _ => s.frames(loc.address, caller),
                    });
            match resolved {
                Some(resolved) => {
                    for f in resolved {
                        let function = builder.intern_function(&f.function, &f.file);
                        frames.push(builder.intern_frame(function, f.line));
                    }
                }
                None => {
                    // Unsymbolized: keep the address and mapping so frames can be told apart.
                    let mapping = mapping_names.get(&loc.mapping_id).copied().unwrap_or("");
                    let name = match (&symbolizer, relative) {
                        (_, true) => format!(
                            "{}+0x{:x}",
                            mapping.rsplit('/').next().unwrap_or(mapping),
                            loc.address
                        ),
                        (Some(s), false) => s.unresolved_name(loc.address),
                        (None, false) => format!("0x{:x}", loc.address),
                    };
                    let function = builder.intern_function(&name, mapping);
                    frames.push(builder.intern_frame(function, 0));
                }
            }
        }
        for line in &loc.line {
            let function = *function_ids.get(&line.function_id).ok_or_else(|| {
                FormatError::new(format!(
                    "location {} refers to function id {}, which the profile does not define",
                    loc.id, line.function_id
                ))
            })?;
            frames.push(builder.intern_frame(function, u32::try_from(line.line).unwrap_or(0)));
        }
        location_frames.insert(loc.id, frames);
    }

    let width = raw.sample_type.len();
    let mut stack = Vec::new();
    for index in 0..samples.len() {
        let (locations, values, string_labels) = samples.get(index);
        if values.len() != width {
            return Err(FormatError::new(format!(
                "sample {index} has {} values but the profile declares {width} sample types",
                values.len()
            )));
        }
        stack.clear();
        for location in locations {
            let frames = location_frames.get(location).ok_or_else(|| {
                FormatError::new(format!(
                    "sample {index} refers to location id {location}, which the profile does not define"
                ))
            })?;
            stack.extend_from_slice(frames);
        }
        let stack_id = builder.intern_stack(&stack);
        // String labels (pprof.Do, goroutine labels) are kept. Numeric ones are not: Go puts a
        // `bytes` (object size) label on every heap sample, which would keep samples apart
        // that every view here adds together, and cost a string per sample.
        let mut labels = Vec::new();
        for &(key, value) in string_labels {
            labels.push((
                string(key, "sample label")?.to_string(),
                string(value, "sample label")?.to_string(),
            ));
        }
        let labels = builder.intern_labels(labels);
        builder.add_sample(stack_id, labels, values);
    }
    Ok(builder.finish())
}

fn kind_of(sample_types: &[ValueType], default_name: &str) -> ProfileKind {
    let has = |name: &str| sample_types.iter().any(|t| t.name == name);
    if has("goroutineleak") {
        ProfileKind::GoroutineLeak
    } else if has("goroutine") {
        ProfileKind::Goroutine
    } else if has("inuse_space") || has("alloc_space") {
        if default_name == "alloc_space" {
            ProfileKind::Allocs
        } else {
            ProfileKind::Heap
        }
    } else {
        ProfileKind::Other
    }
}

/// Pprof inputs, for the sniffer and the reader table.
pub struct Reader;

impl super::Reader for Reader {
    fn format(&self) -> Format {
        Format::Pprof
    }

    fn looks_like(&self, head: &[u8], _text: &[u8]) -> bool {
        looks_like(head) && super::has_binary_bytes(head)
    }

    fn read(&self, bytes: &[u8], options: &ReadOptions) -> Result<Contents, FormatError> {
        parse(bytes, &options.symbols).map(Contents::Stacks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pprof::protos::{Label, Sample};

    /// The flat samples hold what prost decodes, whether the numbers come packed (proto3's
    /// default, Go's) or one field each (allowed, and written by some encoders).
    #[test]
    fn flat_samples_hold_what_prost_decodes() {
        let profile = pprof::protos::Profile {
            sample: vec![
                Sample {
                    location_id: vec![3, 2, 1],
                    value: vec![-7, 1 << 40],
                    label: vec![
                        Label {
                            key: 1,
                            str: 2,
                            ..Label::default()
                        },
                        Label {
                            key: 3,
                            num: 64,
                            ..Label::default()
                        },
                    ],
                },
                Sample::default(),
                Sample {
                    location_id: vec![9],
                    value: vec![5, 6],
                    label: vec![],
                },
            ],
            time_nanos: 42,
            ..Default::default()
        };
        let (rest, samples) = decode(&profile.encode_to_vec()).unwrap();
        assert_eq!(rest.time_nanos, 42);
        assert!(rest.sample.is_empty());
        assert_eq!(samples.len(), 3);
        for (i, sample) in profile.sample.iter().enumerate() {
            let (locations, values, labels) = samples.get(i);
            assert_eq!(locations, sample.location_id);
            assert_eq!(values, sample.value);
            let strings: Vec<(i64, i64)> = sample
                .label
                .iter()
                .filter(|l| l.str != 0)
                .map(|l| (l.key, l.str))
                .collect();
            assert_eq!(labels, strings);
        }
        // Unpacked: field 2 (sample) holding location_id 7 and 8 and value 9, one field each.
        let unpacked = [0x12, 6, 0x08, 7, 0x08, 8, 0x10, 9];
        let (_, samples) = decode(&unpacked).unwrap();
        assert_eq!(samples.get(0), (&[7u64, 8][..], &[9i64][..], &[][..]));
        // A length past the end is an error, not a panic.
        assert!(decode(&[0x12, 9, 0x08]).is_err());
        assert!(decode(&[0x12, 2, 0x0a, 5]).is_err());
    }
}
