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
use crate::model::heap_graph::{HeapGraph, Strings};

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

fn assemble(
    inbox: &std::sync::mpsc::Receiver<Event>,
    recycle: &Recycling,
    size_hint: u64,
) -> Result<HeapGraph, FormatError> {
    let mut graph = HeapGraph::default();
    let mut header: Option<Header> = None;
    let mut node_layout: Vec<NodeField> = Vec::new();
    let mut edge_layout: Vec<EdgeField> = Vec::new();
    let mut edge_counts: Vec<u32> = Vec::new();
    let mut edge_to: Vec<u32> = Vec::new();
    let mut seen_strings = false;

    while let Ok(event) = inbox.recv() {
        let Event::Key(key, key_at) = event else {
            return Err(FormatError::new("internal: snapshot events out of order"));
        };
        match key.as_str() {
            "snapshot" => {
                let Ok(Event::Meta(raw)) = inbox.recv() else {
                    return Err(cancelled());
                };
                let h: Header = serde_json::from_slice(&raw).map_err(|e| {
                    FormatError::at_byte(key_at, format!("malformed snapshot meta: {e}"))
                })?;
                node_layout = node_fields(&h.meta).map_err(|m| FormatError::at_byte(key_at, m))?;
                edge_layout = edge_fields(&h.meta).map_err(|m| FormatError::at_byte(key_at, m))?;
                graph.node_type_names = type_names(&h.meta.node_types).ok_or_else(|| {
                    FormatError::at_byte(key_at, "meta.node_types[0] is not a list of names")
                })?;
                graph.edge_type_names = type_names(&h.meta.edge_types).ok_or_else(|| {
                    FormatError::at_byte(key_at, "meta.edge_types[0] is not a list of names")
                })?;
                header = Some(h);
            }
            "nodes" => {
                let h = header.as_ref().ok_or_else(|| {
                    FormatError::at_byte(key_at, "`nodes` comes before the snapshot meta")
                })?;
                // Each value takes at least two bytes ("0,"): never reserve more than the
                // input can hold, whatever the header claims.
                let width = node_layout.len() as u64;
                let n = bounded(h.node_count, size_hint / (2 * width.max(1)));
                reserve_nodes(
                    &mut graph,
                    n,
                    node_layout.contains(&NodeField::Detachedness),
                );
                edge_counts.reserve(n);
                drain_records(
                    inbox,
                    recycle,
                    key_at,
                    "node",
                    &node_layout,
                    h.node_count,
                    |field, value| {
                        let v32 = || u32::try_from(value).map_err(|_| out_of_range("value", value));
                        match field {
                            NodeField::Type => graph.node_type.push(
                                u8::try_from(value).map_err(|_| out_of_range("type", value))?,
                            ),
                            NodeField::Name => graph.node_name.push(v32()?),
                            NodeField::Id => graph.node_id.push(v32()?),
                            NodeField::SelfSize => graph.node_self_size.push(value),
                            NodeField::EdgeCount => edge_counts.push(v32()?),
                            NodeField::Detachedness => {
                                if let Some(d) = graph.node_detachedness.as_mut() {
                                    d.push(value.min(u64::from(u8::MAX)) as u8)
                                }
                            }
                            NodeField::Other => {}
                        }
                        Ok(())
                    },
                )?;
            }
            "edges" => {
                let h = header.as_ref().ok_or_else(|| {
                    FormatError::at_byte(key_at, "`edges` comes before the snapshot meta")
                })?;
                let width = edge_layout.len() as u64;
                let m = bounded(h.edge_count, size_hint / (2 * width.max(1)));
                graph.edge_type.reserve(m);
                graph.edge_name.reserve(m);
                edge_to.reserve(m);
                let node_width = node_layout.len() as u64;
                let node_count = graph.node_type.len() as u64;
                drain_records(
                    inbox,
                    recycle,
                    key_at,
                    "edge",
                    &edge_layout,
                    h.edge_count,
                    |field, value| {
                        match field {
                            EdgeField::Type => graph.edge_type.push(
                                u8::try_from(value).map_err(|_| out_of_range("type", value))?,
                            ),
                            EdgeField::NameOrIndex => graph.edge_name.push(
                                u32::try_from(value).map_err(|_| out_of_range("value", value))?,
                            ),
                            // `to_node` is an offset into `nodes`: it must start a node record.
                            EdgeField::ToNode => {
                                let to = value / node_width;
                                if to * node_width != value || to >= node_count {
                                    return Err(format!(
                                        "points to node offset {value}, which is not the start of one of the {node_count} nodes"
                                    ));
                                }
                                edge_to.push(to as u32)
                            }
                            EdgeField::Other => {}
                        }
                        Ok(())
                    },
                )?;
            }
            "locations" => {
                let h = header.as_ref().ok_or_else(|| {
                    FormatError::at_byte(key_at, "`locations` comes before the snapshot meta")
                })?;
                let width = h.meta.location_fields.len() as u64;
                let node_width = node_layout.len() as u64;
                let mut record = [0u32; 4];
                let locations = &mut graph.locations;
                let mut field = 0usize;
                drain_array(inbox, recycle, |value, _| {
                    if width == 4 {
                        let value = if field == 0 {
                            value / node_width.max(1)
                        } else {
                            value
                        };
                        record[field] = u32::try_from(value).unwrap_or(u32::MAX);
                        field += 1;
                        if field == 4 {
                            field = 0;
                            locations.push(record);
                        }
                    }
                    Ok(())
                })?;
            }
            "strings" => {
                let Ok(Event::Strings(strings)) = inbox.recv() else {
                    return Err(cancelled());
                };
                graph.strings = strings;
                seen_strings = true;
            }
            _ => {}
        }
    }

    let header = header.ok_or_else(|| FormatError::new("no `snapshot` meta in the file"))?;
    if graph.node_type.len() as u64 != header.node_count || header.node_count == 0 {
        return Err(FormatError::new(format!(
            "the snapshot has no `nodes` array for the {} nodes its meta declares",
            header.node_count
        )));
    }
    if !seen_strings {
        return Err(FormatError::new("the snapshot has no `strings` array"));
    }
    finish(graph, &edge_counts, edge_to)
}

fn bounded(declared: u64, possible: u64) -> usize {
    declared.min(possible).min(u32::MAX as u64) as usize
}

fn reserve_nodes(graph: &mut HeapGraph, n: usize, detachedness: bool) {
    graph.node_type.reserve(n);
    graph.node_name.reserve(n);
    graph.node_id.reserve(n);
    graph.node_self_size.reserve(n);
    if detachedness {
        graph.node_detachedness = Some(Vec::with_capacity(n));
    }
}

/// Cross-checks the arrays against each other and turns edge counts and `to_node` offsets into
/// the graph's CSR form.
fn finish(
    mut graph: HeapGraph,
    edge_counts: &[u32],
    edge_to: Vec<u32>,
) -> Result<HeapGraph, FormatError> {
    let n = graph.node_type.len();
    let m = graph.edge_type.len();
    if edge_to.len() != m {
        return Err(FormatError::new("the snapshot has no `edges` array"));
    }
    let mut first_edge = Vec::with_capacity(n + 1);
    let mut total: u64 = 0;
    for &c in edge_counts {
        first_edge.push(total as u32);
        total += u64::from(c);
        if total > m as u64 {
            break;
        }
    }
    if total != m as u64 {
        return Err(FormatError::new(format!(
            "the nodes' edge counts add up to {total} but `edges` holds {m} edges"
        )));
    }
    first_edge.push(total as u32);
    graph.first_edge = first_edge;
    graph.edge_to = edge_to;
    // The edges' names are checked on the other core while the nodes' are checked here.
    let edges_checked = std::thread::scope(|scope| {
        let edges = scope.spawn(|| check_edge_names(&graph));
        check_nodes(&graph)?;
        edges.join().expect("no panic")
    });
    edges_checked?;
    graph.locations.retain(|l| (l[0] as usize) < n);
    Ok(graph)
}

/// Every node's name and type index exist.
fn check_nodes(graph: &HeapGraph) -> Result<(), FormatError> {
    let strings = graph.strings.len() as u64;
    if let Some((i, name)) = graph
        .node_name
        .iter()
        .enumerate()
        .find(|(_, &s)| u64::from(s) >= strings)
    {
        return Err(FormatError::new(format!(
            "node {i} names string {name}, past the {strings} strings"
        )));
    }
    let node_types = graph.node_type_names.len();
    if let Some((i, t)) = graph
        .node_type
        .iter()
        .enumerate()
        .find(|(_, &t)| t as usize >= node_types)
    {
        return Err(FormatError::new(format!(
            "node {i} has type {t}, past the {node_types} node types"
        )));
    }
    Ok(())
}

/// Every edge's type exists, and named edges name an existing string.
fn check_edge_names(graph: &HeapGraph) -> Result<(), FormatError> {
    let strings = graph.strings.len() as u64;
    let edge_types = graph.edge_type_names.len();
    let by_index: Vec<bool> = graph
        .edge_type_names
        .iter()
        .map(|t| t == "element" || t == "hidden")
        .collect();
    for (i, (&t, &name)) in graph.edge_type.iter().zip(&graph.edge_name).enumerate() {
        if t as usize >= edge_types {
            return Err(FormatError::new(format!(
                "edge {i} has type {t}, past the {edge_types} edge types"
            )));
        }
        if !by_index[t as usize] && u64::from(name) >= strings {
            return Err(FormatError::new(format!(
                "edge {i} names string {name}, past the {strings} strings"
            )));
        }
    }
    Ok(())
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

/// Parses the digits at `buf[i..]`: the value, the index after the last digit, and whether the
/// value overflowed 64 bits. Eight bytes at a time where the buffer allows: snapshot numbers
/// are short, and this loop is where a large snapshot's reading time goes.
fn scan_digits(buf: &[u8], mut i: usize) -> (u64, usize, bool) {
    let mut value: u64 = 0;
    if let Some(chunk) = buf.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        // Digit values per byte; a byte that is no digit gets its high bit set in `stop`.
        let digits = word.wrapping_sub(0x3030_3030_3030_3030);
        let stop = (digits | digits.wrapping_add(0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080;
        let len = (stop.trailing_zeros() / 8) as usize;
        if len > 0 {
            // Left-pad to eight digits with zeros, then combine pairs, quads, octets.
            let padded = if len == 8 {
                digits
            } else {
                digits << (8 * (8 - len))
            };
            value = combine_eight_digits(padded);
            i += len;
            if len < 8 {
                return (value, i, false);
            }
        }
    }
    let mut overflow = false;
    while let Some(&b) = buf.get(i) {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        match value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d)))
        {
            Some(v) => value = v,
            None => overflow = true,
        }
        i += 1;
    }
    (value, i, overflow)
}

/// Eight digit values, most significant in the lowest byte, as one number.
fn combine_eight_digits(digits: u64) -> u64 {
    let pairs = digits.wrapping_mul(10).wrapping_add(digits >> 8);
    let mask = 0x0000_00FF_0000_00FF;
    let quads = (pairs & mask)
        .wrapping_mul(100 + (1_000_000 << 32))
        .wrapping_add(((pairs >> 16) & mask).wrapping_mul(1 + (10_000 << 32)));
    quads >> 32
}

/// A forward-only JSON scanner over a reader, with byte offsets for errors.
struct Scanner<R> {
    reader: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// Offset in the input of `buf[0]`.
    base: u64,
    eof: bool,
}

const CHUNK: usize = 1 << 20;

impl<R: Read> Scanner<R> {
    fn new(reader: R) -> Self {
        Scanner {
            reader,
            buf: vec![0; CHUNK],
            pos: 0,
            end: 0,
            base: 0,
            eof: false,
        }
    }

    fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Makes at least one byte available unless the input is over.
    fn fill(&mut self) -> Result<bool, FormatError> {
        if self.pos < self.end {
            return Ok(true);
        }
        if self.eof {
            return Ok(false);
        }
        self.base += self.end as u64;
        self.pos = 0;
        self.end = 0;
        loop {
            match self.reader.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end = n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(FormatError::at_byte(self.base, format!("read failed: {e}"))),
            }
        }
    }

    fn peek(&mut self) -> Result<Option<u8>, FormatError> {
        Ok(if self.fill()? {
            Some(self.buf[self.pos])
        } else {
            None
        })
    }

    fn next(&mut self) -> Result<Option<u8>, FormatError> {
        let b = self.peek()?;
        if b.is_some() {
            self.pos += 1;
        }
        Ok(b)
    }

    fn unexpected(&self, found: Option<u8>, wanted: &str) -> FormatError {
        let at = self.offset().saturating_sub(u64::from(found.is_some()));
        match found {
            None => FormatError::at_byte(
                at,
                format!("the file ends where {wanted} should be (truncated?)"),
            ),
            Some(b) => FormatError::at_byte(
                at,
                format!(
                    "expected {wanted}, found `{}`",
                    (b as char).escape_default()
                ),
            ),
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), FormatError> {
        match self.next()? {
            Some(b) if b == byte => Ok(()),
            other => Err(self.unexpected(other, &format!("`{}`", byte as char))),
        }
    }

    fn skip_ws(&mut self) -> Result<(), FormatError> {
        while let Some(b) = self.peek()? {
            if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                self.pos += 1;
            } else {
                break;
            }
        }
        Ok(())
    }

    /// Splits a number array (from its `[` to its `]`) into runs of whole numbers, each ending
    /// after a `,` except the last, and hands them to `emit` in order.
    fn number_chunks(
        &mut self,
        mut emit: impl FnMut(Chunk<&[u8]>) -> Result<(), FormatError>,
    ) -> Result<(), FormatError> {
        self.expect(b'[')?;
        let mut first = true;
        loop {
            if self.pos == self.end && !self.refill_keeping_rest()? {
                return Err(FormatError::at_byte(
                    self.offset(),
                    "the file ends inside a number array (truncated?)",
                ));
            }
            let available = &self.buf[self.pos..self.end];
            let (length, last) = match memchr::memchr(b']', available) {
                Some(close) => (close, true),
                None => match memchr::memrchr(b',', available) {
                    Some(comma) => (comma + 1, false),
                    None => {
                        // A run with no comma yet: read on, unless the buffer is full of it.
                        if self.pos == 0 && self.end == self.buf.len() {
                            return Err(FormatError::at_byte(
                                self.offset(),
                                "expected numbers separated by `,` in a number array",
                            ));
                        }
                        if !self.refill_keeping_rest()? {
                            return Err(FormatError::at_byte(
                                self.offset(),
                                "the file ends inside a number array (truncated?)",
                            ));
                        }
                        continue;
                    }
                },
            };
            let chunk = Chunk {
                bytes: &available[..length],
                base: self.offset(),
                first,
                last,
            };
            emit(chunk)?;
            self.pos += length + usize::from(last);
            first = false;
            if last {
                return Ok(());
            }
        }
    }

    /// Moves unread bytes to the front of the buffer and reads more after them. False when
    /// nothing more could be read.
    fn refill_keeping_rest(&mut self) -> Result<bool, FormatError> {
        if self.eof {
            return Ok(false);
        }
        let rest = self.end - self.pos;
        self.buf.copy_within(self.pos..self.end, 0);
        self.base += self.pos as u64;
        self.pos = 0;
        self.end = rest;
        loop {
            match self.reader.read(&mut self.buf[rest..]) {
                Ok(0) => {
                    self.eof = true;
                    // The kept bytes get one more look, now that the input is known to end.
                    return Ok(rest > 0);
                }
                Ok(n) => {
                    self.end = rest + n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(FormatError::at_byte(self.base, format!("read failed: {e}"))),
            }
        }
    }

    /// An array of strings, each handed to `sink`.
    fn string_array(&mut self, mut sink: impl FnMut(&str)) -> Result<(), FormatError> {
        self.expect(b'[')?;
        self.skip_ws()?;
        if self.peek()? == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        let mut text = String::new();
        loop {
            self.skip_ws()?;
            // Most strings have no escape and lie whole in the buffer: hand them over in place.
            let available = &self.buf[self.pos..self.end];
            let in_place = available
                .strip_prefix(b"\"")
                .and_then(|body| {
                    memchr::memchr2(b'"', b'\\', body)
                        .filter(|&q| body[q] == b'"')
                        .map(|q| &body[..q])
                })
                .and_then(|body| std::str::from_utf8(body).ok());
            match in_place {
                Some(string) => {
                    let length = string.len();
                    sink(string);
                    self.pos += length + 2;
                }
                None => {
                    text.clear();
                    self.string_into(&mut text)?;
                    sink(&text);
                }
            }
            self.skip_ws()?;
            match self.next()? {
                Some(b',') => continue,
                Some(b']') => return Ok(()),
                other => return Err(self.unexpected(other, "`,` or `]` in the strings array")),
            }
        }
    }

    fn string(&mut self) -> Result<String, FormatError> {
        let mut text = String::new();
        self.string_into(&mut text)?;
        Ok(text)
    }

    /// A JSON string. V8 writes lone surrogates as `\uD8xx`; they become U+FFFD.
    fn string_into(&mut self, out: &mut String) -> Result<(), FormatError> {
        let start = self.offset();
        self.expect(b'"')?;
        let mut bytes: Vec<u8> = Vec::new();
        let mut pending_high: Option<u16> = None;
        loop {
            if !self.fill()? {
                return Err(FormatError::at_byte(
                    start,
                    "the file ends inside a string (truncated?)",
                ));
            }
            let chunk = &self.buf[self.pos..self.end];
            match memchr::memchr2(b'"', b'\\', chunk) {
                None => {
                    if pending_high.take().is_some() {
                        bytes.extend_from_slice("\u{FFFD}".as_bytes());
                    }
                    bytes.extend_from_slice(chunk);
                    self.pos = self.end;
                }
                Some(i) => {
                    if i > 0 {
                        if pending_high.take().is_some() {
                            bytes.extend_from_slice("\u{FFFD}".as_bytes());
                        }
                        bytes.extend_from_slice(&chunk[..i]);
                    }
                    let quote = chunk[i] == b'"';
                    self.pos += i + 1;
                    if quote {
                        if pending_high.is_some() {
                            bytes.extend_from_slice("\u{FFFD}".as_bytes());
                        }
                        out.push_str(&String::from_utf8_lossy(&bytes));
                        return Ok(());
                    }
                    let at = self.offset() - 1;
                    let escaped = self.next()?.ok_or_else(|| {
                        FormatError::at_byte(at, "the file ends inside a string escape")
                    })?;
                    let simple = match escaped {
                        b'"' => Some(b'"'),
                        b'\\' => Some(b'\\'),
                        b'/' => Some(b'/'),
                        b'b' => Some(8),
                        b'f' => Some(12),
                        b'n' => Some(b'\n'),
                        b'r' => Some(b'\r'),
                        b't' => Some(b'\t'),
                        b'u' => None,
                        other => {
                            return Err(FormatError::at_byte(
                                at,
                                format!(
                                    "invalid string escape `\\{}`",
                                    (other as char).escape_default()
                                ),
                            ))
                        }
                    };
                    if let Some(b) = simple {
                        if pending_high.take().is_some() {
                            bytes.extend_from_slice("\u{FFFD}".as_bytes());
                        }
                        bytes.push(b);
                        continue;
                    }
                    let mut unit: u16 = 0;
                    for _ in 0..4 {
                        let h = self
                            .next()?
                            .and_then(|b| (b as char).to_digit(16))
                            .ok_or_else(|| FormatError::at_byte(at, "invalid `\\u` escape"))?;
                        unit = unit * 16 + h as u16;
                    }
                    let push_char = |c: char, bytes: &mut Vec<u8>| {
                        let mut b = [0u8; 4];
                        bytes.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
                    };
                    match (pending_high.take(), unit) {
                        (Some(high), 0xDC00..=0xDFFF) => {
                            let c = 0x10000
                                + ((u32::from(high) - 0xD800) << 10)
                                + (u32::from(unit) - 0xDC00);
                            push_char(char::from_u32(c).unwrap_or('\u{FFFD}'), &mut bytes);
                        }
                        (previous, 0xD800..=0xDBFF) => {
                            if previous.is_some() {
                                push_char('\u{FFFD}', &mut bytes);
                            }
                            pending_high = Some(unit);
                        }
                        (previous, _) => {
                            if previous.is_some() {
                                push_char('\u{FFFD}', &mut bytes);
                            }
                            push_char(
                                char::from_u32(u32::from(unit)).unwrap_or('\u{FFFD}'),
                                &mut bytes,
                            );
                        }
                    }
                }
            }
        }
    }

    /// Skips one JSON value of any kind; depth is bounded so a deeply nested input cannot
    /// exhaust the stack (there is no recursion).
    fn skip_value(&mut self) -> Result<(), FormatError> {
        let mut depth: u64 = 0;
        loop {
            self.skip_ws()?;
            match self.peek()? {
                None => return Err(self.unexpected(None, "a value")),
                Some(b'"') => {
                    let mut sink = String::new();
                    self.string_into(&mut sink)?;
                }
                Some(b'[' | b'{') => {
                    self.pos += 1;
                    depth += 1;
                    continue;
                }
                Some(b']' | b'}') if depth > 0 => {
                    self.pos += 1;
                    depth -= 1;
                }
                Some(b',' | b':') if depth > 0 => {
                    self.pos += 1;
                    continue;
                }
                Some(_) => {
                    // A number, true, false or null.
                    while let Some(b) = self.peek()? {
                        if matches!(b, b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t' | b':') {
                            break;
                        }
                        self.pos += 1;
                    }
                }
            }
            if depth == 0 {
                return Ok(());
            }
        }
    }

    /// The bytes of one value (used for the small `snapshot` meta object).
    fn raw_value(&mut self) -> Result<Vec<u8>, FormatError> {
        const LIMIT: usize = 1 << 20;
        let start = self.offset();
        let mut out = Vec::new();
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        loop {
            let b = self.next()?.ok_or_else(|| {
                FormatError::at_byte(start, "the file ends inside the snapshot meta")
            })?;
            out.push(b);
            if out.len() > LIMIT {
                return Err(FormatError::at_byte(
                    start,
                    "the snapshot meta is larger than 1 MiB",
                ));
            }
            if in_string {
                match (escaped, b) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok(out);
                    }
                }
                _ if depth == 0 && !b.is_ascii_whitespace() => {
                    return Err(FormatError::at_byte(
                        start,
                        "the snapshot meta is not an object",
                    ))
                }
                _ => {}
            }
        }
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
