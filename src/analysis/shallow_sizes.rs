//! Shallow sizes as DevTools shows them.

use crate::model::heap_graph::HeapGraph;
use crate::model::node_sizes::NodeSizes;

/// DevTools moves the size of an array, hidden object or external string data that exactly one
/// other object owns (through non-weak edges, possibly via more such nodes) into that owner, so
/// that a `Map` shows the size of its hash table. Only when the root has user roots (a real
/// snapshot, not one taken with V8 internals exposed).
pub fn shallow_sizes(graph: &HeapGraph) -> NodeSizes {
    const UNVISITED: u32 = u32::MAX;
    const MANY: u32 = u32::MAX - 1;
    let types = graph.known_types();
    let mut sizes = graph.node_self_size.clone();
    let synthetic = |node: u32| Some(graph.node_type[node as usize]) == types.node_synthetic;
    if graph.edges(0).all(|e| synthetic(graph.edge_to[e])) {
        return sizes;
    }
    let n = graph.node_count();
    let mut owner: Vec<u32> = Vec::with_capacity(n);
    let mut work: Vec<u32> = Vec::new();
    for node in 0..n as u32 {
        let t = graph.type_name(node);
        let owned = t == "hidden"
            || t == "array"
            || (t == "native" && graph.name(node) == "system / ExternalStringData");
        if owned {
            owner.push(UNVISITED);
        } else {
            owner.push(node);
            work.push(node);
        }
    }
    while let Some(node) = work.pop() {
        let o = owner[node as usize];
        for e in graph.edges(node) {
            if Some(graph.edge_type(e)) == types.edge_weak {
                continue;
            }
            let to = graph.edge_to[e];
            match owner[to as usize] {
                UNVISITED => {
                    owner[to as usize] = o;
                    work.push(to);
                }
                x if x == to || x == o || x == MANY => {}
                _ => {
                    owner[to as usize] = MANY;
                    work.push(to);
                }
            }
        }
    }
    for (node, &o) in owner.iter().enumerate() {
        if o == UNVISITED || o == MANY || o as usize == node || o == 0 || synthetic(o) {
            continue;
        }
        sizes.set(o as usize, sizes.get(o as usize) + sizes.get(node));
        sizes.set(node, 0);
    }
    sizes
}
