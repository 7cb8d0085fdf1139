//! V8 heap snapshots (`.heapsnapshot`), as written by `v8.writeHeapSnapshot()`,
//! `node --heapsnapshot-signal` and Chrome DevTools:
//!
//! ```text
//! {"snapshot":{"meta":{"node_fields":[...],"node_types":[[...],...],"edge_fields":[...],...},
//!  "node_count":N,"edge_count":M},
//!  "nodes":[...],"edges":[...],"trace_function_infos":[],"trace_tree":[],"samples":[],
//!  "locations":[...],"strings":[...]}
//! ```
//!
//! Field layouts are taken from the meta, never assumed. The big arrays are streamed straight
//! into the struct-of-arrays `HeapGraph`; no JSON value tree is built, so a snapshot larger than
//! memory-friendly JSON parsers (or V8's own string limit) still reads in one pass.

use std::io::Read;

use serde::Deserialize;

use crate::error::FormatError;
use crate::formats::ReadOptions;
use crate::model::heap_graph::{HeapGraph, Strings};
use crate::model::{Contents, Format};

mod assemble;
mod json;

use assemble::assemble;
use json::{scan_digits, Scanner};

pub fn looks_like(text: &[u8]) -> bool {
    text.starts_with(b"{")
        && memchr::memmem::find(&text[..text.len().min(256)], b"\"snapshot\"").is_some()
}

#[derive(Debug, Deserialize)]
struct Header {
    meta: Meta,
    node_count: u64,
    edge_count: u64,
}

#[derive(Debug, Deserialize)]
struct Meta {
    node_fields: Vec<String>,
    node_types: Vec<serde_json::Value>,
    edge_fields: Vec<String>,
    edge_types: Vec<serde_json::Value>,
    #[serde(default)]
    location_fields: Vec<String>,
}

/// Where each value of a node record goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NodeField {
    Type,
    Name,
    Id,
    SelfSize,
    EdgeCount,
    Detachedness,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EdgeField {
    Type,
    NameOrIndex,
    ToNode,
    Other,
}

/// What the tokenizer thread hands the assembler.
enum Event {
    /// A top-level key and the offset where it starts.
    Key(String, u64),
    /// The raw bytes of the `snapshot` meta object.
    Meta(Vec<u8>),
    /// The next values of the current number array.
    Values(Vec<u64>),
    /// The next part of the current number array, still as text, for the assembler to parse.
    Raw(Chunk<Vec<u8>>),
    /// The current number array ended.
    ArrayEnd,
    Strings(Strings),
}

/// A run of whole numbers of a number array, with its separators, as it stood in the input.
struct Chunk<B> {
    bytes: B,
    /// Input offset of `bytes[0]`.
    base: u64,
    /// The array's first run (may be empty: `[]`).
    first: bool,
    /// The array's last run (the input's `]` follows it).
    last: bool,
}

/// Parses a chunk's numbers, handing each to `sink`. Runs split after a `,`, so a run other
/// than the first must start with a value, and one other than the last ends after a comma.
fn parse_numbers<B: AsRef<[u8]>>(
    chunk: &Chunk<B>,
    mut sink: impl FnMut(u64) -> Result<(), FormatError>,
) -> Result<(), FormatError> {
    let bytes = chunk.bytes.as_ref();
    let mut need_value = !chunk.first;
    let mut empty = chunk.first;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'0'..=b'9' => {
                let at = chunk.base + i as u64;
                if !need_value && !empty {
                    return Err(FormatError::at_byte(
                        at,
                        "expected `,` or `]` between numbers",
                    ));
                }
                let (value, next, overflow) = scan_digits(bytes, i);
                if overflow {
                    return Err(FormatError::at_byte(
                        at,
                        "a number in the snapshot does not fit 64 bits",
                    ));
                }
                if matches!(bytes.get(next), Some(b'.' | b'e' | b'E')) {
                    return Err(FormatError::at_byte(
                        at,
                        "expected an integer, found a fraction or exponent",
                    ));
                }
                sink(value)?;
                i = next;
                need_value = false;
                empty = false;
            }
            b',' if !need_value && !empty => {
                need_value = true;
                i += 1;
            }
            b' ' | b'\n' | b'\r' | b'\t' => i += 1,
            other => {
                return Err(FormatError::at_byte(
                    chunk.base + i as u64,
                    format!(
                        "expected a non-negative integer, found `{}`",
                        (other as char).escape_default()
                    ),
                ))
            }
        }
    }
    if chunk.last && need_value {
        return Err(FormatError::at_byte(
            chunk.base + bytes.len() as u64,
            "expected a number before `]`",
        ));
    }
    Ok(())
}

/// Reads a snapshot from `reader`. `size_hint` (bytes the JSON can at most hold) bounds
/// allocations sized from the header's counts.
///
/// Two threads share the work: one scans the JSON and turns the big number arrays into batches
/// of integers, the other lays them out into the graph, so a large snapshot is read at the speed
/// of the slower of the two rather than of both in turn.
pub fn parse(reader: impl Read + Send, size_hint: u64) -> Result<HeapGraph, FormatError> {
    let (events, inbox) = std::sync::mpsc::sync_channel::<Event>(8);
    let (recycle, recycled) = std::sync::mpsc::channel::<Vec<u64>>();
    let (recycle_bytes, recycled_bytes) = std::sync::mpsc::channel::<Vec<u8>>();
    let recycling = Recycling {
        values: recycle,
        bytes: recycle_bytes,
    };
    std::thread::scope(|scope| {
        let tokenizer = scope.spawn(move || tokenize(reader, &events, &recycled, &recycled_bytes));
        let assembled = assemble(&inbox, &recycling, size_hint);
        // Whatever happened, stop the tokenizer: a closed inbox makes its next send fail.
        drop(inbox);
        let tokenized = tokenizer.join().expect("the tokenizer does not panic");
        match (tokenized, assembled) {
            // The assembler stopped first: its error is the one to report.
            (Err(e), Err(a)) if e == cancelled() => Err(a),
            // A damaged file usually shows in the tokenizer first; its error has the offset.
            (Err(e), _) => Err(e),
            (Ok(()), result) => result,
        }
    })
}

/// Error the tokenizer returns when the assembler stopped listening (it has its own error).
fn cancelled() -> FormatError {
    FormatError::new("reading stopped")
}

/// Where the assembler returns emptied buffers for the tokenizer to fill again.
struct Recycling {
    values: std::sync::mpsc::Sender<Vec<u64>>,
    bytes: std::sync::mpsc::Sender<Vec<u8>>,
}

fn tokenize(
    reader: impl Read,
    events: &std::sync::mpsc::SyncSender<Event>,
    recycled: &std::sync::mpsc::Receiver<Vec<u64>>,
    recycled_bytes: &std::sync::mpsc::Receiver<Vec<u8>>,
) -> Result<(), FormatError> {
    let send = |event: Event| events.send(event).map_err(|_| cancelled());
    let mut s = Scanner::new(reader);
    s.skip_ws()?;
    s.expect(b'{')?;
    loop {
        s.skip_ws()?;
        if s.peek()? == Some(b'}') {
            return Ok(());
        }
        let key_at = s.offset();
        let key = s.string()?;
        s.skip_ws()?;
        s.expect(b':')?;
        s.skip_ws()?;
        send(Event::Key(key.clone(), key_at))?;
        match key.as_str() {
            "snapshot" => send(Event::Meta(s.raw_value()?))?,
            "nodes" | "edges" | "locations" => {
                // Two runs of text in three are parsed here, the third by the assembler (which
                // also lays every value out), so the two cores share the work about evenly.
                let mut run = 0u32;
                s.number_chunks(|chunk| {
                    run += 1;
                    let event = if !run.is_multiple_of(3) {
                        let mut values = recycled.try_recv().unwrap_or_default();
                        parse_numbers(&chunk, |v| {
                            values.push(v);
                            Ok(())
                        })?;
                        Event::Values(values)
                    } else {
                        let mut bytes = recycled_bytes.try_recv().unwrap_or_default();
                        bytes.clear();
                        bytes.extend_from_slice(chunk.bytes);
                        Event::Raw(Chunk {
                            bytes,
                            base: chunk.base,
                            first: chunk.first,
                            last: chunk.last,
                        })
                    };
                    events.send(event).map_err(|_| cancelled())
                })?;
                send(Event::ArrayEnd)?;
            }
            "strings" => {
                let mut strings = Strings::default();
                s.string_array(|text| strings.push(text))?;
                send(Event::Strings(strings))?;
            }
            _ => s.skip_value()?,
        }
        s.skip_ws()?;
        match s.next()? {
            Some(b',') => continue,
            Some(b'}') => return Ok(()),
            other => return Err(s.unexpected(other, "`,` or `}` after a top-level value")),
        }
    }
}

/// Hands each value of a number array to `sink` (with its position in the array) until the
/// array ends; returns the array's length.
fn out_of_range(what: &str, value: u64) -> String {
    format!("{what} {value} is out of range")
}

/// Streams `nodes` or `edges`: flat records of `layout.len()` values, each handed to `field`
/// with the field it fills; an error it returns is placed at its record. The record count must
/// match the meta's.
fn drain_records<F: Copy>(
    inbox: &std::sync::mpsc::Receiver<Event>,
    recycle: &Recycling,
    key_at: u64,
    record: &str,
    layout: &[F],
    declared: u64,
    mut field: impl FnMut(F, u64) -> Result<(), String>,
) -> Result<(), FormatError> {
    let width = layout.len() as u64;
    // A running field counter: a division per value would cost more than the rest.
    let mut next = 0usize;
    let values = drain_array(inbox, recycle, |value, index| {
        let this = next;
        next += 1;
        if next == layout.len() {
            next = 0;
        }
        field(layout[this], value).map_err(|message| {
            FormatError::at_byte(
                key_at,
                format!("in `{record}s`, {record} {}: {message}", index / width),
            )
        })
    })?;
    if values % width != 0 {
        return Err(FormatError::at_byte(
            key_at,
            format!(
                "`{record}s` ends inside a record: its {values} values are not a multiple of the {width} {record} fields"
            ),
        ));
    }
    if values / width != declared {
        return Err(FormatError::at_byte(
            key_at,
            format!(
                "the meta says {declared} {record}s but `{record}s` holds {}",
                values / width
            ),
        ));
    }
    Ok(())
}

fn drain_array(
    inbox: &std::sync::mpsc::Receiver<Event>,
    recycle: &Recycling,
    mut sink: impl FnMut(u64, u64) -> Result<(), FormatError>,
) -> Result<u64, FormatError> {
    let mut index = 0u64;
    loop {
        match inbox.recv() {
            Ok(Event::Values(mut batch)) => {
                for &value in &batch {
                    sink(value, index)?;
                    index += 1;
                }
                batch.clear();
                let _ = recycle.values.send(batch);
            }
            Ok(Event::Raw(chunk)) => {
                parse_numbers(&chunk, |value| {
                    sink(value, index)?;
                    index += 1;
                    Ok(())
                })?;
                let _ = recycle.bytes.send(chunk.bytes);
            }
            Ok(Event::ArrayEnd) => return Ok(index),
            // The tokenizer stopped: its own error says why.
            _ => return Err(cancelled()),
        }
    }
}

fn node_fields(meta: &Meta) -> Result<Vec<NodeField>, String> {
    let layout: Vec<NodeField> = meta
        .node_fields
        .iter()
        .map(|f| match f.as_str() {
            "type" => NodeField::Type,
            "name" => NodeField::Name,
            "id" => NodeField::Id,
            "self_size" => NodeField::SelfSize,
            "edge_count" => NodeField::EdgeCount,
            "detachedness" => NodeField::Detachedness,
            _ => NodeField::Other,
        })
        .collect();
    for (needed, name) in [
        (NodeField::Type, "type"),
        (NodeField::Name, "name"),
        (NodeField::Id, "id"),
        (NodeField::SelfSize, "self_size"),
        (NodeField::EdgeCount, "edge_count"),
    ] {
        if !layout.contains(&needed) {
            return Err(format!("meta.node_fields has no `{name}`"));
        }
    }
    Ok(layout)
}

fn edge_fields(meta: &Meta) -> Result<Vec<EdgeField>, String> {
    let layout: Vec<EdgeField> = meta
        .edge_fields
        .iter()
        .map(|f| match f.as_str() {
            "type" => EdgeField::Type,
            "name_or_index" => EdgeField::NameOrIndex,
            "to_node" => EdgeField::ToNode,
            _ => EdgeField::Other,
        })
        .collect();
    for (needed, name) in [
        (EdgeField::Type, "type"),
        (EdgeField::NameOrIndex, "name_or_index"),
        (EdgeField::ToNode, "to_node"),
    ] {
        if !layout.contains(&needed) {
            return Err(format!("meta.edge_fields has no `{name}`"));
        }
    }
    Ok(layout)
}

/// `node_types[0]` / `edge_types[0]`: the names of the enum that the `type` field indexes.
fn type_names(types: &[serde_json::Value]) -> Option<Vec<String>> {
    types
        .first()?
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// V8HeapSnapshot inputs, for the sniffer and the reader table.
pub struct Reader;

impl crate::formats::Reader for Reader {
    fn format(&self) -> Format {
        Format::V8HeapSnapshot
    }

    fn looks_like(&self, _head: &[u8], text: &[u8]) -> bool {
        looks_like(text)
    }

    fn read(&self, bytes: &[u8], _options: &ReadOptions) -> Result<Contents, FormatError> {
        parse(bytes, bytes.len() as u64).map(Contents::Heap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const TINY: &str = r#"{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],
"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],
"edge_fields":["type","name_or_index","to_node"],
"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],
"location_fields":["object_index","script_id","line","column"]},"node_count":4,"edge_count":4,"trace_function_count":0},
"nodes":[9,0,1,0,2,0,0,
3,1,3,40,1,0,0,
3,2,5,24,1,0,2,
2,3,7,16,0,0,0],
"edges":[1,1,7,5,4,7,
2,5,14,
6,6,21],
"trace_function_infos":[],"trace_tree":[],"samples":[],
"locations":[14,3,10,4],
"strings":["","Leaky","Helper\u00e9","a \"quoted\" \ud83d\ude00 string","global","child","weakref"]}"#;

    #[test]
    fn reads_a_small_snapshot() {
        let g = parse(TINY.as_bytes(), TINY.len() as u64).unwrap();
        assert_eq!(g.node_count(), 4);
        assert_eq!(g.edge_count(), 4);
        assert_eq!(g.name(1), "Leaky");
        assert_eq!(g.name(2), "Helperé");
        assert_eq!(g.name(3), "a \"quoted\" 😀 string");
        assert_eq!(g.type_name(3), "string");
        assert_eq!(g.node_id[2], 5);
        assert_eq!(g.node_self_size[1], 40);
        assert_eq!(g.edges(0), 0..2);
        assert_eq!(g.edge_to[..], [1, 1, 2, 3]);
        assert_eq!(g.edge_label(1), ".global");
        assert_eq!(g.edge_label(0), "[1]");
        assert_eq!(g.edge_label(3), "[[weakref]]");
        assert_eq!(g.node_detachedness.as_ref().unwrap()[2], 2);
        assert_eq!(g.locations, [[2, 3, 10, 4]]);
    }

    fn error(text: &str) -> FormatError {
        parse(text.as_bytes(), text.len() as u64).unwrap_err()
    }

    #[test]
    fn truncated_snapshot() {
        let e = error(&TINY[..TINY.len() / 2]);
        assert!(
            e.message.contains("truncated") || e.message.contains("ends"),
            "{e:?}"
        );
    }

    #[test]
    fn meta_disagreeing_with_arrays() {
        let e = error(&TINY.replace("\"node_count\":4", "\"node_count\":5"));
        assert!(e.message.contains("5 nodes"), "{e:?}");
        let e = error(&TINY.replace("\"edge_count\":4", "\"edge_count\":9"));
        assert!(e.message.contains("9 edges"), "{e:?}");
    }

    #[test]
    fn edge_past_the_end() {
        let e = error(&TINY.replace("6,6,21]", "6,6,28]"));
        assert!(e.message.contains("node offset 28"), "{e:?}");
    }

    #[test]
    fn non_numeric_values() {
        let e = error(&TINY.replace("3,1,3,40", "3,1,3,\"40\""));
        assert!(e.message.contains("non-negative integer"), "{e:?}");
        assert!(matches!(e.place, crate::error::Place::Byte(_)));
        let e = error(&TINY.replace("3,1,3,40", "3,1,3,-40"));
        assert!(e.message.contains("non-negative integer"), "{e:?}");
        let e = error(&TINY.replace("3,1,3,40", "3,1,3,4.5"));
        assert!(e.message.contains("fraction"), "{e:?}");
    }

    #[test]
    fn name_past_the_strings() {
        let e = error(&TINY.replace("3,1,3,40", "3,99,3,40"));
        assert!(e.message.contains("string 99"), "{e:?}");
    }

    #[test]
    fn digits_eight_at_a_time() {
        for text in [
            "0,",
            "7]",
            "12345678,",
            "123456789012,",
            "99999999",
            "4294967295 ",
            "1,2",
        ] {
            let expected: u64 = text
                .trim_end_matches([',', ']', ' '])
                .split(',')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            let (value, next, overflow) = scan_digits(text.as_bytes(), 0);
            assert_eq!((value, overflow), (expected, false), "{text}");
            assert_eq!(
                next,
                text.bytes().take_while(u8::is_ascii_digit).count(),
                "{text}"
            );
        }
        let padded = b"305,____";
        assert_eq!(scan_digits(padded, 0), (305, 3, false));
        let (_, _, overflow) = scan_digits(b"123456789012345678901234,", 0);
        assert!(overflow);
    }

    #[test]
    fn deep_nesting_in_skipped_sections_is_fine() {
        let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let text = TINY.replace("\"samples\":[]", &format!("\"samples\":{nested}"));
        assert!(parse(text.as_bytes(), text.len() as u64).is_ok());
    }
}
