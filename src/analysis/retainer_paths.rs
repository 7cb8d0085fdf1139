//! Shortest retainer paths from the GC roots, DevTools-style, grouped by shape with a stable
//! fingerprint: why objects are alive.

use rustc_hash::FxHashMap;

use crate::analysis::dominators::Retention;
use crate::analysis::heap_classes::Classes;
use crate::model::heap_graph::HeapGraph;
use crate::model::{PathGroup, Step};

const NONE: u32 = u32::MAX;

/// Shortest paths from the root over non-weak edges, DevTools-style: objects reachable from
/// user roots (the root's non-synthetic children: the global object, native handles) first,
/// then the rest through the synthetic roots. `parent_edge[n]` is the edge that reached `n`.
pub struct RetainerTree {
    pub parent_edge: Vec<u32>,
    pub distance: Vec<u32>,
}

impl RetainerTree {
    pub fn compute(graph: &HeapGraph) -> RetainerTree {
        let types = graph.known_types();
        let n = graph.node_count();
        let mut distance = vec![NONE; n];
        let mut parent_edge = vec![NONE; n];
        let mut queue: std::collections::VecDeque<u32> = std::collections::VecDeque::new();
        for e in graph.edges(0) {
            let to = graph.edge_to[e];
            if Some(graph.node_type[to as usize]) != types.node_synthetic
                && distance[to as usize] == NONE
            {
                distance[to as usize] = 1;
                parent_edge[to as usize] = e as u32;
                queue.push_back(to);
            }
        }
        let bfs = |queue: &mut std::collections::VecDeque<u32>,
                   distance: &mut Vec<u32>,
                   parent_edge: &mut Vec<u32>| {
            while let Some(node) = queue.pop_front() {
                for e in graph.edges(node) {
                    let to = graph.edge_to[e] as usize;
                    if Some(graph.edge_type(e)) == types.edge_weak || distance[to] != NONE {
                        continue;
                    }
                    distance[to] = distance[node as usize] + 1;
                    parent_edge[to] = e as u32;
                    queue.push_back(to as u32);
                }
            }
        };
        bfs(&mut queue, &mut distance, &mut parent_edge);
        distance[0] = 0;
        queue.push_back(0);
        bfs(&mut queue, &mut distance, &mut parent_edge);
        RetainerTree {
            parent_edge,
            distance,
        }
    }

    /// Edges from the root to `node`, root first; `None` when only weak edges reach it.
    pub fn path(&self, graph: &HeapGraph, node: u32) -> Option<Vec<usize>> {
        let mut edges = Vec::new();
        let mut current = node;
        while current != 0 {
            let e = self.parent_edge[current as usize];
            if e == NONE {
                return None;
            }
            edges.push(e as usize);
            current = source_of(graph, e as usize);
        }
        edges.reverse();
        Some(edges)
    }
}

/// The node an edge starts from (binary search over the CSR offsets).
pub fn source_of(graph: &HeapGraph, edge: usize) -> u32 {
    (graph
        .first_edge
        .partition_point(|&start| start as usize <= edge)
        - 1) as u32
}

/// How a node is named in a path: its class, and for closures their function name.
pub fn node_label(graph: &HeapGraph, classes: &Classes, node: u32) -> String {
    match graph.type_name(node) {
        "closure" if graph.name(node).is_empty() => "(closure)".to_string(),
        "closure" => format!("(closure {})", graph.name(node)),
        "synthetic" => graph.name(node).to_string(),
        _ => classes.name(node).to_string(),
    }
}

/// The steps of a path, with runs of identical steps folded into one.
fn steps(
    graph: &HeapGraph,
    classes: &Classes,
    retention: &Retention,
    edges: &[usize],
    target: u32,
) -> Vec<Step> {
    let hop = |node: u32, edge: String| Step {
        node: node_label(graph, classes, node),
        id: graph.node_id[node as usize],
        self_size: retention.shallow.get(node as usize),
        retained: retention.retained.get(node as usize),
        edge,
        repeat: 1,
    };
    let mut steps: Vec<Step> = Vec::with_capacity(edges.len());
    // The root itself is left out: the path starts at what the root holds.
    let mut from = graph.edge_to[edges[0]];
    for &e in &edges[1..] {
        let step = hop(from, graph.edge_label(e));
        match steps.last_mut() {
            Some(last)
                if last.node == step.node
                    && normalize_index(&last.edge) == normalize_index(&step.edge) =>
            {
                last.repeat += 1
            }
            _ => steps.push(step),
        }
        from = graph.edge_to[e];
    }
    steps.push(hop(target, String::new()));
    steps
}

/// Groups the retainer paths of `targets` by shape; largest groups first.
pub fn path_groups(
    graph: &HeapGraph,
    classes: &Classes,
    tree: &RetainerTree,
    retention: &Retention,
    targets: &[u32],
) -> (Vec<PathGroup>, u64) {
    let mut groups: FxHashMap<String, PathGroup> = FxHashMap::default();
    let mut unreachable = 0;
    for &target in targets {
        let Some(edges) = tree.path(graph, target).filter(|e| !e.is_empty()) else {
            unreachable += 1;
            continue;
        };
        let steps = steps(graph, classes, retention, &edges, target);
        let signature: String = steps
            .iter()
            .map(|s| format!("{}\u{1f}{}\u{1e}", s.node, normalize_index(&s.edge)))
            .collect();
        let group = groups
            .entry(signature.clone())
            .or_insert_with(|| PathGroup {
                fingerprint: fingerprint(&signature),
                objects: 0,
                retained: 0,
                path: steps,
                example_id: graph.node_id[target as usize],
            });
        group.objects += 1;
        group.retained += retention.retained.get(target as usize);
    }
    let mut groups: Vec<PathGroup> = groups.into_values().collect();
    groups.sort_by(|a, b| {
        b.objects
            .cmp(&a.objects)
            .then(b.retained.cmp(&a.retained))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    });
    (groups, unreachable)
}

/// `[12]` -> `[]`, `{363}` -> `{}`: element and hidden indices differ between objects of the
/// same shape.
fn normalize_index(edge: &str) -> String {
    let inner = edge.get(1..edge.len().saturating_sub(1)).unwrap_or("");
    let numeric = !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit());
    match edge.as_bytes().first() {
        Some(b'[') if numeric => "[]".into(),
        Some(b'{') if numeric => "{}".into(),
        _ => edge.to_string(),
    }
}

/// FNV-1a, 64 bits, hex: stable across runs, platforms and builds.
pub fn fingerprint(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable() {
        assert_eq!(fingerprint(""), "cbf29ce484222325");
        assert_eq!(fingerprint("a"), "af63dc4c8601ec8c");
        assert_eq!(normalize_index("[12]"), "[]");
        assert_eq!(normalize_index("{363}"), "{}");
        assert_eq!(normalize_index("{context}"), "{context}");
        assert_eq!(normalize_index("[[weak]]"), "[[weak]]");
    }
}
