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
use crate::formats::{MemoryBudget, ReadOptions};
use crate::model::heap_graph::{HeapGraph, Strings, EDGE_TYPES_MAX};
use crate::model::{Contents, Format};

mod assemble;
mod columns;
mod json;

use assemble::assemble;
use columns::{
    Divisor, EdgeColumns, EdgeLayout, NodeColumns, NodeLayout, Parsed, RecordError, Spares,
    MAX_WIDTH,
};
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

/// What the assembler is handed, in the order of the file.
enum Event {
    /// A top-level key and the offset where it starts.
    Key(String, u64),
    /// The `snapshot` meta, read and checked.
    Meta(Box<SnapshotMeta>),
    /// The next records of `nodes`, `edges`, or values of another number array.
    Nodes(Parsed<NodeColumns>),
    Edges(Parsed<EdgeColumns>),
    Values(Parsed<Vec<u64>>),
    /// The current number array ended.
    ArrayEnd,
    Strings(Strings),
    /// The input is damaged here: nothing after it is read.
    Failed(FormatError),
}

/// The meta and the record layouts it declares.
struct SnapshotMeta {
    header: Header,
    nodes: NodeLayout,
    edges: EdgeLayout,
    node_type_names: Vec<String>,
    edge_type_names: Vec<String>,
}

/// A run of a number array for a worker to parse.
struct Job {
    seq: u64,
    chunk: Chunk<Run>,
    array: Array,
}

/// A run's bytes: part of a read buffer the tokenizer handed over whole rather than copy.
pub(super) struct Run {
    buffer: Vec<u8>,
    range: std::ops::Range<usize>,
}

impl AsRef<[u8]> for Run {
    fn as_ref(&self) -> &[u8] {
        &self.buffer[self.range.clone()]
    }
}

/// The number array being read, with its record layout and where its key stands.
#[derive(Clone, Copy)]
enum Array {
    Nodes(NodeLayout, u64),
    Edges(EdgeLayout, u64),
    Other,
}

impl Array {
    /// Values per record.
    fn width(&self) -> usize {
        match self {
            Array::Nodes(layout, _) => layout.width,
            Array::Edges(layout, _) => layout.width,
            Array::Other => 1,
        }
    }
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
    /// Values in the run (by its commas), and in the array before it.
    values: u64,
    first_value: u64,
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

/// Runs of numbers out at once (read, queued, being parsed, or parsed and not yet appended):
/// bounds the memory in flight.
const IN_FLIGHT: usize = 8;

/// Reads a snapshot from `reader`. `size_hint` (bytes the JSON can at most hold) bounds
/// allocations sized from the header's counts.
///
/// One thread walks the JSON and cuts the big number arrays into runs of whole records; workers,
/// one per core, parse runs into columns; the assembler (this thread) appends the columns in
/// file order. Parsing numbers is nearly all the work, and it runs on every core.
///
/// With a `memory` limit, a snapshot whose header says its analysis needs more is refused
/// before anything else is read.
pub fn parse(
    reader: impl Read + Send,
    size_hint: u64,
    memory: Option<&MemoryBudget>,
) -> Result<HeapGraph, FormatError> {
    let (events, inbox) = std::sync::mpsc::sync_channel::<(u64, Event)>(2 * IN_FLIGHT);
    let (jobs, work) = std::sync::mpsc::sync_channel::<Job>(IN_FLIGHT);
    let (credit, credits) = std::sync::mpsc::sync_channel::<()>(IN_FLIGHT);
    for _ in 0..IN_FLIGHT {
        credit.send(()).expect("the credits are still held");
    }
    let work = std::sync::Mutex::new(work);
    let spares = Spares::default();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4));
    std::thread::scope(|scope| {
        let outbox = Outbox {
            seq: 0,
            events: events.clone(),
            jobs,
            credits,
            spares: &spares,
        };
        scope.spawn(move || tokenize_into(reader, outbox, memory));
        for _ in 0..workers {
            let events = events.clone();
            let work = &work;
            let spares = &spares;
            scope.spawn(move || parse_runs(work, &events, spares));
        }
        drop(events);
        // Returning drops the inbox and the credits: whoever still works stops at its next send.
        assemble(inbox, credit, &spares, size_hint)
    })
}

/// Error the other threads stop with when the assembler stopped listening (it has its own).
fn cancelled() -> FormatError {
    FormatError::new("reading stopped")
}

/// Where the tokenizer sends what it finds, numbered in file order.
struct Outbox<'a> {
    seq: u64,
    events: std::sync::mpsc::SyncSender<(u64, Event)>,
    jobs: std::sync::mpsc::SyncSender<Job>,
    /// One taken per run handed out, given back by the assembler when it has the run's columns.
    credits: std::sync::mpsc::Receiver<()>,
    /// Where the workers give parsed runs' buffers back.
    spares: &'a Spares,
}

impl Outbox<'_> {
    fn send(&mut self, event: Event) -> Result<(), FormatError> {
        self.seq += 1;
        self.events.send((self.seq, event)).map_err(|_| cancelled())
    }

    /// Hands a run to the workers (its buffer came from `buffer`, which waits for a credit).
    fn run(&mut self, chunk: Chunk<Run>, array: Array) -> Result<(), FormatError> {
        self.seq += 1;
        let job = Job {
            seq: self.seq,
            chunk,
            array,
        };
        self.jobs.send(job).map_err(|_| cancelled())
    }

    /// A buffer for the scanner to read on into while its last one is parsed, once fewer than
    /// `IN_FLIGHT` runs are out.
    fn buffer(&mut self) -> Result<Vec<u8>, FormatError> {
        self.credits.recv().map_err(|_| cancelled())?;
        Ok(self.spares.buffers.take(|| vec![0; json::CHUNK]))
    }
}

/// The tokenizer thread: its own errors go to the assembler in file order, after everything
/// before them.
fn tokenize_into(reader: impl Read, mut outbox: Outbox, memory: Option<&MemoryBudget>) {
    if let Err(e) = tokenize(reader, &mut outbox, memory) {
        if e != cancelled() {
            let _ = outbox.send(Event::Failed(e));
        }
    }
}

fn tokenize(
    reader: impl Read,
    outbox: &mut Outbox,
    memory: Option<&MemoryBudget>,
) -> Result<(), FormatError> {
    let mut s = Scanner::new(reader);
    let mut layouts: Option<(NodeLayout, EdgeLayout)> = None;
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
        outbox.send(Event::Key(key.clone(), key_at))?;
        match key.as_str() {
            "snapshot" => {
                let meta = read_meta(&s.raw_value()?, key_at)?;
                if let Some(budget) = memory {
                    // The refusal is about the whole snapshot, not a place in it.
                    take_memory(&meta.header, budget).map_err(FormatError::new)?;
                }
                layouts = Some((meta.nodes, meta.edges));
                outbox.send(Event::Meta(Box::new(meta)))?;
            }
            "nodes" | "edges" | "locations" => {
                let array = match (key.as_str(), layouts) {
                    ("nodes", Some((nodes, _))) => Array::Nodes(nodes, key_at),
                    ("edges", Some((_, edges))) => Array::Edges(edges, key_at),
                    ("locations", _) => Array::Other,
                    _ => {
                        return Err(FormatError::at_byte(
                            key_at,
                            format!("`{key}` comes before the snapshot meta"),
                        ))
                    }
                };
                s.number_chunks(array.width(), outbox, |outbox, chunk| {
                    outbox.run(chunk, array)
                })?;
                outbox.send(Event::ArrayEnd)?;
            }
            "strings" => {
                let mut strings = Strings::default();
                s.string_array(|text| strings.push(text))?;
                outbox.send(Event::Strings(strings))?;
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

/// A worker: parses runs until there are none, handing the columns (or the error) on with the
/// run's number, and the run's buffer back.
fn parse_runs(
    work: &std::sync::Mutex<std::sync::mpsc::Receiver<Job>>,
    events: &std::sync::mpsc::SyncSender<(u64, Event)>,
    spares: &Spares,
) {
    loop {
        let next = work.lock().map(|queue| queue.recv());
        let Ok(Ok(job)) = next else {
            return;
        };
        let chunk = &job.chunk;
        let placed = |record: &'static str, width: usize, key_at: u64| {
            move |e: RecordError| match e {
                RecordError::Syntax(e) => e,
                RecordError::Record { index, message } => FormatError::at_byte(
                    key_at,
                    format!(
                        "in `{record}s`, {record} {}: {message}",
                        chunk.first_value / width as u64 + index
                    ),
                ),
            }
        };
        let event = match job.array {
            Array::Nodes(layout, key_at) => columns::nodes(chunk, &layout, spares)
                .map(Event::Nodes)
                .map_err(placed("node", layout.width, key_at)),
            Array::Edges(layout, key_at) => columns::edges(chunk, &layout, spares)
                .map(Event::Edges)
                .map_err(placed("edge", layout.width, key_at)),
            Array::Other => columns::values(chunk)
                .map(Event::Values)
                .map_err(placed("value", 1, 0)),
        }
        .unwrap_or_else(Event::Failed);
        spares.buffers.give(job.chunk.bytes.buffer);
        if events.send((job.seq, event)).is_err() {
            return;
        }
    }
}

/// Takes the memory the snapshot's analysis needs from the run's budget, or refuses it with
/// the estimate.
fn take_memory(header: &Header, budget: &MemoryBudget) -> Result<(), String> {
    let needed = HeapGraph::memory_to_analyse(header.node_count, header.edge_count);
    budget
        .take(needed)
        .map_err(|over| over.message(header.node_count, header.edge_count))
}

/// The object and edge counts a snapshot's header declares, from the first bytes of the file
/// (None when they are not there, or are no snapshot's).
pub fn declared_counts(head: &[u8]) -> Option<(u64, u64)> {
    let mut s = Scanner::new(head);
    s.skip_ws().ok()?;
    s.expect(b'{').ok()?;
    s.skip_ws().ok()?;
    if s.string().ok()? != "snapshot" {
        return None;
    }
    s.skip_ws().ok()?;
    s.expect(b':').ok()?;
    s.skip_ws().ok()?;
    let header: Header = serde_json::from_slice(&s.raw_value().ok()?).ok()?;
    Some((header.node_count, header.edge_count))
}

fn out_of_range(what: &str, value: u64) -> String {
    format!("{what} {value} is out of range")
}

/// The meta object: counts, record layouts and type names, each checked.
fn read_meta(raw: &[u8], key_at: u64) -> Result<SnapshotMeta, FormatError> {
    let at = |m: String| FormatError::at_byte(key_at, m);
    let header: Header =
        serde_json::from_slice(raw).map_err(|e| at(format!("malformed snapshot meta: {e}")))?;
    let node_type_names = type_names(&header.meta.node_types)
        .ok_or_else(|| at("meta.node_types[0] is not a list of names".into()))?;
    let edge_type_names = type_names(&header.meta.edge_types)
        .ok_or_else(|| at("meta.edge_types[0] is not a list of names".into()))?;
    if edge_type_names.len() as u64 > EDGE_TYPES_MAX {
        return Err(at(format!(
            "meta.edge_types names {} edge types; at most {EDGE_TYPES_MAX} are supported",
            edge_type_names.len()
        )));
    }
    let nodes = node_layout(&header.meta).map_err(at)?;
    let edge_types = edge_type_names.len() as u64;
    let edges =
        edge_layout(&header.meta, nodes.width, header.node_count, edge_types).map_err(at)?;
    Ok(SnapshotMeta {
        header,
        nodes,
        edges,
        node_type_names,
        edge_type_names,
    })
}

/// Where `name` sits in `fields`.
fn position(fields: &[String], list: &str, name: &str) -> Result<usize, String> {
    fields
        .iter()
        .position(|f| f == name)
        .ok_or_else(|| format!("meta.{list} has no `{name}`"))
}

fn checked_width(fields: &[String], list: &str) -> Result<usize, String> {
    if fields.len() > MAX_WIDTH {
        return Err(format!(
            "meta.{list} lists {} fields; at most {MAX_WIDTH} are read",
            fields.len()
        ));
    }
    Ok(fields.len())
}

fn node_layout(meta: &Meta) -> Result<NodeLayout, String> {
    let fields = &meta.node_fields;
    let at = |name| position(fields, "node_fields", name);
    Ok(NodeLayout {
        width: checked_width(fields, "node_fields")?,
        type_at: at("type")?,
        name_at: at("name")?,
        id_at: at("id")?,
        size_at: at("self_size")?,
        edges_at: at("edge_count")?,
        detached_at: at("detachedness").ok(),
    })
}

fn edge_layout(
    meta: &Meta,
    node_width: usize,
    node_count: u64,
    types: u64,
) -> Result<EdgeLayout, String> {
    let fields = &meta.edge_fields;
    let at = |name| position(fields, "edge_fields", name);
    Ok(EdgeLayout {
        width: checked_width(fields, "edge_fields")?,
        type_at: at("type")?,
        name_at: at("name_or_index")?,
        to_at: at("to_node")?,
        node_width: Divisor::new(node_width as u64),
        node_count,
        types,
    })
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
        parse(bytes, bytes.len() as u64, None).map(Contents::Heap)
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
        let g = parse(TINY.as_bytes(), TINY.len() as u64, None).unwrap();
        assert_eq!(g.node_count(), 4);
        assert_eq!(g.edge_count(), 4);
        assert_eq!(g.name(1), "Leaky");
        assert_eq!(g.name(2), "Helperé");
        assert_eq!(g.name(3), "a \"quoted\" 😀 string");
        assert_eq!(g.type_name(3), "string");
        assert_eq!(g.node_id[2], 5);
        assert_eq!(g.self_size(1), 40);
        assert_eq!(g.edges(0), 0..2);
        assert_eq!(g.edge_to[..], [1, 1, 2, 3]);
        assert_eq!(g.edge_label(1), ".global");
        assert_eq!(g.edge_label(0), "[1]");
        assert_eq!(g.edge_label(3), "[[weakref]]");
        assert_eq!(g.node_detachedness.as_ref().unwrap()[2], 2);
        assert_eq!(g.locations, [[2, 3, 10, 4]]);
    }

    #[test]
    fn self_sizes_of_4_gib_and_more() {
        let text = TINY
            .replace("3,2,5,24,", "3,2,5,4294967295,")
            .replace("2,3,7,16,", "2,3,7,6000000000,");
        let g = parse(text.as_bytes(), text.len() as u64, None).unwrap();
        assert_eq!(g.self_size(1), 40);
        assert_eq!(g.self_size(2), 4_294_967_295);
        assert_eq!(g.self_size(3), 6_000_000_000);
        assert_eq!(
            g.self_sizes().collect::<Vec<_>>(),
            [0, 40, 4_294_967_295, 6_000_000_000]
        );
    }

    #[test]
    fn counts_from_the_head_of_the_file() {
        assert_eq!(declared_counts(&TINY.as_bytes()[..900]), Some((4, 4)));
        assert_eq!(declared_counts(&TINY.as_bytes()[..100]), None);
        assert_eq!(declared_counts(b"goroutine profile: total 4"), None);
    }

    #[test]
    fn too_large_for_memory_is_refused_before_reading() {
        let tight = MemoryBudget::new(Some(100));
        let e = parse(TINY.as_bytes(), TINY.len() as u64, Some(&tight)).unwrap_err();
        assert!(e.message.contains("4 objects, 4 edges"), "{e:?}");
        assert!(e.message.contains("needs about 244 bytes"), "{e:?}");
        assert!(e.message.contains("--memory-limit is 100 bytes"), "{e:?}");
        // Two snapshots share one budget: the second finds what the first left.
        let for_one = MemoryBudget::new(Some(400));
        assert!(parse(TINY.as_bytes(), TINY.len() as u64, Some(&for_one)).is_ok());
        let e = parse(TINY.as_bytes(), TINY.len() as u64, Some(&for_one)).unwrap_err();
        assert!(
            e.message
                .contains("is left for it after the snapshots before it"),
            "{e:?}"
        );
    }

    fn error(text: &str) -> FormatError {
        parse(text.as_bytes(), text.len() as u64, None).unwrap_err()
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
    fn edge_types_past_the_meta_or_the_word() {
        let e = error(&TINY.replace("6,6,21]", "7,6,21]"));
        assert!(e.message.contains("type 7, past the 7 edge types"), "{e:?}");
        let e = error(&TINY.replace(r#""shortcut","weak"]"#, r#""shortcut","weak","a","b"]"#));
        assert!(e.message.contains("9 edge types; at most 8"), "{e:?}");
    }

    #[test]
    fn element_indexes_too_large_to_share_a_word_with_the_type() {
        // A sparse array's element 4000000000: past the 29 bits an edge's word leaves its name.
        let text = TINY.replace("\"edges\":[1,1,7,", "\"edges\":[1,4000000000,7,");
        let g = parse(text.as_bytes(), text.len() as u64, None).unwrap();
        assert_eq!(g.edge_label(0), "[4000000000]");
        assert_eq!(g.edge_label(1), ".global");
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
        assert!(parse(text.as_bytes(), text.len() as u64, None).is_ok());
    }
}
