//! pprof's call graph (`-dot`, `-svg`): functions as nodes with flat and cum values, calls as
//! edges with the value that passed through them, cut to the largest nodes. With a base profile
//! every value is the change from base to target, as pprof's `-diff_base` draws it, with
//! percentages of the target's total.
//!
//! As in pprof, an edge counts a sample once however often recursion repeats it, nodes below
//! 0.5 % of the total and edges below 0.1 % are dropped, and where the cut removed the frames
//! between two kept functions the call between them is drawn as a residual edge (dotted).

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use super::keys::{FrameKeys, KeyOptions};
use crate::model::Profile;

/// pprof's `-nodefraction` and `-edgefraction` defaults.
const NODE_FRACTION: f64 = 0.005;
const EDGE_FRACTION: f64 = 0.001;

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
    // Pass 1: flat and cum per function name over both sides.
    let mut values: FxHashMap<&str, (i64, i64)> = FxHashMap::default();
    let mut seen: FxHashSet<u32> = FxHashSet::default();
    for (side, keys) in sides.iter().zip(&keyed) {
        for (index, sample) in side.profile.samples.iter().enumerate() {
            let value = side.sign * side.profile.values(index)[side.sample_index];
            if value == 0 {
                continue;
            }
            seen.clear();
            for (depth, key) in keys.of_stack(side.profile, sample.stack).enumerate() {
                let entry = values.entry(keys.keys[key as usize].as_str()).or_default();
                if depth == 0 {
                    entry.0 += value;
                }
                if seen.insert(key) {
                    entry.1 += value;
                }
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
                        if let Some(to) = callee {
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
    let sample_type = &target.profile.sample_types[target.sample_index];
    CallGraph {
        sample_type: sample_type.name.clone(),
        unit: sample_type.unit.clone(),
        total,
        diff: base.is_some(),
        node_count: values.len(),
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
