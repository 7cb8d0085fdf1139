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

/// Reads a snapshot from `reader`. `size_hint` (bytes the JSON can at most hold) bounds
/// allocations sized from the header's counts.
pub fn parse(reader: impl Read, size_hint: u64) -> Result<HeapGraph, FormatError> {
    let mut s = Scanner::new(reader);
    let mut graph = HeapGraph::default();
    let mut header: Option<Header> = None;
    let mut node_layout: Vec<NodeField> = Vec::new();
    let mut edge_layout: Vec<EdgeField> = Vec::new();
    let mut edge_counts: Vec<u32> = Vec::new();
    let mut raw_edge_to: Vec<u32> = Vec::new();
    let mut seen_strings = false;

    s.skip_ws()?;
    s.expect(b'{')?;
    loop {
        s.skip_ws()?;
        if s.peek()? == Some(b'}') {
            break;
        }
        let key_at = s.offset();
        let key = s.string()?;
        s.skip_ws()?;
        s.expect(b':')?;
        s.skip_ws()?;
        match key.as_str() {
            "snapshot" => {
                let raw = s.raw_value()?;
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
                let mut field = 0usize;
                let mut count = 0u64;
                s.uint_array(|value, at| {
                    let v32 = || {
                        u32::try_from(value).map_err(|_| {
                            FormatError::at_byte(
                                at,
                                format!("node value {value} does not fit 32 bits"),
                            )
                        })
                    };
                    match node_layout[field] {
                        NodeField::Type => {
                            graph.node_type.push(u8::try_from(value).map_err(|_| {
                                FormatError::at_byte(
                                    at,
                                    format!("node type {value} is not a type index"),
                                )
                            })?)
                        }
                        NodeField::Name => graph.node_name.push(v32()?),
                        NodeField::Id => graph.node_id.push(v32()?),
                        NodeField::SelfSize => graph.node_self_size.push(value),
                        NodeField::EdgeCount => edge_counts.push(v32()?),
                        NodeField::Detachedness => {
                            if let Some(d) = graph.node_detachedness.as_mut() {
                                d.push(value.min(u8::MAX as u64) as u8)
                            }
                        }
                        NodeField::Other => {}
                    }
                    field += 1;
                    if field == node_layout.len() {
                        field = 0;
                        count += 1;
                    }
                    Ok(())
                })?;
                if field != 0 {
                    return Err(FormatError::at_byte(
                        s.offset(),
                        format!(
                            "`nodes` ends inside a node record: its length is not a multiple of the {} node fields",
                            node_layout.len()
                        ),
                    ));
                }
                if count != h.node_count {
                    return Err(FormatError::at_byte(
                        key_at,
                        format!(
                            "the meta says {} nodes but `nodes` holds {count}",
                            h.node_count
                        ),
                    ));
                }
            }
            "edges" => {
                let h = header.as_ref().ok_or_else(|| {
                    FormatError::at_byte(key_at, "`edges` comes before the snapshot meta")
                })?;
                let width = edge_layout.len() as u64;
                let m = bounded(h.edge_count, size_hint / (2 * width.max(1)));
                graph.edge_type.reserve(m);
                graph.edge_name.reserve(m);
                raw_edge_to.reserve(m);
                let mut field = 0usize;
                let mut count = 0u64;
                s.uint_array(|value, at| {
                    let v32 = || {
                        u32::try_from(value).map_err(|_| {
                            FormatError::at_byte(
                                at,
                                format!("edge value {value} does not fit 32 bits"),
                            )
                        })
                    };
                    match edge_layout[field] {
                        EdgeField::Type => {
                            graph.edge_type.push(u8::try_from(value).map_err(|_| {
                                FormatError::at_byte(
                                    at,
                                    format!("edge type {value} is not a type index"),
                                )
                            })?)
                        }
                        EdgeField::NameOrIndex => graph.edge_name.push(v32()?),
                        EdgeField::ToNode => raw_edge_to.push(v32()?),
                        EdgeField::Other => {}
                    }
                    field += 1;
                    if field == edge_layout.len() {
                        field = 0;
                        count += 1;
                    }
                    Ok(())
                })?;
                if field != 0 {
                    return Err(FormatError::at_byte(
                        s.offset(),
                        "`edges` ends inside an edge record",
                    ));
                }
                if count != h.edge_count {
                    return Err(FormatError::at_byte(
                        key_at,
                        format!(
                            "the meta says {} edges but `edges` holds {count}",
                            h.edge_count
                        ),
                    ));
                }
            }
            "locations" => {
                let h = header.as_ref().ok_or_else(|| {
                    FormatError::at_byte(key_at, "`locations` comes before the snapshot meta")
                })?;
                let width = h.meta.location_fields.len();
                let mut record = [0u32; 4];
                let mut field = 0usize;
                let node_width = node_layout.len() as u64;
                let locations = &mut graph.locations;
                s.uint_array(|value, at| {
                    if width == 4 {
                        let v = u32::try_from(value).map_err(|_| {
                            FormatError::at_byte(
                                at,
                                format!("location value {value} does not fit 32 bits"),
                            )
                        })?;
                        record[field] = if field == 0 {
                            (value / node_width) as u32
                        } else {
                            v
                        };
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
                let mut strings = Strings::default();
                s.string_array(|text| strings.push(text))?;
                graph.strings = strings;
                seen_strings = true;
            }
            _ => s.skip_value()?,
        }
        s.skip_ws()?;
        match s.next()? {
            Some(b',') => continue,
            Some(b'}') => break,
            other => return Err(s.unexpected(other, "`,` or `}` after a top-level value")),
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
    finish(graph, &edge_counts, raw_edge_to, node_layout.len() as u32)
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
    raw_edge_to: Vec<u32>,
    node_width: u32,
) -> Result<HeapGraph, FormatError> {
    let n = graph.node_type.len();
    let m = graph.edge_type.len();
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
    let mut edge_to = raw_edge_to;
    for (i, to) in edge_to.iter_mut().enumerate() {
        if *to % node_width != 0 || (*to / node_width) as usize >= n {
            return Err(FormatError::new(format!(
                "edge {i} points to node offset {to}, which is not the start of one of the {n} nodes"
            )));
        }
        *to /= node_width;
    }
    graph.edge_to = edge_to;
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
    let edge_types = graph.edge_type_names.len();
    if let Some((i, t)) = graph
        .edge_type
        .iter()
        .enumerate()
        .find(|(_, &t)| t as usize >= edge_types)
    {
        return Err(FormatError::new(format!(
            "edge {i} has type {t}, past the {edge_types} edge types"
        )));
    }
    let by_index: Vec<bool> = graph
        .edge_type_names
        .iter()
        .map(|t| t == "element" || t == "hidden")
        .collect();
    for (i, (&t, &name)) in graph.edge_type.iter().zip(&graph.edge_name).enumerate() {
        if !by_index[t as usize] && u64::from(name) >= strings {
            return Err(FormatError::new(format!(
                "edge {i} names string {name}, past the {strings} strings"
            )));
        }
    }
    graph.locations.retain(|l| (l[0] as usize) < n);
    Ok(graph)
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

    /// An array of unsigned integers, each handed to `sink` with its offset.
    fn uint_array(
        &mut self,
        mut sink: impl FnMut(u64, u64) -> Result<(), FormatError>,
    ) -> Result<(), FormatError> {
        self.expect(b'[')?;
        self.skip_ws()?;
        if self.peek()? == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_ws()?;
            let at = self.offset();
            let value = self.uint()?;
            sink(value, at)?;
            // Fast path: separators are almost always a lone `,`.
            match self.next()? {
                Some(b',') => continue,
                Some(b']') => return Ok(()),
                Some(b' ' | b'\n' | b'\r' | b'\t') => {
                    self.skip_ws()?;
                    match self.next()? {
                        Some(b',') => continue,
                        Some(b']') => return Ok(()),
                        other => return Err(self.unexpected(other, "`,` or `]` in a number array")),
                    }
                }
                other => return Err(self.unexpected(other, "`,` or `]` in a number array")),
            }
        }
    }

    fn uint(&mut self) -> Result<u64, FormatError> {
        let start = self.offset();
        let mut value: u64 = 0;
        let mut digits = 0;
        loop {
            // Scan the digits available in the buffer without per-byte refill checks.
            let mut i = self.pos;
            while i < self.end {
                let d = self.buf[i].wrapping_sub(b'0');
                if d > 9 {
                    break;
                }
                value = value
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(u64::from(d)))
                    .ok_or_else(|| {
                        FormatError::at_byte(start, "a number in the snapshot does not fit 64 bits")
                    })?;
                i += 1;
            }
            digits += i - self.pos;
            self.pos = i;
            if self.pos < self.end || !self.fill()? {
                break;
            }
        }
        if digits == 0 {
            let found = self.peek()?;
            return Err(match found {
                None => {
                    FormatError::at_byte(start, "the file ends inside a number array (truncated?)")
                }
                Some(b) => FormatError::at_byte(
                    start,
                    format!(
                        "expected a non-negative integer, found `{}`",
                        (b as char).escape_default()
                    ),
                ),
            });
        }
        if let Some(b'.' | b'e' | b'E') = self.peek()? {
            return Err(FormatError::at_byte(
                start,
                "expected an integer, found a fraction or exponent",
            ));
        }
        Ok(value)
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
            text.clear();
            self.string_into(&mut text)?;
            sink(&text);
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
        assert_eq!(g.class_name(1), "Leaky");
        assert_eq!(g.class_name(3), "(string)");
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
    fn deep_nesting_in_skipped_sections_is_fine() {
        let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let text = TINY.replace("\"samples\":[]", &format!("\"samples\":{nested}"));
        assert!(parse(text.as_bytes(), text.len() as u64).is_ok());
    }
}
