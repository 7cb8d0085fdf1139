//! Catalogue entries on heap snapshots: each entry's classes counted in every snapshot (as
//! DevTools' Summary counts them), growth makes a finding, and the retainer paths of the last
//! snapshot say what holds the objects.

use fixedbitset::FixedBitSet;
use rustc_hash::FxHashMap;

use crate::analysis::class_summary::counted;
use crate::analysis::retainer_paths::{fingerprint, path_groups};
use crate::analysis::snapshot_diff::stayed;
use crate::analysis::AnalysedSnapshot;
use crate::detect::catalogue::{Compiled, Signature};
use crate::detect::class_growth::generic_class_growth;
use crate::detect::growth::{entry_status, Measured};
use crate::model::{Evidence, Finding, InputSeries, NamedSeries, PathGroup, Status};

pub fn snapshot_findings(
    group: &InputSeries<'_>,
    snapshots: &[&AnalysedSnapshot<'_>],
    entries: &[&Compiled],
    findings: &mut Vec<Finding>,
) {
    let indexes: Vec<usize> = group.members.iter().map(|(i, _)| *i).collect();
    let counts: Vec<FxHashMap<&str, i64>> =
        snapshots.iter().map(|s| by_name(s, |_| true)).collect();
    // From the second snapshot on, per class, the objects already there in the one before:
    // what stayed, where calls and timers in flight come and go.
    let stayed = stayed_per_snapshot(snapshots);
    let kept_counts: Vec<FxHashMap<&str, i64>> = snapshots[1..]
        .iter()
        .zip(&stayed)
        .map(|(s, stayed)| by_name(s, |node| stayed.contains(node)))
        .collect();
    let series_of = |class: &str| -> Vec<i64> {
        counts
            .iter()
            .map(|m| m.get(class).copied().unwrap_or(0))
            .collect()
    };
    let mut explaining_classes: Vec<String> = Vec::new();
    let mut fired: Vec<Vec<i64>> = Vec::new();
    for entry in entries {
        let s = &entry.signature;
        let sum = |counts: &FxHashMap<&str, i64>| -> i64 {
            s.classes
                .iter()
                .map(|c| counts.get(c.as_str()).copied().unwrap_or(0))
                .sum()
        };
        let values: Vec<i64> = counts.iter().map(sum).collect();
        let kept: Vec<i64> = kept_counts.iter().map(sum).collect();
        let measured = Measured {
            values: &values,
            kept: Some(&kept),
        };
        let last = snapshots.last().expect("non-empty group");
        let mut suspect_hint = None;
        let judged = entry_status(measured, s.min_growth.unwrap_or(1.0));
        let status = match &judged {
            Some(judged) => judged.status,
            None if values.len() <= 2 => {
                // Open across the whole interval, where ids can tell; else all there are.
                let count = measured
                    .left_behind()
                    .map_or(values[values.len() - 1], |left| left[left.len() - 1]);
                let Some((status, hint)) = suspect(s, last, count) else {
                    continue;
                };
                suspect_hint = hint;
                status
            }
            None => continue,
        };
        explaining_classes.extend(s.classes.iter().chain(&s.co_classes).cloned());
        // Where only what stayed was counted, its paths are the ones that explain the leak:
        // calls in flight are held by what runs them.
        let counted_stayed = judged.as_ref().is_some_and(|j| j.left_behind.is_some());
        let stayed_last = stayed.last().filter(|_| counted_stayed);
        let paths = main_paths(last, |node, name| {
            s.classes.iter().any(|c| c == name)
                && stayed_last.is_none_or(|stayed| stayed.contains(node as usize))
        });
        let text: String = paths
            .iter()
            .flat_map(|p| {
                p.path
                    .iter()
                    .map(|step| format!("{} {} ", step.node, step.edge))
            })
            .collect();
        let hints = suspect_hint
            .into_iter()
            .chain(
                s.retainer_hints
                    .iter()
                    .filter(|h| text.contains(&h.pattern))
                    .map(|h| format!("held by {} ({})", h.meaning, h.pattern)),
            )
            .collect();
        let main_path = paths
            .first()
            .map(|p| p.fingerprint.clone())
            .unwrap_or_default();
        let fingerprint = fingerprint(&format!("{}\n{}\n{main_path}", s.id, s.classes.join(",")));
        let evidence = Evidence {
            classes: s
                .classes
                .iter()
                .chain(&s.co_classes)
                .map(|c| NamedSeries {
                    name: c.clone(),
                    values: series_of(c),
                })
                .filter(|c| c.values.iter().any(|&v| v > 0))
                .collect(),
            retainers: paths,
            hints,
            ..Evidence::default()
        };
        let mut finding = s.finding(status, fingerprint, values, &indexes, evidence);
        if let Some(judged) = judged {
            judged.apply(&mut finding);
        }
        fired.push(finding.series.clone());
        findings.push(finding);
    }
    generic_class_growth(
        snapshots,
        &stayed,
        &explaining_classes,
        &fired,
        &indexes,
        findings,
    );
}

/// Objects per class name, of those `keep` accepts (by node), as DevTools' Summary counts
/// them. Counted per class index first: a name per object would be millions of lookups.
fn by_name<'s>(
    s: &'s AnalysedSnapshot<'_>,
    keep: impl Fn(usize) -> bool,
) -> FxHashMap<&'s str, i64> {
    let class = counted(&s.classes, &s.retention);
    let mut per_class = vec![0i64; s.classes.names.len()];
    for (node, &c) in class.iter().enumerate() {
        if c != u32::MAX && keep(node) {
            per_class[c as usize] += 1;
        }
    }
    let mut map: FxHashMap<&str, i64> = FxHashMap::default();
    for (c, &count) in per_class.iter().enumerate().filter(|(_, &n)| n > 0) {
        *map.entry(s.classes.names[c].as_str()).or_default() += count;
    }
    map
}

/// Per snapshot from the second, its objects that the snapshot before already had (by id),
/// one pair per core at a time.
fn stayed_per_snapshot(snapshots: &[&AnalysedSnapshot<'_>]) -> Vec<FixedBitSet> {
    let pairs: Vec<_> = snapshots.windows(2).collect();
    crate::parallel::map_in_order(&pairs, |pair| stayed(pair[0].graph, pair[1].graph))
}

/// What one snapshot shows of the entry's structure when growth cannot be measured: at least
/// `suspect_min_count` objects of its classes, counting only those no object of
/// `suspect_orphaned_from` refers to when the entry names owners. The hint says how many were
/// orphaned.
fn suspect(
    s: &Signature,
    snapshot: &AnalysedSnapshot<'_>,
    count: i64,
) -> Option<(Status, Option<String>)> {
    let min = s.suspect_min_count?;
    if count < min {
        return None;
    }
    if s.suspect_orphaned_from.is_empty() {
        return Some((Status::Suspect, None));
    }
    let graph = snapshot.graph;
    let weak = graph.known_types().edge_weak;
    // Class indexes, not names: one comparison per object.
    let classes = &snapshot.classes;
    let indexes = |names: &[String]| -> Vec<u32> {
        (0..classes.names.len() as u32)
            .filter(|&c| names.contains(&classes.names[c as usize]))
            .collect()
    };
    let (target_classes, owner_classes) = (indexes(&s.classes), indexes(&s.suspect_orphaned_from));
    let of = |node: u32| classes.of_node[node as usize];
    let is_target = |node: u32| target_classes.contains(&of(node));
    let mut owned = FixedBitSet::with_capacity(graph.node_count());
    for owner in (0..graph.node_count() as u32).filter(|&n| owner_classes.contains(&of(n))) {
        for e in graph.edges(owner) {
            if Some(graph.edge_type(e)) != weak {
                owned.insert(graph.edge_to[e] as usize);
            }
        }
    }
    let targets: Vec<u32> = (0..graph.node_count() as u32)
        .filter(|&n| is_target(n))
        .collect();
    let orphans = targets
        .iter()
        .filter(|&&n| !owned.contains(n as usize))
        .count() as i64;
    (orphans >= min).then(|| {
        let hint = format!(
            "{orphans} of {} {} objects are referred to by no {}: their owner is gone, yet they live on",
            targets.len(),
            s.classes.join(" or "),
            s.suspect_orphaned_from.join(" or "),
        );
        (Status::Suspect, Some(hint))
    })
}

/// The three most common retainer path shapes of the objects `wanted` accepts (by node and
/// class name).
pub fn main_paths(
    snapshot: &AnalysedSnapshot<'_>,
    wanted: impl Fn(u32, &str) -> bool,
) -> Vec<PathGroup> {
    let targets: Vec<u32> = (0..snapshot.graph.node_count() as u32)
        .filter(|&n| wanted(n, snapshot.classes.name(n)))
        .collect();
    let (mut paths, _) = path_groups(
        snapshot.graph,
        &snapshot.classes,
        snapshot.retainers(),
        &snapshot.retention,
        &targets,
    );
    paths.truncate(3);
    paths
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::class_summary::ClassKey;
    use crate::detect::test_inputs::{read, RECREATE_SNAPSHOTS};
    use crate::detect::Catalogue;
    use crate::model::{group_inputs, Status};

    #[test]
    fn grpc_js_clients_re_created_without_close_are_named_with_their_retainers() {
        let inputs = read(&RECREATE_SNAPSHOTS);
        let graphs: Vec<_> = inputs.iter().filter_map(|i| i.heap()).collect();
        let analysed = AnalysedSnapshot::all(&graphs, ClassKey::Constructor);
        let snapshots: Vec<&AnalysedSnapshot> = analysed.iter().collect();
        let catalogue = Catalogue::builtin();
        let entries: Vec<&Compiled> = catalogue
            .entries
            .iter()
            .filter(|e| e.signature.runtime == "node")
            .collect();
        let mut found = Vec::new();
        snapshot_findings(&group_inputs(&inputs)[0], &snapshots, &entries, &mut found);
        let client = found
            .iter()
            .find(|f| f.signature == "node.grpcjs.client-not-closed")
            .expect("the re-created clients are named");
        assert_eq!(client.status, Status::Growing);
        assert_eq!(client.series, [11, 61, 161]);
        assert!(!client.evidence.retainers.is_empty());
        assert!(client
            .evidence
            .classes
            .iter()
            .any(|c| c.name == "InternalChannel"));
    }
}
