//! pprof's `-peek`: for each function whose name matches, its callers and callees with the
//! value that flowed through each edge. An edge counts a sample once however often recursion
//! repeats it and recursion draws no edge from a function to itself, as in pprof's graph;
//! percentages of an edge are of the function's cum.

use regex::Regex;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use super::aggregate::flat_order;
use super::keys::{FrameKeys, KeyOptions};
use crate::model::{Profile, ValueType};

#[derive(Debug, Clone, Serialize)]
pub struct Peek {
    pub sample_type: String,
    pub unit: String,
    /// What percentages are of: the total before any filter, as in `top`.
    pub total: i64,
    /// Functions whose name matches, by flat then cum (largest first), then name.
    pub entries: Vec<PeekEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeekEntry {
    pub key: String,
    pub flat: i64,
    pub cum: i64,
    /// Callers by value through the edge, largest first, then name.
    pub callers: Vec<Edge>,
    pub callees: Vec<Edge>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Edge {
    pub key: String,
    pub value: i64,
}

pub fn peek(profile: &Profile, sample_index: usize, pattern: &Regex, options: &KeyOptions) -> Peek {
    let keys = FrameKeys::new(profile, options);
    let matched: Vec<bool> = keys.keys.iter().map(|k| pattern.is_match(k)).collect();
    let mut flat: FxHashMap<u32, i64> = FxHashMap::default();
    let mut cum: FxHashMap<u32, i64> = FxHashMap::default();
    // (caller, callee) -> value, for edges with a matched end.
    let mut edges: FxHashMap<(u32, u32), i64> = FxHashMap::default();
    let mut seen_keys: FxHashSet<u32> = FxHashSet::default();
    let mut seen_edges: FxHashSet<(u32, u32)> = FxHashSet::default();
    let mut frames: Vec<u32> = Vec::new();
    for (index, sample) in profile.samples.iter().enumerate() {
        let value = profile.values(index)[sample_index];
        // As pprof's graph: a sample of no value draws no edge.
        if value == 0 {
            continue;
        }
        frames.clear();
        frames.extend(keys.of_stack(profile, sample.stack));
        if !frames.iter().any(|&k| matched[k as usize]) {
            continue;
        }
        seen_keys.clear();
        seen_edges.clear();
        if matched[frames[0] as usize] {
            *flat.entry(frames[0]).or_default() += value;
        }
        for (i, &key) in frames.iter().enumerate() {
            if matched[key as usize] && seen_keys.insert(key) {
                *cum.entry(key).or_default() += value;
            }
            // Leaf first: the frame after `key` is its caller.
            if let Some(&caller) = frames.get(i + 1) {
                let edge = (caller, key);
                // A function calling itself draws no edge, as in pprof's graph.
                if caller != key
                    && (matched[caller as usize] || matched[key as usize])
                    && seen_edges.insert(edge)
                {
                    *edges.entry(edge).or_default() += value;
                }
            }
        }
    }
    // Each function's callers and callees, by value: one pass over the edges, so that
    // peeking at every function (`tree`) costs no more than peeking at one.
    let mut callers: FxHashMap<u32, Vec<Edge>> = FxHashMap::default();
    let mut callees: FxHashMap<u32, Vec<Edge>> = FxHashMap::default();
    for (&(caller, callee), &value) in &edges {
        let edge = |key: u32| Edge {
            key: keys.keys[key as usize].clone(),
            value,
        };
        if matched[callee as usize] {
            callers.entry(callee).or_default().push(edge(caller));
        }
        if matched[caller as usize] {
            callees.entry(caller).or_default().push(edge(callee));
        }
    }
    let other_ends = |key: u32, side: &mut FxHashMap<u32, Vec<Edge>>| {
        let mut list = side.remove(&key).unwrap_or_default();
        list.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.key.cmp(&b.key)));
        list
    };
    let mut entries: Vec<PeekEntry> = cum
        .iter()
        .map(|(&key, &cum)| PeekEntry {
            key: keys.keys[key as usize].clone(),
            flat: flat.get(&key).copied().unwrap_or(0),
            cum,
            callers: other_ends(key, &mut callers),
            callees: other_ends(key, &mut callees),
        })
        .collect();
    entries.sort_by(|a, b| flat_order((a.flat, a.cum, &a.key), (b.flat, b.cum, &b.key)));
    let ValueType { name, unit } = profile.sample_types[sample_index].clone();
    Peek {
        sample_type: name,
        unit,
        total: profile.percent_base(sample_index),
        entries,
    }
}
