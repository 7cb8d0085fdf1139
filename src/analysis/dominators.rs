//! Retention on a heap snapshot's object graph: the dominator tree and retained sizes, over the
//! edges that retain (`retaining_edges`) and with DevTools' shallow sizes (`shallow_sizes`).
//! Objects not reachable from the root but held only by weak edges are hung off the root with
//! their subgraphs; anything still unreachable is given the root as dominator.

use std::sync::atomic::{AtomicUsize, Ordering};

use fixedbitset::FixedBitSet;

use crate::analysis::retaining_edges::{held_only_weakly, retaining_edges};
use crate::analysis::shallow_sizes::shallow_sizes;
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
    pub retained: NodeSizes,
    /// Nodes unreachable from the root through retaining edges, hung off the root.
    pub unreachable: usize,
}

/// How many times this process has computed a snapshot's retention: the costliest pass, done
/// once per snapshot per run (`retention_computations` lets tests hold commands to that).
static COMPUTATIONS: AtomicUsize = AtomicUsize::new(0);

pub fn retention_computations() -> usize {
    COMPUTATIONS.load(Ordering::Relaxed)
}

impl Retention {
    pub fn compute(graph: &HeapGraph) -> Retention {
        Retention::compute_beside(graph, || ()).0
    }

    /// Retention, and `beside` run on the other core once the dominator pass has freed its
    /// largest arrays: the work given (the snapshot's classes) then adds nothing to the peak.
    pub fn compute_beside<T: Send>(
        graph: &HeapGraph,
        beside: impl FnOnce() -> T + Send,
    ) -> (Retention, T) {
        COMPUTATIONS.fetch_add(1, Ordering::Relaxed);
        let n = graph.node_count();
        let retaining = retaining_edges(graph);
        let mut tree = DepthFirst::search(graph, &retaining);
        let visited = tree.parent.len();
        let preds = predecessors(graph, &tree.pre, &retaining, &mut tree.pred_start);
        semidominators(&mut tree, &preds);
        drop(preds);
        let DepthFirst {
            pre,
            parent: mut idom,
            semi,
            pred_start: semidominator_after,
            reachable,
        } = tree;
        drop(semi);

        std::thread::scope(|scope| {
            let beside = scope.spawn(beside);
            dfs_parents(graph, &pre, &retaining, &mut idom);
            drop(retaining);
            immediate_dominators(&mut idom, &semidominator_after);
            drop(semidominator_after);

            // Preorder numbers back to nodes.
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

            let shallow = shallow_sizes(graph);
            // Retained sizes: children before their dominators (reverse preorder), then the
            // never-visited nodes straight into the root.
            let mut retained = shallow.clone();
            for v in (1..visited).rev() {
                let node = vertex[v] as usize;
                retained.add(dominator[node] as usize, retained.get(node));
            }
            for &node in &never_visited {
                retained.add(0, retained.get(node as usize));
            }
            let retention = Retention {
                shallow,
                dominator,
                retained,
                unreachable: n - reachable,
            };
            (retention, beside.join().expect("no panic"))
        })
    }
}

/// A depth-first search from the root over retaining edges, then from every node held only by
/// weak (or shortcut) edges, as DevTools does for orphans; vertices are numbered in preorder.
/// The search also sorts every retaining edge it meets: an edge to a vertex numbered above its
/// source (a forward edge) only ever offers the source as semidominator, so it is folded into
/// `semi` at once; the others (cross and back edges) are counted for `predecessors`.
struct DepthFirst {
    /// Preorder number of each node, `NONE` if never visited.
    pre: Vec<u32>,
    /// DFS parent, by preorder number (orphan starts have the root).
    parent: Vec<u32>,
    /// The least of each vertex and the sources of its forward edges.
    semi: Vec<u32>,
    /// Per vertex, how many cross and back edges enter it; then where its predecessors start.
    pred_start: Vec<u32>,
    /// Vertices reached from the root; the orphans' follow.
    reachable: usize,
}

impl DepthFirst {
    fn search(graph: &HeapGraph, retaining: &FixedBitSet) -> DepthFirst {
        let n = graph.node_count();
        let mut tree = DepthFirst {
            pre: vec![NONE; n],
            parent: Vec::with_capacity(n),
            semi: Vec::with_capacity(n),
            pred_start: Vec::with_capacity(n + 1),
            reachable: 0,
        };
        let mut stack: Vec<(u32, u32)> = Vec::new();
        tree.visit(graph, retaining, 0, &mut stack);
        tree.reachable = tree.parent.len();
        if tree.reachable < n {
            let only_weak = held_only_weakly(graph);
            for node in 0..n as u32 {
                if tree.pre[node as usize] == NONE && only_weak.contains(node as usize) {
                    tree.visit(graph, retaining, node, &mut stack);
                }
            }
        }
        tree.pred_start.push(0);
        tree
    }

    /// Numbers `node`, reached from vertex `parent`.
    fn number(&mut self, node: u32, parent: u32) {
        self.pre[node as usize] = self.parent.len() as u32;
        self.parent.push(parent);
        self.semi.push(parent);
        self.pred_start.push(0);
    }

    fn visit(
        &mut self,
        graph: &HeapGraph,
        retaining: &FixedBitSet,
        start: u32,
        stack: &mut Vec<(u32, u32)>,
    ) {
        // A start hangs off the root; its semidominator is its own number until the
        // semidominator pass gives orphans the root.
        self.number(start, 0);
        let v = self.pre[start as usize];
        self.semi[v as usize] = v;
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
            let from = self.pre[node as usize];
            match self.pre[to as usize] {
                NONE => {
                    self.number(to, from);
                    stack.push((to, graph.first_edge[to as usize]));
                }
                t if t > from => self.semi[t as usize] = self.semi[t as usize].min(from),
                t if t < from => self.pred_start[t as usize] += 1,
                _ => {}
            }
        }
    }
}

/// The cross and back edges the search counted, by target, as source preorder numbers: each
/// target's list is filled from its end, so that `pred_start` ends where each list starts.
fn predecessors(
    graph: &HeapGraph,
    pre: &[u32],
    retaining: &FixedBitSet,
    pred_start: &mut [u32],
) -> Vec<u32> {
    for i in 1..pred_start.len() {
        pred_start[i] += pred_start[i - 1];
    }
    let mut preds = vec![0u32; pred_start[pred_start.len() - 1] as usize];
    each_retaining(graph, pre, retaining, |p, to| {
        if p > to {
            pred_start[to as usize] -= 1;
            preds[pred_start[to as usize] as usize] = p;
        }
    });
    preds
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

/// Semi-NCA's first pass (Georgiadis, Tarjan, Werneck): semidominators, vertices in reverse
/// preorder. Three arrays do double duty to keep the pass small:
/// - `parent` is the linked forest's `ancestor`: a vertex is linked once processed, which in
///   this order is "numbered above the current vertex", so no mark is needed; path compression
///   then overwrites the parents (`dfs_parents` finds them again);
/// - once v is processed, `semi[v]` is the least semidominator on v's compressed path (the value
///   Lengauer and Tarjan's `label` points at, so no `label` array);
/// - v's own semidominator moves to `pred_start[v + 1]`, which no vertex processed later reads.
fn semidominators(tree: &mut DepthFirst, preds: &[u32]) {
    let DepthFirst {
        parent: ancestor,
        semi: best,
        pred_start,
        reachable,
        ..
    } = tree;
    let mut path: Vec<u32> = Vec::new();
    for w in (1..ancestor.len()).rev() {
        let mut s = best[w];
        if w >= *reachable && ancestor[w] == 0 {
            // An orphan start: the root is its only (virtual) retainer.
            s = 0;
        }
        for &v in &preds[pred_start[w] as usize..pred_start[w + 1] as usize] {
            compress(v, w as u32, ancestor, best, &mut path);
            s = s.min(best[v as usize]);
        }
        best[w] = s;
        pred_start[w + 1] = s;
    }
}

/// Path compression for `eval` at vertex `w`, without recursion: a long ancestor chain is walked
/// once. `v` is linked (numbered above `w`); afterwards `best[v]` is the least semidominator on
/// its path up to (not including) its forest root.
fn compress(v: u32, w: u32, ancestor: &mut [u32], best: &mut [u32], path: &mut Vec<u32>) {
    path.clear();
    let mut x = v;
    while ancestor[x as usize] > w {
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

/// Each vertex's DFS parent again, into `parent`: the highest-numbered source of a retaining
/// edge from below. Every such source is an ancestor (the search would otherwise have reached
/// the vertex from it first) and the parent is the deepest of them. Orphan starts, with no
/// such edge, get the root.
fn dfs_parents(graph: &HeapGraph, pre: &[u32], retaining: &FixedBitSet, parent: &mut [u32]) {
    parent.fill(0);
    each_retaining(graph, pre, retaining, |p, to| {
        if p < to {
            parent[to as usize] = parent[to as usize].max(p);
        }
    });
}

/// Semi-NCA's second pass, in preorder and in place: a vertex's immediate dominator is the
/// nearest ancestor of its DFS parent, in the dominator tree built so far, numbered no higher
/// than its semidominator (`semidominator_after[v + 1]`).
fn immediate_dominators(parent_then_idom: &mut [u32], semidominator_after: &[u32]) {
    let idom = parent_then_idom;
    for w in 1..idom.len() {
        let semidominator = semidominator_after[w + 1];
        let mut d = idom[w];
        while d > semidominator {
            d = idom[d as usize];
        }
        idom[w] = d;
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
            total += retention.retained.get(node as usize);
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
    // Counted per dominator, summed to where each list ends, then filled from each end: the
    // children come out in node order without a second array of cursors.
    let mut start = vec![0u32; n + 1];
    for node in 1..n {
        start[retention.dominator[node] as usize] += 1;
    }
    for i in 1..=n {
        start[i] += start[i - 1];
    }
    let mut nodes = vec![0u32; n.saturating_sub(1)];
    for node in (1..n).rev() {
        let d = retention.dominator[node] as usize;
        start[d] -= 1;
        nodes[start[d] as usize] = node as u32;
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
        assert_eq!(r.retained.get(0), 130);
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
            assert_eq!(r.retained.get(0), 10 * n as u64);
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
        assert_eq!(r.retained.get(3), 20);
        assert_eq!(r.retained.get(0), 50);
    }
}
