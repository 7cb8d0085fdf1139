//! Catalogue entries on stack profiles (goroutines, heap allocation sites): each entry's frames
//! are matched in every snapshot of the series, and growth, or a one-snapshot proof, makes a
//! finding. What the fired entries explain is left out of generic growth.

use fixedbitset::FixedBitSet;
use rustc_hash::FxHashSet;

use crate::analysis::keys::{stack_key_of, FrameKeys};
use crate::detect::catalogue::{unit_of, Compiled, Signature};
use crate::detect::growth::{entry_status, generic_status, generic_suspect, Measured};
use crate::detect::runtime_proof::{self, leak_marks};
use crate::detect::stack_growth::{generic_stack_growth, one_loop};
use crate::detect::stack_match::{
    anchor_name, code_sites, creators, goroutine_ids, key_options, left_behind, stack_fingerprint,
    stack_series, value_index, StackMatch,
};
use crate::model::{CreatorGroup, Evidence, Finding, InputSeries, NamedSeries, Profile, Status};

/// `skip`: stacks that count for nothing (already explained by a more specific entry).
pub fn measure(
    profile: &Profile,
    keys: &FrameKeys,
    entry: &Compiled,
    skip: &FixedBitSet,
) -> StackMatch {
    let function_matches = |patterns: &[regex::Regex]| -> Vec<Vec<bool>> {
        patterns
            .iter()
            .map(|r| {
                profile
                    .functions
                    .iter()
                    .map(|f| r.is_match(&f.name))
                    .collect()
            })
            .collect()
    };
    let any = |sets: &Vec<Vec<bool>>, functions: &[u32]| {
        sets.iter()
            .any(|s| functions.iter().any(|&f| s[f as usize]))
    };
    let markers = function_matches(&entry.markers);
    let require = function_matches(&entry.require_all);
    let unless = function_matches(&entry.unless);
    let minus = function_matches(&entry.minus);
    let co: Vec<Vec<bool>> = function_matches(
        &entry
            .co_growing
            .iter()
            .map(|(_, r)| r.clone())
            .collect::<Vec<_>>(),
    );
    let in_states = stacks_in_states(profile, &entry.signature.states);
    let by_frames_or_states = !entry.markers.is_empty() || !entry.signature.states.is_empty();
    let index = value_index(profile);
    let mut result = StackMatch::empty(profile, co.len());
    let mut minus_total = 0;
    let mut functions: Vec<u32> = Vec::new();
    for (i, sample) in profile.samples.iter().enumerate() {
        if skip.contains(sample.stack as usize) {
            continue;
        }
        let value = profile.values(i)[index];
        functions.clear();
        functions.extend(
            profile
                .stack(sample.stack)
                .iter()
                .map(|&f| profile.frames[f as usize].function),
        );
        let in_state = in_states.contains(&sample.stack);
        let marked = (!by_frames_or_states || any(&markers, &functions) || in_state)
            && require
                .iter()
                .all(|s| functions.iter().any(|&f| s[f as usize]))
            && !any(&unless, &functions);
        if marked {
            result.value += value;
            result.matched.insert(sample.stack as usize);
            *result
                .stacks
                .entry(stack_key_of(profile, keys, sample.stack))
                .or_default() += value;
            let mut anchors: Vec<u32> = if entry.signature.states.is_empty() {
                functions
                    .iter()
                    .copied()
                    .filter(|&f| any(&markers, &[f]) || require.iter().any(|s| s[f as usize]))
                    .collect()
            } else {
                // A state says how goroutines wait, not where: the function they wait in is
                // what the finding is about, whether the dump shows the runtime's frames or not.
                functions
                    .iter()
                    .copied()
                    .find(|&f| !profile.functions[f as usize].name.starts_with("runtime."))
                    .into_iter()
                    .collect()
            };
            anchors.sort_unstable();
            anchors.dedup();
            for f in anchors {
                *result.anchors.entry(anchor_name(profile, f)).or_default() += value;
            }
        }
        if any(&minus, &functions) {
            minus_total += value;
        }
        for (slot, set) in result.co.iter_mut().zip(&co) {
            if functions.iter().any(|&f| set[f as usize]) {
                *slot += value;
                result.co_matched.insert(sample.stack as usize);
            }
        }
    }
    result.value = (result.value - minus_total).max(0);
    result
}

/// Adds the stacks a fired entry matched, and those growing with them, to what is explained.
fn mark_explained(explained: &mut [FixedBitSet], matches: &[StackMatch]) {
    for (bits, m) in explained.iter_mut().zip(matches) {
        bits.union_with(&m.matched);
        bits.union_with(&m.co_matched);
    }
}

/// The stacks of goroutines waiting in one of `states` (dumps that print states).
fn stacks_in_states(profile: &Profile, states: &[String]) -> FxHashSet<u32> {
    let Some(dump) = profile.goroutines.as_ref().filter(|_| !states.is_empty()) else {
        return FxHashSet::default();
    };
    dump.goroutines
        .iter()
        .filter(|g| states.iter().any(|s| s == dump.state_name(g)))
        .map(|g| g.stack)
        .collect()
}

/// What the last snapshot alone proves by an entry's single-snapshot rule: at least
/// `present_min_count` matched, and when asked, waits spread over `present_min_wait_spread_minutes`
/// (a steady leak leaves goroutines of every age; a busy moment leaves young ones).
fn present(s: &Signature, value: i64, waits: Option<[u32; 2]>) -> Option<Status> {
    let enough = s.present_min_count.is_some_and(|n| value >= n);
    let spread = match (s.present_min_wait_spread_minutes, waits) {
        (None, _) => true,
        (Some(min), Some([lo, hi])) => hi - lo >= min,
        (Some(_), None) => false,
    };
    (enough && spread).then_some(Status::Present)
}

/// What one snapshot shows of the entry's structure when growth cannot be measured: at least
/// `suspect_min_count`, and when asked and the dump tells, mostly started by one goroutine.
fn suspect(s: &Signature, value: i64, creators: &[CreatorGroup]) -> Option<Status> {
    let enough = s.suspect_min_count.is_some_and(|n| value >= n);
    let busiest = creators
        .iter()
        .filter(|c| c.distinct_creators > 0)
        .filter_map(|c| c.top_creators.first())
        .map(|c| c.created as i64)
        .max();
    let one_loop = match busiest {
        Some(made) => 2 * made >= value,
        // Dumps without creators (debug=0 and 1, Go before 1.21) cannot tell.
        None => true,
    };
    (enough && (!s.suspect_one_creator || one_loop)).then_some(Status::Suspect)
}

/// Why an entry is suspect, in a sentence the outputs print beside the evidence.
fn suspect_reason(s: &Signature, creators: &[CreatorGroup]) -> String {
    let min = s.suspect_min_count.unwrap_or(0);
    let who = if !s.suspect_one_creator {
        ""
    } else if creators.iter().any(|c| c.distinct_creators > 0) {
        ", most of them started by one goroutine"
    } else {
        " (this format does not record who started them)"
    };
    format!(
        "suspect: at least {min} {} in one snapshot{who}, the structure of this leak; a later \
         snapshot of the same process would show whether it grows",
        unit_of(&s.metric)
    )
}

pub fn stack_findings(group: &InputSeries<'_>, entries: &[&Compiled], findings: &mut Vec<Finding>) {
    let profiles: Vec<&Profile> = group
        .members
        .iter()
        .filter_map(|(_, i)| i.profile())
        .collect();
    let keys: Vec<FrameKeys> = profiles
        .iter()
        .map(|p| FrameKeys::new(p, &key_options()))
        .collect();
    let indexes: Vec<usize> = group.members.iter().map(|(i, _)| *i).collect();
    // Goroutine ids, when every input is a full dump: what stays from one to the next.
    let ids: Option<Vec<FxHashSet<u64>>> = profiles.iter().map(|p| goroutine_ids(p)).collect();
    // Frames that fired entries explain, so generic growth does not report them again.
    let mut explained: Vec<FixedBitSet> = profiles
        .iter()
        .map(|p| FixedBitSet::with_capacity(p.stack_count()))
        .collect();
    // ... and those a library's entry explained, which the common waits do not name again.
    let mut by_library = explained.clone();
    for entry in entries {
        let s = &entry.signature;
        let nothing = FixedBitSet::new();
        let matches: Vec<StackMatch> = profiles
            .iter()
            .zip(&keys)
            .zip(&by_library)
            .map(|((p, k), explained)| {
                if s.proof.is_some() {
                    leak_marks(p, k)
                } else {
                    // A common wait names what no library's entry explained: the goroutines
                    // of a gRPC connection wait on channels too.
                    measure(
                        p,
                        k,
                        entry,
                        if s.strict_growth { explained } else { &nothing },
                    )
                }
            })
            .collect();
        let values: Vec<i64> = matches.iter().map(|m| m.value).collect();
        let last = matches.last().expect("non-empty group");
        let (creators, waits) = creators(
            profiles[profiles.len() - 1],
            &keys[keys.len() - 1],
            &last.matched,
        );
        let kept: Option<Vec<i64>> = ids.as_ref().map(|ids| {
            (1..profiles.len())
                .map(|k| left_behind(profiles[k], &matches[k].matched, &ids[k - 1]).unwrap_or(0))
                .collect()
        });
        let measured = Measured {
            values: &values,
            kept: kept.as_deref(),
        };
        let min_growth = s.min_growth.unwrap_or(1.0);
        let judged = if s.strict_growth {
            generic_status(measured, min_growth).or_else(|| {
                generic_suspect(measured, min_growth)
                    .filter(|_| one_loop(&creators, values.len()).is_some())
            })
        } else {
            entry_status(measured, min_growth)
        };
        let growth = judged.as_ref().map(|j| j.status);
        let Some(status) = (if s.proof.is_some() {
            // A proof is a leak at any count, whatever the series did before.
            runtime_proof::status(last).or(growth)
        } else {
            match (growth, present(s, last.value, waits)) {
                (Some(Status::Growing), _) => Some(Status::Growing),
                (_, Some(p)) => Some(p),
                (Some(g), None) => Some(g),
                (None, None) if values.len() <= 2 => suspect(s, last.value, &creators),
                (None, None) => None,
            }
        }) else {
            continue;
        };
        mark_explained(&mut explained, &matches);
        if s.proof.is_none() && !s.strict_growth {
            mark_explained(&mut by_library, &matches);
        }
        let mut evidence = Evidence {
            stacks: stack_series(&matches, 5),
            co_growing: entry
                .co_growing
                .iter()
                .enumerate()
                .map(|(i, (name, _))| NamedSeries {
                    name: name.clone(),
                    values: matches.iter().map(|m| m.co[i]).collect(),
                })
                .filter(|c| c.values.iter().any(|&v| v != 0))
                .collect(),
            creators,
            wait_minutes: waits,
            code: code_sites(profiles[profiles.len() - 1], &last.matched),
            ..Evidence::default()
        };
        if status == Status::Suspect {
            evidence.hints.extend(if s.strict_growth {
                one_loop(&evidence.creators, values.len())
            } else {
                Some(suspect_reason(s, &evidence.creators))
            });
        }
        let fingerprint = stack_fingerprint(&s.id, last);
        let mut finding = s.finding(status, fingerprint, values, &indexes, evidence);
        if let Some(judged) = judged.filter(|j| j.status == status) {
            judged.apply(&mut finding);
        }
        findings.push(finding);
    }
    generic_stack_growth(
        group.class,
        &profiles,
        &keys,
        &explained,
        ids.as_deref(),
        &indexes,
        findings,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::test_inputs::{read, CONN_LEAK_DUMPS};
    use crate::detect::Catalogue;
    use crate::model::group_inputs;

    fn findings(paths: &[&str]) -> Vec<Finding> {
        let inputs = read(paths);
        let catalogue = Catalogue::builtin();
        let series = &group_inputs(&inputs)[0];
        let entries: Vec<&Compiled> = catalogue
            .entries
            .iter()
            .filter(|e| e.signature.profile == series.class && e.signature.runtime == "go")
            .collect();
        let mut found = Vec::new();
        stack_findings(series, &entries, &mut found);
        found
    }

    #[test]
    fn a_client_that_never_closes_its_conns_is_named_with_its_creators() {
        let found = findings(&CONN_LEAK_DUMPS);
        let conn = found
            .iter()
            .find(|f| f.signature == "go.grpc.clientconn-not-closed")
            .expect("the ClientConn leak is named");
        assert_eq!(conn.status, Status::Growing);
        assert_eq!(conn.series, [0, 150, 300, 600]);
        assert!(conn
            .evidence
            .co_growing
            .iter()
            .any(|c| c.name == "loopy writer"));
        assert!(
            conn.evidence.creators.iter().any(|c| c.goroutines == 600),
            "{:?}",
            conn.evidence.creators
        );
        assert!(
            found.iter().all(|f| f.signature != "go.goroutines.growth"),
            "what the entries explain is not reported again as generic growth"
        );
    }

    #[test]
    fn a_healthy_client_has_no_findings() {
        let healthy = [
            "go/healthy/healthy-iter0000-goroutine-debug2.txt",
            "go/healthy/healthy-iter0100-goroutine-debug2.txt",
            "go/healthy/healthy-iter0200-goroutine-debug2.txt",
        ];
        assert!(findings(&healthy).is_empty());
    }
}
