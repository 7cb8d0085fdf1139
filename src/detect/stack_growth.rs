//! Generic growth on stack profiles: stacks (goroutines) or allocation sites (heap) whose
//! growth was left behind, not in flight, where no catalogue entry explains them.

use fixedbitset::FixedBitSet;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::analysis::keys::{stack_key_of, FrameKeys};
use crate::detect::generic::generic_finding;
use crate::detect::growth::{generic_status, generic_suspect, Judged, Measured};
use crate::detect::stack_match::{code_sites, creators, value_index};
use crate::model::series::GENERIC_MIN_SNAPSHOTS;
use crate::model::{CreatorGroup, Finding, Profile, ProfileClass, Status};

/// Stacks (goroutines) or allocation sites (heap) whose growth was left behind, not in flight,
/// outside what an entry already explained (`growth::generic_status`).
pub fn generic_stack_growth(
    class: ProfileClass,
    profiles: &[&Profile],
    keys: &[FrameKeys],
    explained: &[FixedBitSet],
    ids: Option<&[FxHashSet<u64>]>,
    indexes: &[usize],
    findings: &mut Vec<Finding>,
) {
    if profiles.len() < 2 {
        return;
    }
    let n = profiles.len();
    let row_key = |profile: &Profile, keys: &FrameKeys, stack: u32| -> String {
        let stack = stack_key_of(profile, keys, stack);
        match class {
            ProfileClass::Goroutine => stack,
            // The allocation site: the first frame after the allocator's.
            _ => stack.rsplit(';').next().unwrap_or("").to_string(),
        }
    };
    // Rows by key; the row of each stack of the last snapshot is kept for the evidence.
    let mut row_of_key: FxHashMap<String, usize> = FxHashMap::default();
    let mut rows: Vec<(String, Vec<i64>)> = Vec::new();
    // Per row, goroutines of each snapshot (from the second) already alive in the one before.
    let mut kept: Vec<Vec<i64>> = Vec::new();
    let mut last_rows: Vec<(u32, usize)> = Vec::new();
    for (step, ((profile, keys), explained)) in profiles.iter().zip(keys).zip(explained).enumerate()
    {
        let index = value_index(profile);
        let kept_by_stack = match (ids, step) {
            (Some(ids), 1..) => kept_per_stack(profile, &ids[step - 1]),
            _ => FxHashMap::default(),
        };
        for (i, sample) in profile.samples.iter().enumerate() {
            if explained.contains(sample.stack as usize) {
                continue;
            }
            let key = row_key(profile, keys, sample.stack);
            if key.is_empty() {
                continue;
            }
            let row = *row_of_key.entry(key).or_insert_with_key(|key| {
                rows.push((key.clone(), vec![0; n]));
                kept.push(vec![0; n - 1]);
                rows.len() - 1
            });
            rows[row].1[step] += profile.values(i)[index];
            if step > 0 {
                kept[row][step - 1] += kept_by_stack.get(&sample.stack).copied().unwrap_or(0);
            }
            if step == n - 1 {
                last_rows.push((sample.stack, row));
            }
        }
    }
    let first_total: i64 = {
        let p = profiles[0];
        p.total(value_index(p))
    };
    let (id, metric, min_growth) = match class {
        ProfileClass::Goroutine => ("go.goroutines.growth", "goroutines", 10.0),
        // At least 1 MiB and a twentieth of the first heap.
        _ => (
            "heap.growth",
            "inuse_space",
            (1 << 20) as f64 + first_total.max(0) as f64 / 20.0,
        ),
    };
    let mut judged: Vec<Option<Judged>> = (0..rows.len())
        .map(|r| {
            let measured = Measured {
                values: &rows[r].1,
                kept: ids.map(|_| kept[r].as_slice()),
            };
            generic_status(measured, min_growth).or_else(|| generic_suspect(measured, min_growth))
        })
        .collect();
    let mut growing: Vec<usize> = (0..rows.len()).filter(|&r| judged[r].is_some()).collect();
    let growth = |r: usize| rows[r].1[n - 1] - rows[r].1[0];
    growing.sort_by(|&a, &b| {
        growth(b)
            .cmp(&growth(a))
            .then_with(|| rows[a].0.cmp(&rows[b].0))
    });
    growing.truncate(5);
    // The evidence comes from the last snapshot's stacks of each row: who started them, and
    // where they meet the program's own code.
    let (last, last_keys) = (profiles[n - 1], &keys[n - 1]);
    let mut matched: Vec<FixedBitSet> = growing
        .iter()
        .map(|_| FixedBitSet::with_capacity(last.stack_count()))
        .collect();
    for (stack, row) in last_rows {
        if let Some(at) = growing.iter().position(|&r| r == row) {
            matched[at].insert(stack as usize);
        }
    }
    let mut rows: Vec<Option<(String, Vec<i64>)>> = rows.into_iter().map(Some).collect();
    let growing = growing.iter().map(|&r| {
        let (key, values) = rows[r].take().expect("each row once");
        (
            key,
            values,
            judged[r].take().expect("kept rows were judged"),
        )
    });
    for ((key, values, judged), matched) in growing.zip(&matched) {
        let mut f = generic_finding(id, metric, &key, values, indexes);
        f.status = judged.status;
        judged.apply(&mut f);
        let (creators, waits) = creators(last, last_keys, matched);
        if f.status == Status::Suspect {
            let Some(hint) = one_loop(&creators, n) else {
                continue;
            };
            f.evidence.hints.push(hint);
        }
        f.evidence.creators = creators;
        f.evidence.wait_minutes = waits;
        f.evidence.code = code_sites(last, matched);
        findings.push(f);
    }
}

/// A loop behind a short series of full dumps: one goroutine started at least
/// `SUSPECT_ONE_LOOP_MIN` of the stack's goroutines, and the hint that says so.
pub fn one_loop(creators: &[CreatorGroup], n: usize) -> Option<String> {
    let busiest = creators
        .iter()
        .filter_map(|c| c.top_creators.first())
        .max_by_key(|c| c.created)?;
    (busiest.created >= SUSPECT_ONE_LOOP_MIN).then(|| {
        format!(
            "suspect: goroutine {} started {} of them and every one stayed from dump to dump, \
             the structure of a leak; {n} dumps are too few to tell growth from load (that takes \
             {GENERIC_MIN_SNAPSHOTS})",
            busiest.id, busiest.created
        )
    })
}

/// Goroutines one creator must have started for a short series to be suspect: a healthy
/// service's worker pools and connections, measured under load, stay well below.
const SUSPECT_ONE_LOOP_MIN: u64 = 50;

/// Goroutines of a full dump per stack that were alive, by id, in the dump before.
fn kept_per_stack(profile: &Profile, earlier: &FxHashSet<u64>) -> FxHashMap<u32, i64> {
    let mut kept = FxHashMap::default();
    if let Some(dump) = &profile.goroutines {
        for g in dump.goroutines.iter().filter(|g| earlier.contains(&g.id)) {
            *kept.entry(g.stack).or_default() += 1;
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use crate::detect::stack_signatures::stack_findings;
    use crate::detect::test_inputs::{read, CONN_LEAK_DUMPS};
    use crate::model::{group_inputs, Finding};

    /// Generic growth alone: the series with no catalogue entry to explain it.
    fn generic(paths: &[&str]) -> Vec<Finding> {
        let inputs = read(paths);
        let mut found = Vec::new();
        stack_findings(&group_inputs(&inputs)[0], &[], &mut found);
        found
    }

    #[test]
    fn goroutine_stacks_that_grow_at_every_step_are_named_by_their_leaf() {
        let found = generic(&CONN_LEAK_DUMPS);
        let serializers = found
            .iter()
            .find(|f| f.title.contains("grpcsync.(*CallbackSerializer).run"))
            .expect("the callback serializers grow");
        assert_eq!(serializers.signature, "go.goroutines.growth");
        assert_eq!(serializers.series.first(), Some(&0));
        assert!(serializers.series.windows(2).all(|w| w[1] > w[0]));
        assert!(found.len() <= 5, "at most five generic findings per series");
    }

    #[test]
    fn allocation_sites_that_keep_growing_are_named() {
        // A cache that keeps every response, under load that goes up and down.
        let found = generic(&[
            "go/noisy/noisy-cache-leak-m01-heap.pb.gz",
            "go/noisy/noisy-cache-leak-m02-heap.pb.gz",
            "go/noisy/noisy-cache-leak-m03-heap.pb.gz",
            "go/noisy/noisy-cache-leak-m04-heap.pb.gz",
            "go/noisy/noisy-cache-leak-m05-heap.pb.gz",
        ]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].signature.as_str(), found[0].metric.as_str()),
            ("heap.growth", "inuse_space")
        );
        assert!(found[0].title.contains("main.rememberResponse"));
        assert!(found[0].trend.is_some_and(|t| t.p_value <= 0.05));
        // Three profiles are too few without ids.
        assert!(generic(&[
            "go/noisy/noisy-cache-leak-m01-heap.pb.gz",
            "go/noisy/noisy-cache-leak-m02-heap.pb.gz",
            "go/noisy/noisy-cache-leak-m03-heap.pb.gz",
        ])
        .is_empty());
    }
}
