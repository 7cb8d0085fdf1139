//! Generic growth on heap snapshots: classes whose objects pile up beyond noise, outside what
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
use crate::detect::growth::{generic_status, lock_step, Judged, Measured};
use crate::detect::snapshot_signatures::main_paths;
use crate::model::Finding;

/// Constructors whose objects pile up beyond noise (`growth::generic_status`: every object
/// stays from one snapshot to the next, and the count trends up), counting only objects the
/// classes of fired entries do not account for. Beside a fired entry (whose leak drags plain objects,
/// closures and native handles along) a class must also be named by code, not grow in lock-step
/// with the entry's metric, and grow at least half as much: a second leak, not collateral.
/// Plain objects, arrays and V8's categories are judged again without what growing classes
/// named by code hold (a leaked `Session`'s arrays and objects are the Session's leak).
pub fn generic_class_growth(
    snapshots: &[&AnalysedSnapshot<'_>],
    stayed: &[FixedBitSet],
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
    let mut growing = growing_classes(snapshots, stayed, explaining, fired);
    let named: Vec<String> = growing
        .iter()
        .map(|(name, _, _)| name.clone())
        .filter(|name| is_specific_class(name))
        .collect();
    if !named.is_empty() && named.len() < growing.len() {
        AnalysedSnapshot::prepare_retainers(snapshots);
        let mut accounted = explaining.to_vec();
        accounted.extend(named.iter().cloned());
        let beyond: FxHashMap<String, (Vec<i64>, Judged)> =
            growing_classes(snapshots, stayed, &accounted, fired)
                .into_iter()
                .map(|(name, values, judged)| (name, (values, judged)))
                .collect();
        growing = growing
            .into_iter()
            .filter_map(|(name, values, judged)| {
                if is_specific_class(&name) {
                    return Some((name, values, judged));
                }
                let (values, judged) = beyond.get(&name)?.clone();
                Some((name, values, judged))
            })
            .collect();
    }
    // The program's and libraries' classes first (as `diff` ranks them), each part by growth.
    let growth = |(_, values, _): &(String, Vec<i64>, Judged)| values[n - 1] - values[0];
    growing.sort_by(|a, b| {
        (!is_specific_class(&a.0))
            .cmp(&!is_specific_class(&b.0))
            .then_with(|| growth(b).cmp(&growth(a)))
            .then_with(|| a.0.cmp(&b.0))
    });
    let last = snapshots.last().expect("n >= 2");
    for (class, values, judged) in growing.into_iter().take(5) {
        let mut f = generic_finding("heap.growth", "objects", &class, values, indexes);
        judged.apply(&mut f);
        f.evidence.classes = std::mem::take(&mut f.evidence.stacks);
        // Why they are alive, as for a catalogue entry: the fix starts from the retainer.
        f.evidence.retainers = main_paths(last, |_, name| name == class);
        findings.push(f);
    }
}

/// Classes whose objects, outside what `explaining` classes account for, pile up beyond
/// noise: name, objects per snapshot, and the judgement.
fn growing_classes(
    snapshots: &[&AnalysedSnapshot<'_>],
    stayed: &[FixedBitSet],
    explaining: &[String],
    fired: &[Vec<i64>],
) -> Vec<(String, Vec<i64>, Judged)> {
    let n = snapshots.len();
    // Per class: objects in each snapshot, and from the second on those that stayed.
    let mut rows: FxHashMap<String, (Vec<i64>, Vec<i64>)> = FxHashMap::default();
    for (step, s) in snapshots.iter().enumerate() {
        let class = counted(&s.classes, &s.retention);
        let covered = retained_by(s, explaining);
        // Counted per class index first: a name per object would be millions of lookups.
        let mut per_class = vec![(0i64, 0i64); s.classes.names.len()];
        let stayed = step.checked_sub(1).map(|k| &stayed[k]);
        for (node, &c) in class.iter().enumerate() {
            if c != u32::MAX && !covered.contains(node) {
                per_class[c as usize].0 += 1;
                if stayed.is_some_and(|stayed| stayed.contains(node)) {
                    per_class[c as usize].1 += 1;
                }
            }
        }
        for (name, &(count, kept)) in s.classes.names.iter().zip(&per_class) {
            if count > 0 {
                let row = rows
                    .entry(name.clone())
                    .or_insert_with(|| (vec![0; n], vec![0; n - 1]));
                row.0[step] += count;
                if step > 0 {
                    row.1[step - 1] += kept;
                }
            }
        }
    }
    rows.into_iter()
        .filter(|(name, _)| !engine_category(name))
        .filter_map(|(name, (values, kept))| {
            let measured = Measured {
                values: &values,
                kept: Some(&kept),
            };
            let judged = generic_status(measured, NOISE_MIN_OBJECTS as f64)?;
            let delta = values[n - 1] - values[0];
            let beyond_noise = delta as f64 >= NOISE_MIN_FRACTION * values[0] as f64;
            let own_leak = fired.iter().all(|f| {
                is_specific_class(&name) && !lock_step(&values, f) && 2 * delta >= f[n - 1] - f[0]
            });
            (beyond_noise && own_leak).then_some((name, values, judged))
        })
        .collect()
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
    use crate::detect::test_inputs::read;
    use crate::model::group_inputs;

    #[test]
    fn classes_that_grow_beyond_noise_are_named_with_their_retainers() {
        // Clients re-created every few seconds under load, four snapshots.
        let inputs = read(&[
            "node/noisy/noisy-client-leak-m01.heapsnapshot.gz",
            "node/noisy/noisy-client-leak-m02.heapsnapshot.gz",
            "node/noisy/noisy-client-leak-m03.heapsnapshot.gz",
            "node/noisy/noisy-client-leak-m04.heapsnapshot.gz",
        ]);
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
            assert!(f.series.windows(2).all(|w| w[1] >= w[0]), "{}", f.title);
            assert!(
                !f.evidence.retainers.is_empty(),
                "{}: why they are alive",
                f.title
            );
        }
    }
}
