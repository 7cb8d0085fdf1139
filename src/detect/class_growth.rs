//! Generic growth on heap snapshots: classes that grow at every step beyond noise, outside what
//! fired catalogue entries account for.

use fixedbitset::FixedBitSet;
use rustc_hash::FxHashMap;

use crate::analysis::class_summary::counted;
use crate::analysis::dominators::dominated;
use crate::analysis::heap_classes::is_specific_class;
use crate::analysis::retainer_paths::source_of;
use crate::analysis::snapshot_diff::{engine_category, NOISE_MIN_FRACTION, NOISE_MIN_OBJECTS};
use crate::analysis::AnalysedSnapshot;
use crate::detect::generic::generic_finding;
use crate::detect::growth::lock_step;
use crate::detect::snapshot_signatures::main_paths;
use crate::model::Finding;

/// Constructors that grow at every step beyond noise, counting only objects the classes of
/// fired entries do not account for. Beside a fired entry (whose leak drags plain objects,
/// closures and native handles along) a class must also be named by code, not grow in lock-step
/// with the entry's metric, and grow at least half as much: a second leak, not collateral.
pub fn generic_class_growth(
    snapshots: &[&AnalysedSnapshot<'_>],
    explaining: &[String],
    fired: &[Vec<i64>],
    indexes: &[usize],
    findings: &mut Vec<Finding>,
) {
    let n = snapshots.len();
    if n < 2 {
        return;
    }
    if !explaining.is_empty() {
        // What fired entries account for follows every snapshot's retainer paths.
        AnalysedSnapshot::prepare_retainers(snapshots);
    }
    let mut rows: FxHashMap<String, Vec<i64>> = FxHashMap::default();
    for (step, s) in snapshots.iter().enumerate() {
        let class = counted(&s.classes, &s.retention);
        let covered = retained_by(s, explaining);
        // Counted per class index first: a name per object would be millions of lookups.
        let mut per_class = vec![0i64; s.classes.names.len()];
        for (node, &c) in class.iter().enumerate() {
            if c != u32::MAX && !covered.contains(node) {
                per_class[c as usize] += 1;
            }
        }
        for (name, &count) in s.classes.names.iter().zip(&per_class) {
            if count > 0 {
                rows.entry(name.clone()).or_insert_with(|| vec![0; n])[step] += count;
            }
        }
    }
    let mut growing: Vec<(String, Vec<i64>)> = rows
        .into_iter()
        .filter(|(name, v)| {
            let delta = v[n - 1] - v[0];
            !engine_category(name)
                && v.windows(2).all(|w| w[1] > w[0])
                && delta >= NOISE_MIN_OBJECTS
                && delta as f64 >= NOISE_MIN_FRACTION * v[0] as f64
                && fired.iter().all(|f| {
                    is_specific_class(name) && !lock_step(v, f) && 2 * delta >= f[n - 1] - f[0]
                })
        })
        .collect();
    growing.sort_by(|a, b| {
        (b.1[n - 1] - b.1[0])
            .cmp(&(a.1[n - 1] - a.1[0]))
            .then_with(|| a.0.cmp(&b.0))
    });
    let last = snapshots.last().expect("n >= 2");
    for (class, values) in growing.into_iter().take(5) {
        let mut f = generic_finding("heap.growth", "objects", &class, values, indexes);
        f.evidence.classes = std::mem::take(&mut f.evidence.stacks);
        // Why they are alive, as for a catalogue entry: the fix starts from the retainer.
        f.evidence.retainers = main_paths(last, |name| name == class);
        findings.push(f);
    }
}

/// Nodes an object of one of `classes` accounts for: the objects themselves, what they
/// dominate, and what their shortest retainer paths pass through them to reach.
pub fn retained_by(s: &AnalysedSnapshot<'_>, classes: &[String]) -> FixedBitSet {
    let n = s.graph.node_count();
    let mut covered = FixedBitSet::with_capacity(n);
    if classes.is_empty() {
        return covered;
    }
    let is_explaining: Vec<bool> = (0..n as u32)
        .map(|node| classes.iter().any(|c| c == s.classes.name(node)))
        .collect();
    let children = dominated(&s.retention);
    let mut stack: Vec<u32> = (0..n as u32)
        .filter(|&node| is_explaining[node as usize])
        .collect();
    while let Some(node) = stack.pop() {
        if !covered.put(node as usize) {
            stack.extend_from_slice(children.of(node));
        }
    }
    // Parents come before children in order of distance from the roots.
    let tree = s.retainers();
    let mut order: Vec<u32> = (1..n as u32)
        .filter(|&node| tree.parent_edge[node as usize] != u32::MAX)
        .collect();
    order.sort_unstable_by_key(|&node| tree.distance[node as usize]);
    for node in order {
        let parent = source_of(s.graph, tree.parent_edge[node as usize] as usize);
        if covered.contains(parent as usize) {
            covered.insert(node as usize);
        }
    }
    covered
}

#[cfg(test)]
mod tests {
    use crate::analysis::class_summary::ClassKey;
    use crate::analysis::AnalysedSnapshot;
    use crate::detect::snapshot_signatures::snapshot_findings;
    use crate::detect::test_inputs::{read, RECREATE_SNAPSHOTS};
    use crate::model::group_inputs;

    #[test]
    fn classes_that_grow_beyond_noise_are_named_with_their_retainers() {
        let inputs = read(&RECREATE_SNAPSHOTS);
        let graphs: Vec<_> = inputs.iter().filter_map(|i| i.heap()).collect();
        let analysed = AnalysedSnapshot::all(&graphs, ClassKey::Constructor);
        let snapshots: Vec<&AnalysedSnapshot> = analysed.iter().collect();
        // No catalogue entry: the leaking client's classes are left to generic growth.
        let mut found = Vec::new();
        snapshot_findings(&group_inputs(&inputs)[0], &snapshots, &[], &mut found);
        assert!(!found.is_empty() && found.len() <= 5, "{found:?}");
        for f in &found {
            assert_eq!(
                (f.signature.as_str(), f.metric.as_str()),
                ("heap.growth", "objects")
            );
            assert!(f.series.windows(2).all(|w| w[1] > w[0]), "{}", f.title);
            assert!(
                !f.evidence.retainers.is_empty(),
                "{}: why they are alive",
                f.title
            );
        }
    }
}
