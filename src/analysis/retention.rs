//! Retention on a heap snapshot's object graph: the dominator tree, retained sizes, the
//! DevTools Summary per class, and shortest retainer paths from the GC roots.
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
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::analysis::heap_classes::Classes;
use crate::model::heap_graph::HeapGraph;
use crate::model::{PathGroup, Step};

const NONE: u32 = u32::MAX;

pub struct Retention {
    /// Shallow size per node as DevTools shows it: arrays and hidden objects owned by exactly
    /// one object are counted in that object's size.
    pub shallow: Vec<u64>,
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
        let t = Some(graph.edge_type[e]);
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
            if Some(graph.edge_type[e]) != types.edge_weak && !page.put(to) {
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
            let t = Some(graph.edge_type[e]);
            let to = graph.edge_to[e];
            if t == types.edge_weak || (t == types.edge_shortcut && from != root) || to == from {
                continue;
            }
            if t == types.edge_internal {
                let name = graph.edge_name[e] as usize;
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
fn shallow_sizes(graph: &HeapGraph) -> Vec<u64> {
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
            if Some(graph.edge_type[e]) == types.edge_weak {
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
    for node in 0..n {
        let o = owner[node];
        if o == UNVISITED || o == MANY || o as usize == node || o == 0 || synthetic(o) {
            continue;
        }
        sizes[o as usize] += sizes[node];
        sizes[node] = 0;
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
        // only by weak (or shortcut) edges, as DevTools does for orphans.
        let mut pre = vec![NONE; n];
        let mut vertex: Vec<u32> = Vec::with_capacity(n);
        let mut parent: Vec<u32> = Vec::with_capacity(n);
        let mut stack: Vec<(u32, u32)> = Vec::new();
        let mut visit = |start: u32,
                         start_parent: u32,
                         pre: &mut Vec<u32>,
                         vertex: &mut Vec<u32>,
                         parent: &mut Vec<u32>| {
            pre[start as usize] = vertex.len() as u32;
            vertex.push(start);
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
                pre[to as usize] = vertex.len() as u32;
                vertex.push(to);
                parent.push(pre[node as usize]);
                stack.push((to, graph.first_edge[to as usize]));
            }
        };
        visit(0, 0, &mut pre, &mut vertex, &mut parent);
        let reachable = vertex.len();
        if reachable < n {
            let only_weak = held_only_weakly(graph);
            for node in 0..n as u32 {
                if pre[node as usize] == NONE && only_weak.contains(node as usize) {
                    visit(node, 0, &mut pre, &mut vertex, &mut parent);
                }
            }
        }
        let unreachable = n - reachable;
        let visited = vertex.len();

        // Predecessors over retaining edges, in preorder numbers. Orphan starts get the root.
        let mut pred_start = vec![0u32; visited + 1];
        for from in 0..n {
            if pre[from] == NONE {
                continue;
            }
            for e in graph.edges(from as u32) {
                let to = pre[graph.edge_to[e] as usize];
                if retaining.contains(e) && to != NONE {
                    pred_start[to as usize + 1] += 1;
                }
            }
        }
        for i in 0..visited {
            pred_start[i + 1] += pred_start[i];
        }
        let mut fill = pred_start.clone();
        let mut preds = vec![0u32; pred_start[visited] as usize];
        for from in 0..n {
            let p = pre[from];
            if p == NONE {
                continue;
            }
            for e in graph.edges(from as u32) {
                let to = pre[graph.edge_to[e] as usize];
                if retaining.contains(e) && to != NONE {
                    preds[fill[to as usize] as usize] = p;
                    fill[to as usize] += 1;
                }
            }
        }
        drop(fill);
        drop(retaining);
        // Free what the dominator pass does not need before it allocates its own arrays.
        let never_visited: Vec<u32> = (0..n as u32).filter(|&v| pre[v as usize] == NONE).collect();
        drop(pre);

        let idom = semi_nca(parent, &pred_start, &preds, reachable);
        drop(preds);
        drop(pred_start);

        let mut dominator = vec![0u32; n];
        for v in 1..visited {
            dominator[vertex[v] as usize] = vertex[idom[v] as usize];
        }
        // Retained sizes: children before their dominators (reverse preorder), then the
        // never-visited nodes straight into the root.
        let mut retained: Vec<u64> = shallow.clone();
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

/// Nodes all of whose incoming edges are weak or shortcut edges (or that have none).
fn held_only_weakly(graph: &HeapGraph) -> FixedBitSet {
    let types = graph.known_types();
    let n = graph.node_count();
    let mut strong = FixedBitSet::with_capacity(n);
    for e in 0..graph.edge_count() {
        let t = Some(graph.edge_type[e]);
        if t != types.edge_weak && t != types.edge_shortcut {
            strong.insert(graph.edge_to[e] as usize);
        }
    }
    strong.toggle_range(..);
    strong
}

/// Semi-NCA dominators (Georgiadis, Tarjan, Werneck) on a graph given in DFS preorder numbers:
/// `parent[v]` is v's DFS parent, `preds[pred_start[v]..pred_start[v+1]]` its predecessors.
/// Vertices from `first_orphan` on were DFS starts hung off the root (vertex 0).
fn semi_nca(parent: Vec<u32>, pred_start: &[u32], preds: &[u32], first_orphan: usize) -> Vec<u32> {
    let n = parent.len();
    let mut semi: Vec<u32> = (0..n as u32).collect();
    let mut label: Vec<u32> = (0..n as u32).collect();
    let mut ancestor = vec![NONE; n];
    let mut path: Vec<u32> = Vec::new();
    for w in (1..n).rev() {
        let mut s = semi[w];
        if w >= first_orphan && parent[w] == 0 {
            // An orphan start: the root is its only (virtual) retainer.
            s = 0;
        }
        for &v in &preds[pred_start[w] as usize..pred_start[w + 1] as usize] {
            let u = if ancestor[v as usize] == NONE {
                v
            } else {
                compress(v, &mut ancestor, &mut label, &semi, &mut path);
                label[v as usize]
            };
            s = s.min(semi[u as usize]);
        }
        semi[w] = s;
        ancestor[w] = parent[w];
    }
    drop(label);
    let mut idom = ancestor;
    idom[0] = 0;
    for w in 1..n {
        let mut d = parent[w];
        while d > semi[w] {
            d = idom[d as usize];
        }
        idom[w] = d;
    }
    drop(parent);
    idom
}

/// Path compression for `eval`, without recursion: a long ancestor chain is walked once.
fn compress(v: u32, ancestor: &mut [u32], label: &mut [u32], semi: &[u32], path: &mut Vec<u32>) {
    path.clear();
    let mut x = v;
    while ancestor[x as usize] != NONE && ancestor[ancestor[x as usize] as usize] != NONE {
        path.push(x);
        x = ancestor[x as usize];
    }
    // `x` is the topmost vertex whose ancestor is a root of the linked forest.
    while let Some(y) = path.pop() {
        let a = ancestor[y as usize];
        if semi[label[a as usize] as usize] < semi[label[y as usize] as usize] {
            label[y as usize] = label[a as usize];
        }
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

/// One row of the Summary: a class (constructor) or a node type.
#[derive(Debug, Clone, Serialize)]
pub struct ClassRow {
    pub key: String,
    pub count: u64,
    pub shallow: u64,
    pub retained: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassKey {
    /// DevTools' class name: constructor for objects and natives, `Function`, `(type)`, ...
    Constructor,
    /// The V8 node type.
    Type,
}

impl ClassKey {
    pub fn classes(self, graph: &HeapGraph) -> Classes {
        match self {
            ClassKey::Constructor => Classes::constructors(graph),
            ClassKey::Type => Classes::types(graph),
        }
    }
}

/// The class of every node counted in the Summary (`NONE` for nodes DevTools leaves out: those
/// whose shallow size is 0).
pub fn counted(classes: &Classes, retention: &Retention) -> Vec<u32> {
    classes
        .of_node
        .iter()
        .zip(&retention.shallow)
        .map(|(&c, &size)| if size == 0 { NONE } else { c })
        .collect()
}

/// DevTools' Summary: per class, the objects, their shallow size, and the retained size of the
/// class — the sum over its objects not dominated by another object of the same class.
pub fn class_summary(classes: &Classes, retention: &Retention) -> Vec<ClassRow> {
    let class = counted(classes, retention);
    let mut rows: Vec<ClassRow> = classes
        .names
        .iter()
        .map(|key| ClassRow {
            key: key.clone(),
            count: 0,
            shallow: 0,
            retained: 0,
        })
        .collect();
    for (node, &c) in class.iter().enumerate() {
        if c != NONE {
            let row = &mut rows[c as usize];
            row.count += 1;
            row.shallow += retention.shallow[node];
        }
    }
    // Walk the dominator tree from the root, remembering which classes are on the path.
    let children = dominated(retention);
    let mut on_path = vec![0u32; rows.len()];
    let mut stack: Vec<(u32, bool)> = vec![(0, false)];
    while let Some((node, leaving)) = stack.pop() {
        let c = class[node as usize];
        if leaving {
            on_path[c as usize] -= 1;
            continue;
        }
        if c != NONE {
            if on_path[c as usize] == 0 {
                rows[c as usize].retained += retention.retained[node as usize];
            }
            on_path[c as usize] += 1;
            stack.push((node, true));
        }
        stack.extend(children.of(node).iter().map(|&child| (child, false)));
    }
    rows.retain(|r| r.count > 0);
    rows.sort_by(|a, b| {
        b.retained
            .cmp(&a.retained)
            .then(b.shallow.cmp(&a.shallow))
            .then_with(|| a.key.cmp(&b.key))
    });
    rows
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
                    if Some(graph.edge_type[e]) == types.edge_weak || distance[to] != NONE {
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
fn steps(graph: &HeapGraph, classes: &Classes, edges: &[usize], target: u32) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::with_capacity(edges.len());
    // The root itself is left out: the path starts at what the root holds.
    let mut from = graph.edge_to[edges[0]];
    for &e in &edges[1..] {
        let step = Step {
            node: node_label(graph, classes, from),
            edge: graph.edge_label(e),
            repeat: 1,
        };
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
    steps.push(Step {
        node: node_label(graph, classes, target),
        edge: String::new(),
        repeat: 1,
    });
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
        let steps = steps(graph, classes, &edges, target);
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
        group.retained += retention.retained[target as usize];
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
            g.node_self_size.push(10);
            for &(_, to) in sorted.iter().filter(|(from, _)| *from == node) {
                g.edge_type.push(0);
                g.edge_name.push(0);
                g.edge_to.push(to);
            }
            g.first_edge.push(g.edge_type.len() as u32);
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
    fn weakly_held_orphans_hang_off_the_root() {
        let mut g = graph(&[(0, 1), (1, 2), (3, 4)], 5);
        // Make 1 -> 2 weak: 2 is an orphan held only weakly. 3 has no retainer at all.
        g.edge_type[1] = 1;
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
