//! Retention on a heap snapshot's object graph: the dominator tree and retained sizes.
//!
//! Which edges hold an object alive follows Chrome DevTools' heap snapshot worker, so the
//! numbers match what users see there:
//! - weak edges never retain; `shortcut` edges retain only from the root;
//! - the internal edge from a WeakMap's backing table to a value does not retain (the edge from
//!   the key does);
//! - objects reachable from the root's shortcut targets (the global object) are "page" objects,
//!   and an edge from a non-page object to a page object does not retain;
//! - objects not reachable from the root but held only by weak edges are hung off the root with
//!   their subgraphs; anything still unreachable is given the root as dominator.

use std::sync::atomic::{AtomicUsize, Ordering};

use fixedbitset::FixedBitSet;

use crate::model::heap_graph::HeapGraph;
use crate::model::node_sizes::NodeSizes;

const NONE: u32 = u32::MAX;

pub struct Retention {
    /// Shallow size per node as DevTools shows it: arrays and hidden objects owned by exactly
    /// one object are counted in that object's size.
    pub shallow: NodeSizes,
    /// Immediate dominator per node (the root's is itself).
    pub dominator: Vec<u32>,
    /// Retained size per node.
    pub retained: Vec<u64>,
    /// Nodes unreachable from the root through retaining edges, hung off the root.
    pub unreachable: usize,
}

/// Per edge: does it retain its target (for dominators)?
fn retaining_edges(graph: &HeapGraph) -> FixedBitSet {
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

/// DevTools moves the size of an array, hidden object or external string data that exactly one
/// other object owns (through non-weak edges, possibly via more such nodes) into that owner, so
/// that a `Map` shows the size of its hash table. Only when the root has user roots (a real
/// snapshot, not one taken with V8 internals exposed).
fn shallow_sizes(graph: &HeapGraph) -> NodeSizes {
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

/// How many times this process has computed a snapshot's retention: the costliest pass, done
/// once per snapshot per run (`retention_computations` lets tests hold commands to that).
static COMPUTATIONS: AtomicUsize = AtomicUsize::new(0);

pub fn retention_computations() -> usize {
    COMPUTATIONS.load(Ordering::Relaxed)
}

impl Retention {
    pub fn compute(graph: &HeapGraph) -> Retention {
        COMPUTATIONS.fetch_add(1, Ordering::Relaxed);
        let n = graph.node_count();
        let (shallow, retaining) = std::thread::scope(|scope| {
            let shallow = scope.spawn(|| shallow_sizes(graph));
            let retaining = retaining_edges(graph);
            (shallow.join().expect("no panic"), retaining)
        });

        // Depth-first preorder from the root over retaining edges, then from every node held
        // only by weak (or shortcut) edges, as DevTools does for orphans. `parent` is indexed by
        // preorder number; the numbers back to nodes are rebuilt from `pre` at the end, so the
        // passes in between do not hold both directions.
        let mut pre = vec![NONE; n];
        let mut parent: Vec<u32> = Vec::with_capacity(n);
        let mut stack: Vec<(u32, u32)> = Vec::new();
        let mut visit =
            |start: u32, start_parent: u32, pre: &mut Vec<u32>, parent: &mut Vec<u32>| {
                pre[start as usize] = parent.len() as u32;
                parent.push(start_parent);
                stack.push((start, graph.first_edge[start as usize]));
                while let Some(top) = stack.last_mut() {
                    let (node, next) = *top;
                    if next == graph.first_edge[node as usize + 1] {
                        stack.pop();
                        continue;
                    }
                    top.1 += 1;
                    let e = next as usize;
                    if !retaining.contains(e) {
                        continue;
                    }
                    let to = graph.edge_to[e];
                    if pre[to as usize] != NONE {
                        continue;
                    }
                    let from = pre[node as usize];
                    pre[to as usize] = parent.len() as u32;
                    parent.push(from);
                    stack.push((to, graph.first_edge[to as usize]));
                }
            };
        visit(0, 0, &mut pre, &mut parent);
        let reachable = parent.len();
        if reachable < n {
            let only_weak = held_only_weakly(graph);
            for node in 0..n as u32 {
                if pre[node as usize] == NONE && only_weak.contains(node as usize) {
                    visit(node, 0, &mut pre, &mut parent);
                }
            }
        }
        let unreachable = n - reachable;
        let visited = parent.len();

        // Predecessors over retaining edges, in preorder numbers. A predecessor numbered below
        // its target has not been processed when the target is, so it only ever offers itself
        // as semidominator: it is folded into `semi` now and never stored. Only the others
        // (cross and back edges) are kept, counted first, then filled in from each target's
        // end. Orphan starts get the root.
        let mut semi: Vec<u32> = (0..visited as u32).collect();
        let mut pred_start = vec![0u32; visited + 1];
        each_retaining(graph, &pre, &retaining, |p, to| {
            if p < to {
                semi[to as usize] = semi[to as usize].min(p);
            } else {
                pred_start[to as usize] += 1;
            }
        });
        for i in 1..=visited {
            pred_start[i] += pred_start[i - 1];
        }
        let mut preds = vec![0u32; pred_start[visited] as usize];
        each_retaining(graph, &pre, &retaining, |p, to| {
            if p > to {
                pred_start[to as usize] -= 1;
                preds[pred_start[to as usize] as usize] = p;
            }
        });
        drop(retaining);

        let idom = semi_nca(parent, semi, pred_start, preds, reachable);

        let mut vertex = vec![0u32; visited];
        let mut never_visited: Vec<u32> = Vec::new();
        for (node, &p) in pre.iter().enumerate() {
            if p == NONE {
                never_visited.push(node as u32);
            } else {
                vertex[p as usize] = node as u32;
            }
        }
        drop(pre);
        let mut dominator = vec![0u32; n];
        for v in 1..visited {
            dominator[vertex[v] as usize] = vertex[idom[v] as usize];
        }
        drop(idom);
        // Retained sizes: children before their dominators (reverse preorder), then the
        // never-visited nodes straight into the root.
        let mut retained: Vec<u64> = shallow.iter().collect();
        for v in (1..visited).rev() {
            let node = vertex[v] as usize;
            let d = dominator[node] as usize;
            retained[d] += retained[node];
        }
        for &node in &never_visited {
            retained[0] += retained[node as usize];
        }
        Retention {
            shallow,
            dominator,
            retained,
            unreachable,
        }
    }
}

/// Every retaining edge between visited nodes, as (source, target) preorder numbers.
fn each_retaining(
    graph: &HeapGraph,
    pre: &[u32],
    retaining: &FixedBitSet,
    mut visit: impl FnMut(u32, u32),
) {
    for (from, &p) in pre.iter().enumerate() {
        if p == NONE {
            continue;
        }
        for e in graph.edges(from as u32) {
            let to = pre[graph.edge_to[e] as usize];
            if to != NONE && retaining.contains(e) {
                visit(p, to);
            }
        }
    }
}

/// Nodes all of whose incoming edges are weak or shortcut edges (or that have none).
fn held_only_weakly(graph: &HeapGraph) -> FixedBitSet {
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

/// Semi-NCA dominators (Georgiadis, Tarjan, Werneck) on a graph given in DFS preorder numbers:
/// `parent[v]` is v's DFS parent, `semi[v]` the least of v and its predecessors numbered below
/// it, `preds[pred_start[v]..pred_start[v+1]]` its predecessors numbered above it. Vertices from
/// `first_orphan` on were DFS starts hung off the root (vertex 0). Returns the immediate
/// dominators in preorder numbers.
///
/// Two arrays do double duty to keep the pass small: once v is processed, `semi[v]` holds the
/// least semidominator on v's compressed path in the linked forest (the value Lengauer and
/// Tarjan's `label` points at, so no `label` array), and v's own final semidominator moves to
/// `pred_start[v + 1]`, which no vertex processed after v reads.
fn semi_nca(
    parent: Vec<u32>,
    mut semi: Vec<u32>,
    mut pred_start: Vec<u32>,
    preds: Vec<u32>,
    first_orphan: usize,
) -> Vec<u32> {
    let n = parent.len();
    let mut ancestor = vec![NONE; n];
    let mut path: Vec<u32> = Vec::new();
    for w in (1..n).rev() {
        let mut s = semi[w];
        if w >= first_orphan && parent[w] == 0 {
            // An orphan start: the root is its only (virtual) retainer.
            s = 0;
        }
        for &v in &preds[pred_start[w] as usize..pred_start[w + 1] as usize] {
            if ancestor[v as usize] != NONE {
                compress(v, &mut ancestor, &mut semi, &mut path);
            }
            s = s.min(semi[v as usize]);
        }
        semi[w] = s;
        pred_start[w + 1] = s;
        ancestor[w] = parent[w];
    }
    drop(preds);
    drop(semi);
    let mut idom = ancestor;
    idom[0] = 0;
    for w in 1..n {
        let semidominator = pred_start[w + 1];
        let mut d = parent[w];
        while d > semidominator {
            d = idom[d as usize];
        }
        idom[w] = d;
    }
    idom
}

/// Path compression for `eval`, without recursion: a long ancestor chain is walked once.
/// `best[v]` is the least semidominator on v's path up to (not including) its forest root.
fn compress(v: u32, ancestor: &mut [u32], best: &mut [u32], path: &mut Vec<u32>) {
    path.clear();
    let mut x = v;
    while ancestor[x as usize] != NONE && ancestor[ancestor[x as usize] as usize] != NONE {
        path.push(x);
        x = ancestor[x as usize];
    }
    // `x` is the topmost vertex whose ancestor is a root of the linked forest.
    while let Some(y) = path.pop() {
        let a = ancestor[y as usize];
        best[y as usize] = best[y as usize].min(best[a as usize]);
        ancestor[y as usize] = ancestor[a as usize];
    }
}

/// Retained size of a set of objects together: objects dominated by another member of the set
/// are already inside that member's retained size.
pub fn retained_together(retention: &Retention, nodes: &[u32]) -> u64 {
    const UNKNOWN: u8 = 0;
    const COVERED: u8 = 1;
    const FREE: u8 = 2;
    let n = retention.dominator.len();
    let mut member = FixedBitSet::with_capacity(n);
    for &node in nodes {
        member.insert(node as usize);
    }
    // Per node: is it, or a node above it in the dominator tree, a member? Memoised along
    // the chains walked, so the whole pass is linear.
    let mut state = vec![UNKNOWN; n];
    let mut chain: Vec<u32> = Vec::new();
    let mut total = 0;
    for &node in nodes {
        chain.clear();
        let mut x = retention.dominator[node as usize];
        let covered = loop {
            if node != 0 && member.contains(x as usize) {
                break true;
            }
            match state[x as usize] {
                COVERED => break true,
                FREE => break false,
                _ => {}
            }
            chain.push(x);
            if x == 0 {
                break false;
            }
            x = retention.dominator[x as usize];
        };
        for &c in &chain {
            state[c as usize] = if covered { COVERED } else { FREE };
        }
        if !covered {
            total += retention.retained[node as usize];
        }
    }
    total
}

/// The dominator tree as children lists.
pub struct Dominated {
    start: Vec<u32>,
    nodes: Vec<u32>,
}

impl Dominated {
    pub fn of(&self, node: u32) -> &[u32] {
        &self.nodes[self.start[node as usize] as usize..self.start[node as usize + 1] as usize]
    }
}

pub fn dominated(retention: &Retention) -> Dominated {
    let n = retention.dominator.len();
    let mut start = vec![0u32; n + 1];
    for node in 1..n {
        start[retention.dominator[node] as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut nodes = vec![0u32; n.saturating_sub(1)];
    for node in 1..n {
        let d = retention.dominator[node] as usize;
        nodes[fill[d] as usize] = node as u32;
        fill[d] += 1;
    }
    Dominated { start, nodes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::heap_graph::edge_word;
    use petgraph::algo::dominators::simple_fast;

    fn graph(edges: &[(u32, u32)], n: u32) -> HeapGraph {
        let mut g = HeapGraph {
            node_type_names: vec!["object".into(), "synthetic".into()],
            edge_type_names: vec!["property".into(), "weak".into(), "shortcut".into()],
            ..HeapGraph::default()
        };
        g.strings.push("");
        g.strings.push("A");
        let mut sorted = edges.to_vec();
        sorted.sort();
        g.first_edge.push(0);
        for node in 0..n {
            g.node_type.push(if node == 0 { 1 } else { 0 });
            g.node_name.push(1);
            g.node_id.push(node * 2 + 1);
            g.push_self_size(10);
            for &(_, to) in sorted.iter().filter(|(from, _)| *from == node) {
                g.push_edge(0, 0, to);
            }
            g.first_edge.push(g.edge_count() as u32);
        }
        g
    }

    #[test]
    fn dominators_match_petgraph_on_a_tricky_graph() {
        // The classic example from the Lengauer-Tarjan paper, 0 = R.
        let edges = [
            (0, 1),
            (0, 2),
            (0, 3),
            (1, 4),
            (2, 1),
            (2, 4),
            (2, 5),
            (3, 6),
            (3, 7),
            (4, 12),
            (5, 8),
            (6, 9),
            (7, 9),
            (7, 10),
            (8, 5),
            (8, 11),
            (9, 11),
            (10, 9),
            (11, 0),
            (11, 9),
            (12, 8),
        ];
        let g = graph(&edges, 13);
        let r = Retention::compute(&g);
        let reference = simple_fast(&g, 0);
        for node in 1..13 {
            assert_eq!(
                Some(r.dominator[node as usize]),
                reference.immediate_dominator(node),
                "node {node}"
            );
        }
        assert_eq!(r.retained[0], 130);
        assert_eq!(r.unreachable, 0);
    }

    #[test]
    fn dominators_match_petgraph_on_random_graphs() {
        // Every node hangs off a lower-numbered one, so all are reachable from the root; the
        // extra edges make cross, back and forward edges of every kind.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |below: u32| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % below as u64) as u32
        };
        for round in 0..300 {
            let n = 2 + next(40);
            let mut edges: Vec<(u32, u32)> = (1..n).map(|node| (next(node), node)).collect();
            for _ in 0..next(3 * n) {
                let (from, to) = (next(n), next(n));
                if from != to && !edges.contains(&(from, to)) {
                    edges.push((from, to));
                }
            }
            let g = graph(&edges, n);
            let r = Retention::compute(&g);
            let reference = simple_fast(&g, 0);
            for node in 1..n {
                assert_eq!(
                    Some(r.dominator[node as usize]),
                    reference.immediate_dominator(node),
                    "round {round}, node {node} of {n}, edges {edges:?}"
                );
            }
            assert_eq!(r.retained[0], 10 * n as u64);
        }
    }

    #[test]
    fn weakly_held_orphans_hang_off_the_root() {
        let mut g = graph(&[(0, 1), (1, 2), (3, 4)], 5);
        // Make 1 -> 2 weak: 2 is an orphan held only weakly. 3 has no retainer at all.
        g.edge_type_and_name[1] = edge_word(1, 0).0;
        let r = Retention::compute(&g);
        assert_eq!(r.dominator[2], 0);
        assert_eq!(r.dominator[4], 3);
        assert_eq!(r.unreachable, 3);
        assert_eq!(r.retained[3], 20);
        assert_eq!(r.retained[0], 50);
    }

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
