//! A run of whole records of `nodes` or `edges`, parsed straight into columns: one vector per
//! field the graph keeps. Runs are parsed on both cores at once; the assembler appends their
//! columns in order, so parsing a number is the only work done per value.

use super::*;
use crate::model::heap_graph::edge_word;
use crate::model::node_sizes::NodeSizes;

/// Where each kept field sits in a node record.
#[derive(Debug, Clone, Copy)]
pub(super) struct NodeLayout {
    pub width: usize,
    pub type_at: usize,
    pub name_at: usize,
    pub id_at: usize,
    pub size_at: usize,
    pub edges_at: usize,
    pub detached_at: Option<usize>,
}

/// Where each kept field sits in an edge record, and what `to_node` may point at.
#[derive(Debug, Clone, Copy)]
pub(super) struct EdgeLayout {
    pub width: usize,
    pub type_at: usize,
    pub name_at: usize,
    pub to_at: usize,
    /// `to_node` is an offset into `nodes`: a multiple of the node width, below
    /// `node_count` records.
    pub node_width: Divisor,
    pub node_count: u64,
    /// How many edge types the meta names: a type is an index below it.
    pub types: u64,
}

/// The widest record read: a meta with more fields than this is refused.
pub(super) const MAX_WIDTH: usize = 64;

#[derive(Debug, Default)]
pub(super) struct NodeColumns {
    pub node_type: Vec<u8>,
    pub name: Vec<u32>,
    pub id: Vec<u32>,
    pub self_size: NodeSizes,
    pub edge_count: Vec<u32>,
    pub detachedness: Vec<u8>,
}

#[derive(Debug, Default)]
pub(super) struct EdgeColumns {
    /// Type and name in one word (`heap_graph::edge_word`).
    pub type_and_name: Vec<u32>,
    /// (record in the run, name) of the names too large for the word.
    pub large_names: Vec<(u32, u32)>,
    pub to: Vec<u32>,
}

impl NodeColumns {
    fn reserve(&mut self, records: usize, detachedness: bool) {
        self.node_type.reserve(records);
        self.name.reserve(records);
        self.id.reserve(records);
        self.self_size.reserve(records);
        self.edge_count.reserve(records);
        if detachedness {
            self.detachedness.reserve(records);
        }
    }

    fn clear(&mut self) {
        self.node_type.clear();
        self.name.clear();
        self.id.clear();
        self.self_size.clear();
        self.edge_count.clear();
        self.detachedness.clear();
    }
}

impl EdgeColumns {
    fn reserve(&mut self, records: usize) {
        self.type_and_name.reserve(records);
        self.to.reserve(records);
    }

    fn clear(&mut self) {
        self.type_and_name.clear();
        self.large_names.clear();
        self.to.clear();
    }
}

/// Things done with, to be used again: fresh read buffers and columns for every run would cost
/// the memory of the whole graph once more in page faults.
pub(super) struct Pool<T>(std::sync::Mutex<Vec<T>>);

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Pool(std::sync::Mutex::new(Vec::new()))
    }
}

impl<T> Pool<T> {
    /// One given back, or a new one.
    pub fn take(&self, new: impl FnOnce() -> T) -> T {
        self.0
            .lock()
            .ok()
            .and_then(|mut spare| spare.pop())
            .unwrap_or_else(new)
    }

    pub fn give(&self, item: T) {
        if let Ok(mut spare) = self.0.lock() {
            spare.push(item);
        }
    }
}

/// What the reader's threads hand round: read buffers (the workers give them back to the
/// tokenizer) and columns (the assembler gives them back to the workers, emptied).
#[derive(Default)]
pub(super) struct Spares {
    pub buffers: Pool<Vec<u8>>,
    nodes: Pool<NodeColumns>,
    edges: Pool<EdgeColumns>,
}

impl Spares {
    pub fn give_nodes(&self, mut columns: NodeColumns) {
        columns.clear();
        self.nodes.give(columns);
    }

    pub fn give_edges(&self, mut columns: EdgeColumns) {
        columns.clear();
        self.edges.give(columns);
    }
}

/// A run parsed: its columns and how many values it held (a last run may end inside a record:
/// its values count, its partial record is not kept).
pub(super) struct Parsed<C> {
    pub columns: C,
    pub values: u64,
}

/// A value that broke a rule, with the index (within its run) of the record holding it.
pub(super) enum RecordError {
    /// Not a number array at all: the parser's own error, placed at a byte.
    Syntax(FormatError),
    Record {
        index: u64,
        message: String,
    },
}

impl From<FormatError> for RecordError {
    fn from(e: FormatError) -> Self {
        RecordError::Syntax(e)
    }
}

/// Parses the values of `chunk` one record at a time, handing each whole record to `record`
/// with its index in the run.
fn records<B: AsRef<[u8]>>(
    chunk: &Chunk<B>,
    width: usize,
    mut record: impl FnMut(&[u64], u64) -> Result<(), RecordError>,
) -> Result<u64, RecordError> {
    let mut values = [0u64; MAX_WIDTH];
    let mut field = 0;
    let mut whole = 0u64;
    let mut failed = None;
    parse_numbers(chunk, |value| {
        values[field] = value;
        field += 1;
        if field == width {
            field = 0;
            if let Err(e) = record(&values[..width], whole) {
                failed = Some(e);
                return Err(FormatError::new("stopped"));
            }
            whole += 1;
        }
        Ok(())
    })
    .map_err(|e| failed.take().unwrap_or(RecordError::Syntax(e)))?;
    Ok(whole * width as u64 + field as u64)
}

/// A type must fit 8 bits and the other fields (`wide`: all of them or'ed, so one test covers
/// them) 32; the rare failure finds out which.
fn check_ranges(t: u64, wide: u64, index: u64) -> Result<(), RecordError> {
    if (t >> 8) | (wide >> 32) == 0 {
        return Ok(());
    }
    let message = if t > u64::from(u8::MAX) {
        out_of_range("type", t)
    } else {
        format!("a value past {} is out of range", u32::MAX)
    };
    Err(RecordError::Record { index, message })
}

pub(super) fn nodes<B: AsRef<[u8]>>(
    chunk: &Chunk<B>,
    layout: &NodeLayout,
    spares: &Spares,
) -> Result<Parsed<NodeColumns>, RecordError> {
    let mut c = spares.nodes.take(NodeColumns::default);
    c.reserve(
        chunk.values as usize / layout.width,
        layout.detached_at.is_some(),
    );
    let l = *layout;
    let values = records(chunk, l.width, |r, index| {
        let (t, name, id, edges) = (r[l.type_at], r[l.name_at], r[l.id_at], r[l.edges_at]);
        check_ranges(t, name | id | edges, index)?;
        c.node_type.push(t as u8);
        c.name.push(name as u32);
        c.id.push(id as u32);
        let size = r[l.size_at];
        c.self_size.push(size);
        c.edge_count.push(edges as u32);
        if let Some(at) = l.detached_at {
            c.detachedness.push(r[at].min(u64::from(u8::MAX)) as u8);
        }
        Ok(())
    })?;
    Ok(Parsed { columns: c, values })
}

pub(super) fn edges<B: AsRef<[u8]>>(
    chunk: &Chunk<B>,
    layout: &EdgeLayout,
    spares: &Spares,
) -> Result<Parsed<EdgeColumns>, RecordError> {
    let mut c = spares.edges.take(EdgeColumns::default);
    c.reserve(chunk.values as usize / layout.width);
    let l = *layout;
    let values = records(chunk, l.width, |r, index| {
        let (t, name, offset) = (r[l.type_at], r[l.name_at], r[l.to_at]);
        check_ranges(t, name, index)?;
        if t >= l.types {
            return Err(RecordError::Record {
                index,
                message: format!("has type {t}, past the {} edge types", l.types),
            });
        }
        let to = l.node_width.divide(offset);
        if to * l.node_width.divisor() != offset || to >= l.node_count {
            return Err(RecordError::Record {
                index,
                message: format!(
                    "points to node offset {offset}, which is not the start of one of the {} nodes",
                    l.node_count
                ),
            });
        }
        let (word, aside) = edge_word(t as u8, name as u32);
        if aside {
            c.large_names.push((index as u32, name as u32));
        }
        c.type_and_name.push(word);
        c.to.push(to as u32);
        Ok(())
    })?;
    Ok(Parsed { columns: c, values })
}

/// Every value of a run, for the small arrays (`locations`).
pub(super) fn values<B: AsRef<[u8]>>(chunk: &Chunk<B>) -> Result<Parsed<Vec<u64>>, RecordError> {
    let mut all = Vec::with_capacity(chunk.values as usize);
    parse_numbers(chunk, |v| {
        all.push(v);
        Ok(())
    })?;
    let values = all.len() as u64;
    Ok(Parsed {
        columns: all,
        values,
    })
}

/// Division by a divisor fixed for the whole file, as a multiplication: a hardware division
/// per edge would cost as much as parsing the edge.
#[derive(Debug, Clone, Copy)]
pub(super) struct Divisor {
    divisor: u64,
    /// ⌈2⁶⁴ / divisor⌉, exact for 32-bit dividends (Lemire, Kaser, Kurz 2019).
    magic: u64,
}

impl Divisor {
    pub fn new(divisor: u64) -> Self {
        let divisor = divisor.max(1);
        let magic = if divisor == 1 {
            0
        } else {
            u64::MAX / divisor + 1
        };
        Divisor { divisor, magic }
    }

    pub fn divisor(&self) -> u64 {
        self.divisor
    }

    pub fn divide(&self, n: u64) -> u64 {
        if self.divisor == 1 {
            n
        } else if n <= u64::from(u32::MAX) {
            ((u128::from(self.magic) * u128::from(n)) >> 64) as u64
        } else {
            n / self.divisor
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Divisor;

    #[test]
    fn division_by_multiplication_is_exact() {
        for d in [1u64, 2, 3, 5, 6, 7, 9, 12, 13, 1000] {
            let divisor = Divisor::new(d);
            for n in (0..100_000)
                .chain(u64::from(u32::MAX) - 100_000..=u64::from(u32::MAX) + 100)
                .chain([u64::MAX - 7, u64::MAX])
            {
                assert_eq!(divisor.divide(n), n / d, "{n} / {d}");
            }
        }
    }
}
