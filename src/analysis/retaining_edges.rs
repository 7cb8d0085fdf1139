//! Which edges of a heap snapshot hold their target alive, as Chrome DevTools' heap snapshot
//! worker decides, so that dominators and retained sizes match what users see there:
//! - weak edges never retain; `shortcut` edges retain only from the root;
//! - the internal edge from a WeakMap's backing table to a value does not retain (the edge from
//!   the key does);
//! - objects reachable from the root's shortcut targets (the global object) are "page" objects,
//!   and an edge from a non-page object to a page object does not retain.

use fixedbitset::FixedBitSet;

use crate::model::heap_graph::HeapGraph;

/// Per edge: does it retain its target (for dominators)?
pub fn retaining_edges(graph: &HeapGraph) -> FixedBitSet {
    let types = graph.known_types();
    let root = 0u32;
    let n = graph.node_count();
    // Page objects: everything reachable from the root's shortcut targets over non-weak edges.
    let mut page = FixedBitSet::with_capacity(n);
    let mut stack: Vec<u32> = Vec::new();
    for e in graph.edges(root) {
        let to = graph.edge_to[e];
        let t = Some(graph.edge_type(e));
        let dom_trees = t == types.edge_element
            && Some(graph.node_type[to as usize]) == types.node_synthetic
            && graph.name(to) == "(Document DOM trees)";
        if (t == types.edge_shortcut || dom_trees) && !page.put(to as usize) {
            stack.push(to);
        }
    }
    while let Some(node) = stack.pop() {
        for e in graph.edges(node) {
            let to = graph.edge_to[e] as usize;
            if Some(graph.edge_type(e)) != types.edge_weak && !page.put(to) {
                stack.push(to as u32);
            }
        }
    }
    // WeakMap table ids by edge name string: NOT_SEEN until looked at, NO_TABLE if not a
    // WeakMap entry name.
    const NOT_SEEN: u32 = u32::MAX;
    const NO_TABLE: u32 = u32::MAX - 1;
    let mut weakmap_table_of_name: Vec<u32> = vec![NOT_SEEN; graph.strings.len()];
    let mut retaining = FixedBitSet::with_capacity(graph.edge_count());
    for from in 0..n as u32 {
        let from_page = page.contains(from as usize);
        for e in graph.edges(from) {
            let t = Some(graph.edge_type(e));
            let to = graph.edge_to[e];
            if t == types.edge_weak || (t == types.edge_shortcut && from != root) || to == from {
                continue;
            }
            if t == types.edge_internal {
                let name = graph.edge_name(e) as usize;
                if weakmap_table_of_name[name] == NOT_SEEN {
                    weakmap_table_of_name[name] =
                        weakmap_table_id(graph.strings.get(name as u32)).unwrap_or(NO_TABLE);
                }
                if weakmap_table_of_name[name] == graph.node_id[from as usize] {
                    continue;
                }
            }
            if from != root && !from_page && page.contains(to as usize) {
                continue;
            }
            retaining.insert(e);
        }
    }
    retaining
}

/// `12 / part of key (Object @123) -> value (Object @456) pair in WeakMap (table @789)`: the
/// table's node id.
fn weakmap_table_id(name: &str) -> Option<u32> {
    let digits = name.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || !name[digits..].starts_with(" / part of key (") {
        return None;
    }
    let rest = name.strip_suffix(')')?;
    let at = rest.rfind(" pair in WeakMap (table @")?;
    rest[at + " pair in WeakMap (table @".len()..].parse().ok()
}

/// Nodes all of whose incoming edges are weak or shortcut edges (or that have none).
pub fn held_only_weakly(graph: &HeapGraph) -> FixedBitSet {
    let types = graph.known_types();
    let n = graph.node_count();
    let mut strong = FixedBitSet::with_capacity(n);
    for e in 0..graph.edge_count() {
        let t = Some(graph.edge_type(e));
        if t != types.edge_weak && t != types.edge_shortcut {
            strong.insert(graph.edge_to[e] as usize);
        }
    }
    strong.toggle_range(..);
    strong
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weakmap_table_edges_are_recognised() {
        assert_eq!(
            weakmap_table_id(
                "3 / part of key (Object @75) -> value (Foo @77) pair in WeakMap (table @79)"
            ),
            Some(79)
        );
        assert_eq!(weakmap_table_id("elements"), None);
    }
}
