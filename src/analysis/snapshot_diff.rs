//! Heap snapshots compared by object id (ids are stable within one process): DevTools'
//! Comparison view, class counts across a series, and memlab's three-snapshot leak rule.

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::analysis::class_summary::{class_summary, counted};
use crate::analysis::dominators::retained_together;
use crate::analysis::series::slope;
use crate::model::heap_graph::HeapGraph;

const NONE: u32 = u32::MAX;

/// One class in the Comparison view.
#[derive(Debug, Clone, Serialize)]
pub struct ComparisonRow {
    pub key: String,
    /// Objects in the target whose id the base does not have.
    pub new: u64,
    /// Objects in the base whose id the target does not have.
    pub deleted: u64,
    pub delta: i64,
    pub alloc_size: u64,
    pub freed_size: u64,
    pub size_delta: i64,
}

/// An object of the target that the base does not have.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectRow {
    pub id: u32,
    pub class: String,
    pub self_size: u64,
    pub retained: u64,
}

use crate::analysis::AnalysedSnapshot;

fn counted_ids(graph: &HeapGraph, class: &[u32]) -> FxHashSet<u32> {
    (0..graph.node_count())
        .filter(|&n| class[n] != NONE)
        .map(|n| graph.node_id[n])
        .collect()
}

/// The Comparison view of `target` against `base`, largest change first, and the target's new
/// objects by retained size.
pub fn compare(
    base: &AnalysedSnapshot<'_>,
    target: &AnalysedSnapshot<'_>,
    new_objects: usize,
) -> (Vec<ComparisonRow>, Vec<ObjectRow>) {
    let base_class = counted(&base.classes, &base.retention);
    let target_class = counted(&target.classes, &target.retention);
    let (base_names, target_names) = (&base.classes.names, &target.classes.names);
    let (base_retention, target_retention) = (&base.retention, &target.retention);
    let (base, target) = (base.graph, target.graph);
    let base_ids = counted_ids(base, &base_class);
    let target_ids = counted_ids(target, &target_class);
    let mut rows: FxHashMap<&str, ComparisonRow> = FxHashMap::default();
    let mut fresh: Vec<u32> = Vec::new();
    for (node, &c) in target_class.iter().enumerate() {
        if c != NONE && !base_ids.contains(&target.node_id[node]) {
            let r = comparison_row(&mut rows, &target_names[c as usize]);
            r.new += 1;
            r.alloc_size += target_retention.shallow.get(node);
            fresh.push(node as u32);
        }
    }
    for (node, &c) in base_class.iter().enumerate() {
        if c != NONE && !target_ids.contains(&base.node_id[node]) {
            let r = comparison_row(&mut rows, &base_names[c as usize]);
            r.deleted += 1;
            r.freed_size += base_retention.shallow.get(node);
        }
    }
    let mut rows: Vec<ComparisonRow> = rows
        .into_values()
        .map(|mut r| {
            r.delta = r.new as i64 - r.deleted as i64;
            r.size_delta = r.alloc_size as i64 - r.freed_size as i64;
            r
        })
        .collect();
    rows.sort_by(|a, b| {
        crate::analysis::diff::order(a.size_delta, a.delta, &a.key)
            .cmp(&crate::analysis::diff::order(b.size_delta, b.delta, &b.key))
    });
    fresh.sort_by(|&a, &b| {
        target_retention
            .retained
            .get(b as usize)
            .cmp(&target_retention.retained.get(a as usize))
            .then(target.node_id[a as usize].cmp(&target.node_id[b as usize]))
    });
    let objects = fresh
        .into_iter()
        .take(new_objects)
        .map(|node| ObjectRow {
            id: target.node_id[node as usize],
            class: target_names[target_class[node as usize] as usize].clone(),
            self_size: target_retention.shallow.get(node as usize),
            retained: target_retention.retained.get(node as usize),
        })
        .collect();
    (rows, objects)
}

fn comparison_row<'a, 'm>(
    rows: &'m mut FxHashMap<&'a str, ComparisonRow>,
    key: &'a str,
) -> &'m mut ComparisonRow {
    rows.entry(key).or_insert_with(|| ComparisonRow {
        key: key.to_string(),
        new: 0,
        deleted: 0,
        delta: 0,
        alloc_size: 0,
        freed_size: 0,
        size_delta: 0,
    })
}

/// A class across a series of snapshots.
#[derive(Debug, Clone, Serialize)]
pub struct ClassSeriesRow {
    pub key: String,
    /// Object count per snapshot.
    pub values: Vec<i64>,
    pub retained_values: Vec<i64>,
    pub shallow_values: Vec<i64>,
    /// Last count minus first.
    pub delta: i64,
    pub grew_every_step: bool,
    /// Grew at every step by more than a healthy process's heap drifts: see `beyond_noise`.
    pub beyond_noise: bool,
    pub slope: f64,
}

/// Object categories the engine itself grows as code warms up (compiled code, maps, strings,
/// heap numbers): steady growth there is not a leak by itself.
pub fn engine_category(class: &str) -> bool {
    class.starts_with("system / ")
        || matches!(
            class,
            "(compiled code)"
                | "(system)"
                | "(object shape)"
                | "(string)"
                | "(concatenated string)"
                | "(sliced string)"
                | "(number)"
        )
}

/// Smallest growth, over a whole series, that counts as more than noise: at least this many
/// objects and this fraction of the first snapshot's count. A healthy gRPC client's heap drifts
/// by about 1% (a couple of dozen `Object`s) over hundreds of calls.
pub const NOISE_MIN_OBJECTS: i64 = 10;
pub const NOISE_MIN_FRACTION: f64 = 0.05;

fn beyond_noise(row: &ClassSeriesRow) -> bool {
    let first = row.values[0];
    row.grew_every_step
        && !engine_category(&row.key)
        && row.delta >= NOISE_MIN_OBJECTS
        && row.delta as f64 >= NOISE_MIN_FRACTION * first as f64
}

/// Puts the program's and libraries' constructors first, ranked by how much more they retain
/// (what a leak costs is memory: memlab's order), V8's categories and containers after them by
/// count; returns how many come first.
pub fn specific_first_by_retained_growth(rows: &mut [ClassSeriesRow]) -> usize {
    let specific = crate::analysis::heap_classes::specific_first(rows, |r| r.key.as_str());
    rows[..specific].sort_by_key(|r| {
        let n = r.retained_values.len();
        (
            std::cmp::Reverse(r.retained_values[n - 1] - r.retained_values[0]),
            std::cmp::Reverse(r.delta),
        )
    });
    specific
}

/// Summaries of every snapshot, class by class, largest count growth first.
pub fn class_series(snapshots: &[&AnalysedSnapshot<'_>]) -> Vec<ClassSeriesRow> {
    let n = snapshots.len();
    let mut index: FxHashMap<String, usize> = FxHashMap::default();
    let mut rows: Vec<ClassSeriesRow> = Vec::new();
    for (step, snapshot) in snapshots.iter().enumerate() {
        for class in class_summary(&snapshot.classes, &snapshot.retention) {
            let i = *index.entry(class.key.clone()).or_insert_with(|| {
                rows.push(ClassSeriesRow {
                    key: class.key.clone(),
                    values: vec![0; n],
                    retained_values: vec![0; n],
                    shallow_values: vec![0; n],
                    delta: 0,
                    grew_every_step: false,
                    beyond_noise: false,
                    slope: 0.0,
                });
                rows.len() - 1
            });
            rows[i].values[step] = class.count as i64;
            rows[i].retained_values[step] = class.retained as i64;
            rows[i].shallow_values[step] = class.shallow as i64;
        }
    }
    for row in &mut rows {
        row.delta = row.values[n - 1] - row.values[0];
        row.grew_every_step = n > 1 && row.values.windows(2).all(|w| w[1] > w[0]);
        row.beyond_noise = beyond_noise(row);
        row.slope = slope(&row.values);
    }
    rows.sort_by(|a, b| {
        let size = |r: &ClassSeriesRow| r.retained_values[n - 1] - r.retained_values[0];
        crate::analysis::diff::order(a.delta, size(a), &a.key).cmp(&crate::analysis::diff::order(
            b.delta,
            size(b),
            &b.key,
        ))
    });
    rows
}

/// Nodes of `graph` whose object was already in `previous` (same id): what outlived the time
/// between the two snapshots. Calls, buffers and timers in flight come and go between
/// snapshots; what a leak holds stays. V8 hands out the ids of heap objects in order, so they
/// are dense and a bit set holds them (8 MB at most); the few large ids of native objects are
/// sorted and searched.
pub fn stayed(previous: &HeapGraph, graph: &HeapGraph) -> fixedbitset::FixedBitSet {
    const DENSE: u32 = 1 << 26;
    let dense_len = previous
        .node_id
        .iter()
        .filter(|&&id| id < DENSE)
        .max()
        .map_or(0, |&max| max as usize + 1);
    let mut dense = fixedbitset::FixedBitSet::with_capacity(dense_len);
    let mut sparse = Vec::new();
    for &id in &previous.node_id {
        if id < DENSE {
            dense.insert(id as usize);
        } else {
            sparse.push(id);
        }
    }
    sparse.sort_unstable();
    let mut stayed = fixedbitset::FixedBitSet::with_capacity(graph.node_count());
    for (node, &id) in graph.node_id.iter().enumerate() {
        let was_there = if id < DENSE {
            dense.contains(id as usize)
        } else {
            sparse.binary_search(&id).is_ok()
        };
        if was_there {
            stayed.insert(node);
        }
    }
    stayed
}

/// memlab's rule: objects allocated between `baseline` and `target` (in the target, not in the
/// baseline) that are still alive in `last`. Returns their nodes in `last`.
pub fn leaked_since(baseline: &HeapGraph, target: &HeapGraph, last: &HeapGraph) -> Vec<u32> {
    let baseline_ids: FxHashSet<u32> = baseline.node_id.iter().copied().collect();
    let target_new: FxHashSet<u32> = target
        .node_id
        .iter()
        .copied()
        .filter(|id| !baseline_ids.contains(id))
        .collect();
    (0..last.node_count() as u32)
        .filter(|&n| target_new.contains(&last.node_id[n as usize]))
        .collect()
}

/// Leaked objects grouped by class: (class, objects, retained in the last snapshot).
#[derive(Debug, Clone, Serialize)]
pub struct LeakRow {
    pub key: String,
    pub count: u64,
    pub retained: u64,
}

pub fn leak_rows(last: &AnalysedSnapshot<'_>, leaked: &[u32]) -> Vec<LeakRow> {
    let class = counted(&last.classes, &last.retention);
    let names = last.classes.names.clone();
    let retention = &last.retention;
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); names.len()];
    for &node in leaked {
        let c = class[node as usize];
        if c != NONE {
            members[c as usize].push(node);
        }
    }
    let mut rows: Vec<LeakRow> = names
        .into_iter()
        .zip(members)
        .filter(|(_, nodes)| !nodes.is_empty())
        .map(|(key, nodes)| LeakRow {
            key,
            count: nodes.len() as u64,
            retained: retained_together(retention, &nodes),
        })
        .collect();
    rows.sort_by(|a, b| {
        b.retained
            .cmp(&a.retained)
            .then(b.count.cmp(&a.count))
            .then_with(|| a.key.cmp(&b.key))
    });
    rows
}
