//! The object graph of a heap snapshot, stored as struct-of-arrays of 32-bit values so that
//! snapshots of millions of objects fit in two thirds of their JSON size (17 bytes per object
//! and 8 per edge, plus the strings).
//!
//! Nodes are numbered by ordinal (0 = the synthetic root). The edges of node `n` are
//! `first_edge[n]..first_edge[n + 1]`. The graph implements petgraph's visit traits, so
//! petgraph algorithms (`Dfs`, `Bfs`, `dominators`) run on it directly.

use std::collections::BTreeMap;

use fixedbitset::FixedBitSet;
use petgraph::visit::{GraphBase, IntoNeighbors, NodeCount, NodeIndexable, Visitable};

use crate::model::node_sizes::NodeSizes;

/// A string table with one allocation for all strings. Ends are kept in 32 bits (a snapshot holds
/// millions of strings); a table of 4 GiB of text and more records where the ends wrap round.
#[derive(Debug, Clone, Default)]
pub struct Strings {
    text: String,
    /// The low 32 bits of each string's end in `text`.
    ends: Vec<u32>,
    /// The first string whose end lies past each further 4 GiB of text, in order (a string
    /// spanning several such boundaries appears once per boundary).
    wraps: Vec<u32>,
}

impl Strings {
    pub fn push(&mut self, s: &str) {
        let before = self.text.len() as u64 >> 32;
        self.text.push_str(s);
        let end = self.text.len() as u64;
        for _ in before..end >> 32 {
            self.wraps.push(self.ends.len() as u32);
        }
        self.ends.push(end as u32);
    }

    /// Where string `i` ends in `text`.
    fn end(&self, i: usize) -> usize {
        let high = if self.wraps.is_empty() {
            0
        } else {
            self.wraps.partition_point(|&w| w as usize <= i) as u64
        };
        ((high << 32) | self.ends[i] as u64) as usize
    }

    pub fn get(&self, index: u32) -> &str {
        let i = index as usize;
        let start = if i == 0 { 0 } else { self.end(i - 1) };
        &self.text[start..self.end(i)]
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Index of `s`, by linear search (for the handful of names looked up per command).
    pub fn find(&self, s: &str) -> Option<u32> {
        (0..self.len() as u32).find(|&i| self.get(i) == s)
    }
}

/// Bits of an edge's word that hold its type: snapshots have had 7 edge types for years.
pub const EDGE_TYPE_BITS: u32 = 3;
/// The most edge types a snapshot may declare.
pub const EDGE_TYPES_MAX: u64 = 1 << EDGE_TYPE_BITS;
const EDGE_TYPE_MASK: u32 = (1 << EDGE_TYPE_BITS) - 1;
/// The name in an edge's word that says the name is kept aside.
const NAME_ASIDE: u32 = u32::MAX >> EDGE_TYPE_BITS;

/// An edge's word, and whether its name is too large for it and must be kept aside. The type
/// must be below `EDGE_TYPES_MAX`.
pub fn edge_word(edge_type: u8, name: u32) -> (u32, bool) {
    let aside = name >= NAME_ASIDE;
    let stored = if aside { NAME_ASIDE } else { name };
    ((stored << EDGE_TYPE_BITS) | u32::from(edge_type), aside)
}

/// Node types and edge types are small integers indexing the snapshot's own type lists; these
/// are the ones the analyses need, resolved once from the meta.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownTypes {
    pub node_hidden: Option<u8>,
    pub node_object: Option<u8>,
    pub node_native: Option<u8>,
    pub node_code: Option<u8>,
    pub node_closure: Option<u8>,
    pub node_synthetic: Option<u8>,
    pub edge_element: Option<u8>,
    pub edge_hidden: Option<u8>,
    pub edge_internal: Option<u8>,
    pub edge_weak: Option<u8>,
    pub edge_shortcut: Option<u8>,
    pub edge_property: Option<u8>,
    pub edge_context: Option<u8>,
}

#[derive(Debug, Clone, Default)]
pub struct HeapGraph {
    pub node_type_names: Vec<String>,
    pub edge_type_names: Vec<String>,
    pub node_type: Vec<u8>,
    pub node_name: Vec<u32>,
    pub node_id: Vec<u32>,
    pub node_self_size: NodeSizes,
    /// `detachedness` (0 unknown, 1 attached, 2 detached) when the snapshot records it.
    pub node_detachedness: Option<Vec<u8>>,
    /// Length node count + 1.
    pub first_edge: Vec<u32>,
    /// Per edge its type (the low `EDGE_TYPE_BITS` bits) and its name above them: a string
    /// index for named edges, the element index for `element` and `hidden` edges. One word
    /// instead of two columns saves a byte per edge; the rare name too large to share the word
    /// is in `large_edge_names`.
    pub edge_type_and_name: Vec<u32>,
    /// (edge, name) of the names kept aside.
    pub large_edge_names: BTreeMap<u32, u32>,
    pub edge_to: Vec<u32>,
    pub strings: Strings,
    /// Source locations of closures and scripts: (node, script id, line, column), 0-based.
    pub locations: Vec<[u32; 4]>,
}

impl HeapGraph {
    /// Peak memory of reading and analysing (dominators, retained sizes, classes) a snapshot of
    /// this many objects and edges: per object its columns, strings and the analysis' arrays,
    /// per edge its columns and its share of the predecessor lists. Measured on the benchmark
    /// snapshot (6.6M objects, 19.0M edges, 4.4M strings: 527 MB) and on 16 copies of it
    /// (7.0 GB, strings shared); strings weigh most per object in the first, so its figure is used.
    pub fn memory_to_analyse(nodes: u64, edges: u64) -> u64 {
        nodes
            .saturating_mul(50)
            .saturating_add(edges.saturating_mul(11))
    }

    pub fn node_count(&self) -> usize {
        self.node_type.len()
    }

    pub fn edge_count(&self) -> usize {
        self.edge_to.len()
    }

    pub fn edge_type(&self, edge: usize) -> u8 {
        (self.edge_type_and_name[edge] & EDGE_TYPE_MASK) as u8
    }

    /// A string index for named edges, the element index for `element` and `hidden` edges.
    pub fn edge_name(&self, edge: usize) -> u32 {
        match self.edge_type_and_name[edge] >> EDGE_TYPE_BITS {
            NAME_ASIDE => self
                .large_edge_names
                .get(&(edge as u32))
                .copied()
                .unwrap_or(NAME_ASIDE),
            name => name,
        }
    }

    /// Adds an edge of the last node (graphs built by hand, in tests).
    pub fn push_edge(&mut self, edge_type: u8, name: u32, to: u32) {
        let edge = self.edge_to.len() as u32;
        let (word, aside) = edge_word(edge_type, name);
        if aside {
            self.large_edge_names.insert(edge, name);
        }
        self.edge_type_and_name.push(word);
        self.edge_to.push(to);
    }

    pub fn edges(&self, node: u32) -> std::ops::Range<usize> {
        self.first_edge[node as usize] as usize..self.first_edge[node as usize + 1] as usize
    }

    pub fn self_size(&self, node: u32) -> u64 {
        self.node_self_size.get(node as usize)
    }

    /// Every node's self size, in node order.
    pub fn self_sizes(&self) -> impl Iterator<Item = u64> + '_ {
        self.node_self_size.iter()
    }

    /// Sets a node's self size (graphs built by hand, in tests and readers).
    pub fn push_self_size(&mut self, size: u64) {
        self.node_self_size.push(size);
    }

    pub fn name(&self, node: u32) -> &str {
        self.strings.get(self.node_name[node as usize])
    }

    pub fn type_name(&self, node: u32) -> &str {
        &self.node_type_names[self.node_type[node as usize] as usize]
    }

    pub fn edge_type_name(&self, edge: usize) -> &str {
        &self.edge_type_names[self.edge_type(edge) as usize]
    }

    pub fn known_types(&self) -> KnownTypes {
        let node = |name: &str| {
            self.node_type_names
                .iter()
                .position(|t| t == name)
                .map(|i| i as u8)
        };
        let edge = |name: &str| {
            self.edge_type_names
                .iter()
                .position(|t| t == name)
                .map(|i| i as u8)
        };
        KnownTypes {
            node_hidden: node("hidden"),
            node_object: node("object"),
            node_native: node("native"),
            node_code: node("code"),
            node_closure: node("closure"),
            node_synthetic: node("synthetic"),
            edge_element: edge("element"),
            edge_hidden: edge("hidden"),
            edge_internal: edge("internal"),
            edge_weak: edge("weak"),
            edge_shortcut: edge("shortcut"),
            edge_property: edge("property"),
            edge_context: edge("context"),
        }
    }

    /// An edge's name as DevTools prints it in a retainer path: `.prop`, `[3]`, `->ctx`, `{int}`.
    pub fn edge_label(&self, edge: usize) -> String {
        let name_or_index = self.edge_name(edge);
        let by_index = matches!(self.edge_type_name(edge), "element" | "hidden");
        let name = if by_index {
            name_or_index.to_string()
        } else if (name_or_index as usize) < self.strings.len() {
            self.strings.get(name_or_index).to_string()
        } else {
            name_or_index.to_string()
        };
        match self.edge_type_name(edge) {
            "context" => format!("->{name}"),
            "element" => format!("[{name}]"),
            "weak" => format!("[[{name}]]"),
            "property" | "shortcut" if !name.contains(' ') => format!(".{name}"),
            "property" | "shortcut" => format!("[\"{name}\"]"),
            "internal" | "hidden" | "invisible" => format!("{{{name}}}"),
            _ => format!("?{name}?"),
        }
    }
}

/// The whole graph, every edge, as a petgraph graph (node ids are ordinals).
impl GraphBase for HeapGraph {
    type NodeId = u32;
    type EdgeId = u32;
}

impl NodeCount for HeapGraph {
    fn node_count(&self) -> usize {
        self.node_type.len()
    }
}

impl NodeIndexable for HeapGraph {
    fn node_bound(&self) -> usize {
        self.node_type.len()
    }
    fn to_index(&self, node: u32) -> usize {
        node as usize
    }
    fn from_index(&self, index: usize) -> u32 {
        index as u32
    }
}

impl Visitable for HeapGraph {
    type Map = FixedBitSet;
    fn visit_map(&self) -> FixedBitSet {
        FixedBitSet::with_capacity(self.node_type.len())
    }
    fn reset_map(&self, map: &mut FixedBitSet) {
        map.clear();
        map.grow(self.node_type.len());
    }
}

impl<'a> IntoNeighbors for &'a HeapGraph {
    type Neighbors = std::iter::Copied<std::slice::Iter<'a, u32>>;
    fn neighbors(self, node: u32) -> Self::Neighbors {
        self.edge_to[self.edges(node)].iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_arena() {
        let mut s = Strings::default();
        s.push("");
        s.push("InternalChannel");
        s.push("é");
        assert_eq!(s.get(0), "");
        assert_eq!(s.get(1), "InternalChannel");
        assert_eq!(s.get(2), "é");
        assert_eq!(s.find("é"), Some(2));
    }

    #[test]
    fn edge_names_too_large_for_the_word_are_kept_aside() {
        let mut g = HeapGraph::default();
        let names = [0, 7, NAME_ASIDE - 1, NAME_ASIDE, u32::MAX];
        for (i, &name) in names.iter().enumerate() {
            g.push_edge(i as u8 % 8, name, 0);
        }
        for (i, &name) in names.iter().enumerate() {
            assert_eq!((g.edge_type(i), g.edge_name(i)), (i as u8 % 8, name));
        }
        assert_eq!(g.large_edge_names.len(), 2);
    }

    #[test]
    fn strings_past_4_gib_of_text() {
        // The ends wrap round 32 bits; what `get` returns must not. Built without the text:
        // the arithmetic is what is tested, on a table of the shape 4 GiB of text would give.
        let mut s = Strings {
            text: "abcdef".into(),
            ends: vec![2, 3, 4, 6],
            wraps: vec![],
        };
        assert_eq!(s.get(3), "ef");
        s.wraps = vec![1, 1];
        assert_eq!(s.end(0), 2);
        assert_eq!(s.end(1), (2usize << 32) | 3);
        assert_eq!(s.end(3), (2usize << 32) | 6);
    }
}
