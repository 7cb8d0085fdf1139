//! pprof's call graph (`-dot`, `-svg`): functions as nodes with flat and cum values, calls as
//! edges with the value that passed through them, cut to the largest nodes. With a base profile
//! every value is the change from base to target, as pprof's `-diff_base` draws it, with
//! percentages of the target's total.
//!
//! As in pprof, an edge counts a sample once however often recursion repeats it, nodes below
//! 0.5 % of the total and edges below 0.1 % are dropped, and where the cut removed the frames
//! between two kept functions the call between them is drawn as a residual edge (dotted), unless
//! the graph already leads from one to the other another way. At most three calls per function
//! are drawn, the heaviest.

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use super::keys::{FrameKeys, KeyOptions};
use crate::model::Profile;

/// pprof's `-nodefraction` and `-edgefraction` defaults.
const NODE_FRACTION: f64 = 0.005;
const EDGE_FRACTION: f64 = 0.001;
/// Calls drawn per function drawn, at most.
const MAX_EDGES_PER_NODE: usize = 3;

#[derive(Debug, Clone, Serialize)]
pub struct CallGraph {
    pub sample_type: String,
    pub unit: String,
    /// What percentages are of: the target's total before filters (for a diff too: pprof's
    /// percentages of the base's total run to thousands when the base is small).
    pub total: i64,
    /// A diff: values are target minus base.
    pub diff: bool,
    /// Nodes largest first (by |cum|, then |flat|, then name).
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
    /// Functions in the profiles, before the cut.
    pub node_count: usize,
    /// Calls left out beyond the heaviest few per function.
    pub dropped_edges: usize,
    /// What the kept nodes' flat values sum to, against the total flat of all nodes.
    pub kept_flat: i64,
    pub all_flat: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct GraphNode {
    pub key: String,
    pub flat: i64,
    pub cum: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct GraphEdge {
    /// Indexes into `nodes`.
    pub from: usize,
    pub to: usize,
    pub value: i64,
    /// Frames between the two were cut from the graph.
    pub residual: bool,
}

/// One profile's side of the graph: which value, of which sample, with what sign.
pub struct Side<'a> {
    pub profile: &'a Profile,
    pub sample_index: usize,
    pub sign: i64,
}

/// The call graph of `target`, or of its change since `base`, cut to `max_nodes` functions.
pub fn call_graph(
    base: Option<Side<'_>>,
    target: Side<'_>,
    options: &KeyOptions,
    max_nodes: usize,
) -> CallGraph {
    let sides: Vec<&Side> = base.iter().chain(std::iter::once(&target)).collect();
    let keyed: Vec<FrameKeys> = sides
        .iter()
        .map(|s| FrameKeys::new(s.profile, options))
        .collect();
    // Pass 1: flat and cum per function name over both sides; per key id first (no hashing
    // per frame), then by name once per key.
    let mut values: FxHashMap<&str, (i64, i64)> = FxHashMap::default();
    for (side, keys) in sides.iter().zip(&keyed) {
        let mut by_key = vec![(0i64, 0i64); keys.keys.len()];
        // The sample that last counted each key's cum: a key counts once per sample.
        let mut counted_in = vec![usize::MAX; keys.keys.len()];
        for (index, sample) in side.profile.samples.iter().enumerate() {
            let value = side.sign * side.profile.values(index)[side.sample_index];
            if value == 0 {
                continue;
            }
            for (depth, key) in keys.of_stack(side.profile, sample.stack).enumerate() {
                let entry = &mut by_key[key as usize];
                if depth == 0 {
                    entry.0 += value;
                }
                if counted_in[key as usize] != index {
                    counted_in[key as usize] = index;
                    entry.1 += value;
                }
            }
        }
        for (key, &(flat, cum)) in by_key.iter().enumerate() {
            if counted_in[key] != usize::MAX {
                let entry = values.entry(keys.keys[key].as_str()).or_default();
                entry.0 += flat;
                entry.1 += cum;
            }
        }
    }
    let total = target.profile.percent_base(target.sample_index);
    let all_flat: i64 = values.values().map(|v| v.0).sum();
    let node_cut = (NODE_FRACTION * total.unsigned_abs() as f64) as i64;
    let mut ranked: Vec<(&str, i64, i64)> = values
        .iter()
        .filter(|(_, v)| v.1.abs() > node_cut || v.0.abs() > node_cut)
        .map(|(k, v)| (*k, v.0, v.1))
        .collect();
    ranked.sort_by(|a, b| {
        b.2.abs()
            .cmp(&a.2.abs())
            .then(b.1.abs().cmp(&a.1.abs()))
            .then(a.0.cmp(b.0))
    });
    ranked.truncate(max_nodes);
    let index: FxHashMap<&str, usize> = ranked.iter().enumerate().map(|(i, n)| (n.0, i)).collect();
    // Pass 2: edges between kept functions, over the kept frames of each stack.
    let mut edges: FxHashMap<(usize, usize, bool), i64> = FxHashMap::default();
    let mut seen_edges: FxHashSet<(usize, usize, bool)> = FxHashSet::default();
    for (side, keys) in sides.iter().zip(&keyed) {
        let kept: Vec<Option<usize>> = keys
            .keys
            .iter()
            .map(|k| index.get(k.as_str()).copied())
            .collect();
        for (i, sample) in side.profile.samples.iter().enumerate() {
            let value = side.sign * side.profile.values(i)[side.sample_index];
            if value == 0 {
                continue;
            }
            seen_edges.clear();
            // Leaf first: each kept frame's caller is the next kept frame up the stack.
            let mut callee: Option<usize> = None;
            let mut skipped = false;
            for key in keys.of_stack(side.profile, sample.stack) {
                match kept[key as usize] {
                    Some(node) => {
                        // Recursion draws no edge from a function to itself (pprof's rule).
                        if let Some(to) = callee.filter(|&to| to != node) {
                            let edge = (node, to, skipped);
                            if seen_edges.insert(edge) {
                                *edges.entry(edge).or_default() += value;
                            }
                        }
                        callee = Some(node);
                        skipped = false;
                    }
                    None => skipped = callee.is_some(),
                }
            }
        }
    }
    let edge_cut = (EDGE_FRACTION * total.unsigned_abs() as f64) as i64;
    let mut edges: Vec<GraphEdge> = edges
        .into_iter()
        .filter(|&(_, value)| value != 0 && value.abs() > edge_cut)
        .map(|((from, to, residual), value)| GraphEdge {
            from,
            to,
            value,
            residual,
        })
        .collect();
    edges.sort_by(|a, b| {
        b.value
            .abs()
            .cmp(&a.value.abs())
            .then((a.from, a.to, a.residual).cmp(&(b.from, b.to, b.residual)))
    });
    let mut edges = without_redundant_residuals(edges, ranked.len());
    // Dense profiles join most pairs of functions: beyond a few calls per function the picture
    // is a tangle, and the layout slows down, so only the heaviest are drawn.
    let max_edges = MAX_EDGES_PER_NODE * ranked.len();
    let dropped_edges = edges.len().saturating_sub(max_edges);
    edges.truncate(max_edges);
    let sample_type = &target.profile.sample_types[target.sample_index];
    CallGraph {
        sample_type: sample_type.name.clone(),
        unit: sample_type.unit.clone(),
        total,
        diff: base.is_some(),
        node_count: values.len(),
        dropped_edges,
        kept_flat: ranked.iter().map(|n| n.1).sum(),
        all_flat,
        nodes: ranked
            .into_iter()
            .map(|(key, flat, cum)| GraphNode {
                key: key.to_string(),
                flat,
                cum,
            })
            .collect(),
        edges,
    }
}

/// pprof's `RemoveRedundantEdges`: a residual edge goes when its end can be reached from its
/// start another way. Nodes are visited smallest first and each one's incoming edges lightest
/// first, stopping at the first that is not residual, so light residual edges go before heavy
/// ones. Without this a cut graph of a large profile has most pairs of functions joined by a
/// residual edge: more arrows than a reader, or a layout, can follow.
fn without_redundant_residuals(edges: Vec<GraphEdge>, node_count: usize) -> Vec<GraphEdge> {
    let mut alive = vec![true; edges.len()];
    // Incoming edges per node, heaviest first (`edges` is sorted so).
    let mut incoming: Vec<Vec<usize>> = vec![Vec::new(); node_count];
    for (i, e) in edges.iter().enumerate() {
        incoming[e.to].push(i);
    }
    let mut seen = vec![false; node_count];
    let mut queue: Vec<usize> = Vec::new();
    for node in (0..node_count).rev() {
        for &candidate in incoming[node].iter().rev() {
            if !edges[candidate].residual {
                break;
            }
            // Is edges[candidate].from an ancestor of `node` without this edge?
            seen.iter_mut().for_each(|s| *s = false);
            seen[node] = true;
            queue.clear();
            queue.push(node);
            let source = edges[candidate].from;
            let mut redundant = false;
            while let Some(n) = queue.pop() {
                for &i in &incoming[n] {
                    let from = edges[i].from;
                    if i == candidate || !alive[i] || seen[from] {
                        continue;
                    }
                    if from == source {
                        redundant = true;
                        break;
                    }
                    seen[from] = true;
                    queue.push(from);
                }
                if redundant {
                    break;
                }
            }
            if redundant {
                alive[candidate] = false;
            }
        }
    }
    edges
        .into_iter()
        .zip(alive)
        .filter_map(|(e, keep)| keep.then_some(e))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ProfileBuilder, ProfileKind, ValueType};

    /// main → walk → walk → walk → leaf (recursion), and main → other → leaf.
    fn recursive() -> Profile {
        let mut b = ProfileBuilder::new(
            ProfileKind::Heap,
            vec![ValueType {
                name: "inuse_space".into(),
                unit: "bytes".into(),
            }],
            0,
        );
        let mut frame = |name: &str, line: u32| {
            let f = b.intern_function(name, "app.go");
            b.intern_frame(f, line)
        };
        let (main, walk1, walk2, other, leaf) = (
            frame("main.main", 1),
            frame("main.walk", 2),
            frame("main.walk", 3),
            frame("main.other", 4),
            frame("main.leaf", 5),
        );
        let deep = b.intern_stack(&[leaf, walk2, walk1, walk2, main]);
        let side = b.intern_stack(&[leaf, other, main]);
        b.add_sample(deep, 0, &[60]);
        b.add_sample(side, 0, &[40]);
        b.finish()
    }

    fn target_of(p: &Profile) -> Side<'_> {
        Side {
            profile: p,
            sample_index: 0,
            sign: 1,
        }
    }

    fn edge(g: &CallGraph, from: &str, to: &str) -> Option<(i64, bool)> {
        let at = |k: &str| g.nodes.iter().position(|n| n.key == k);
        let (from, to) = (at(from)?, at(to)?);
        g.edges
            .iter()
            .find(|e| e.from == from && e.to == to)
            .map(|e| (e.value, e.residual))
    }

    #[test]
    fn recursion_counts_once_and_draws_no_self_edge() {
        let p = recursive();
        let target = target_of(&p);
        let g = call_graph(None, target, &KeyOptions::default(), 10);
        let walk = g.nodes.iter().find(|n| n.key == "main.walk").unwrap();
        assert_eq!((walk.flat, walk.cum), (0, 60));
        assert_eq!(edge(&g, "main.walk", "main.walk"), None);
        assert_eq!(edge(&g, "main.main", "main.walk"), Some((60, false)));
        assert_eq!(edge(&g, "main.walk", "main.leaf"), Some((60, false)));
    }

    #[test]
    fn a_residual_edge_goes_when_another_path_leads_there() {
        let edges = vec![
            GraphEdge {
                from: 0,
                to: 1,
                value: 60,
                residual: false,
            },
            GraphEdge {
                from: 1,
                to: 2,
                value: 60,
                residual: false,
            },
            GraphEdge {
                from: 0,
                to: 2,
                value: 40,
                residual: true,
            },
            GraphEdge {
                from: 3,
                to: 2,
                value: 10,
                residual: true,
            },
        ];
        let kept = without_redundant_residuals(edges, 4);
        // 0 → 2 is implied by 0 → 1 → 2; nothing else leads from 3 to 2.
        assert_eq!(
            kept.iter().map(|e| (e.from, e.to)).collect::<Vec<_>>(),
            [(0, 1), (1, 2), (3, 2)]
        );
        // Cut to the three largest by cum (leaf, main, walk), `other` goes; the call from main
        // to leaf through it would be residual, but main reaches leaf through walk.
        let p = recursive();
        let target = target_of(&p);
        let g = call_graph(None, target, &KeyOptions::default(), 3);
        assert!(g.nodes.iter().all(|n| n.key != "main.other"));
        assert_eq!(edge(&g, "main.main", "main.leaf"), None);
        assert_eq!(edge(&g, "main.walk", "main.leaf"), Some((60, false)));
    }

    #[test]
    fn a_diff_is_target_minus_base() {
        let p = recursive();
        let base = Side {
            profile: &p,
            sample_index: 0,
            sign: -1,
        };
        let target = target_of(&p);
        let g = call_graph(Some(base), target, &KeyOptions::default(), 10);
        // The same profile twice: nothing changed, so nothing is above the cut.
        assert!(g.nodes.is_empty(), "{:?}", g.nodes);
        assert!(g.diff);
    }
}
