//! Turns (catalogue entry, snapshots) into findings. Inputs are grouped by kind (goroutine
//! profiles, heap profiles, heap snapshots), put in time order, and each entry for that kind is
//! measured on every snapshot; growth over the series (or a one-snapshot proof) makes a finding
//! with its evidence, its fix and a fingerprint that stays the same across runs and builds.

use fixedbitset::FixedBitSet;
use rustc_hash::FxHashMap;

use super::{Catalogue, Compiled};
use crate::analysis::aggregate::creator_groups;
use crate::analysis::heap_classes::is_specific_class;
use crate::analysis::heap_classes::Classes;
use crate::analysis::keys::{stack_key_of, FrameKeys, KeyOptions};
use crate::analysis::retention::{
    counted, dominated, fingerprint, path_groups, source_of, RetainerTree, Retention,
};
use crate::analysis::series::slope;
use crate::analysis::snapshot_diff::engine_category;
use crate::model::Input;
use crate::model::{
    group_inputs, CreatorGroup, Evidence, Finding, HeapGraph, InputSeries, NamedSeries, PathGroup,
    Profile, ProfileClass, ProfileKind, SpawnTree, Status,
};

/// The ids of the generic growth findings, beside the catalogue's.
pub const GENERIC_SIGNATURES: [&str; 2] = ["go.goroutines.growth", "heap.growth"];

/// Status of a series against a growth threshold.
fn status(values: &[i64], min_growth: f64) -> Option<Status> {
    let n = values.len();
    if n < 2 {
        return None;
    }
    let (first, last, previous) = (values[0], values[n - 1], values[n - 2]);
    let peak = *values.iter().max().expect("non-empty");
    let grew = (peak - first) as f64 >= min_growth;
    if !grew {
        return None;
    }
    Some(if last > previous && (last - first) as f64 >= min_growth {
        Status::Growing
    } else if last < previous {
        Status::Receding
    } else {
        Status::Plateau
    })
}

pub fn scan(inputs: &[Input], catalogue: &Catalogue) -> Vec<Finding> {
    let mut findings = Vec::new();
    for group in group_inputs(inputs) {
        let runtime = group.members[0].1.runtime.name();
        let entries: Vec<&Compiled> = catalogue
            .entries
            .iter()
            .filter(|e| e.signature.profile == group.class && e.signature.runtime == runtime)
            .collect();
        match group.class {
            ProfileClass::Goroutine | ProfileClass::Heap => {
                stack_findings(&group, &entries, &mut findings)
            }
            ProfileClass::Snapshot => snapshot_findings(&group, &entries, &mut findings),
        }
    }
    findings
}

/// The value a signature reads in a stack profile: goroutines, or bytes in use.
pub fn value_index(profile: &Profile) -> usize {
    if profile.kind.counts_goroutines() {
        0
    } else {
        profile
            .sample_index("inuse_space")
            .unwrap_or(profile.default_sample_index)
    }
}

/// What one entry finds in one profile.
struct StackMatch {
    value: i64,
    stacks: FxHashMap<String, i64>,
    co: Vec<i64>,
    matched: FixedBitSet,
    /// Stacks of the co-growing frames: explained by the finding too.
    co_matched: FixedBitSet,
    /// The frames that made stacks match (marker and required functions; for runtime proofs the
    /// blocked function), with the value behind each: what the fingerprint is made of.
    anchors: FxHashMap<String, i64>,
}

fn key_options() -> KeyOptions {
    KeyOptions {
        fold_closures: true,
        strip_vendor: true,
        ..KeyOptions::default()
    }
}

fn measure(profile: &Profile, keys: &FrameKeys, entry: &Compiled) -> StackMatch {
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
    let minus = function_matches(&entry.minus);
    let co: Vec<Vec<bool>> = function_matches(
        &entry
            .co_growing
            .iter()
            .map(|(_, r)| r.clone())
            .collect::<Vec<_>>(),
    );
    let index = value_index(profile);
    let mut result = StackMatch {
        value: 0,
        stacks: FxHashMap::default(),
        co: vec![0; co.len()],
        matched: FixedBitSet::with_capacity(profile.stack_count()),
        co_matched: FixedBitSet::with_capacity(profile.stack_count()),
        anchors: FxHashMap::default(),
    };
    let mut minus_total = 0;
    let mut functions: Vec<u32> = Vec::new();
    for (i, sample) in profile.samples.iter().enumerate() {
        let value = profile.values(i)[index];
        functions.clear();
        functions.extend(
            profile
                .stack(sample.stack)
                .iter()
                .map(|&f| profile.frames[f as usize].function),
        );
        let marked = (entry.markers.is_empty() || any(&markers, &functions))
            && require
                .iter()
                .all(|s| functions.iter().any(|&f| s[f as usize]));
        if marked {
            result.value += value;
            result.matched.insert(sample.stack as usize);
            *result
                .stacks
                .entry(stack_key_of(profile, keys, sample.stack))
                .or_default() += value;
            let mut anchors: Vec<u32> = functions
                .iter()
                .copied()
                .filter(|&f| any(&markers, &[f]) || require.iter().any(|s| s[f as usize]))
                .collect();
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

/// Goroutines marked `(leaked)` (full dumps) or counted by a goroutineleak profile.
fn leak_marks(profile: &Profile, keys: &FrameKeys) -> StackMatch {
    let mut result = StackMatch {
        value: 0,
        stacks: FxHashMap::default(),
        co: Vec::new(),
        matched: FixedBitSet::with_capacity(profile.stack_count()),
        co_matched: FixedBitSet::with_capacity(profile.stack_count()),
        anchors: FxHashMap::default(),
    };
    if let Some(dump) = &profile.goroutines {
        for g in dump.goroutines.iter().filter(|g| g.leaked) {
            result.value += 1;
            result.matched.insert(g.stack as usize);
            let key = stack_key_of(profile, keys, g.stack);
            *result.anchors.entry(leaf(&key).to_string()).or_default() += 1;
            *result.stacks.entry(key).or_default() += 1;
        }
    } else if profile.kind == ProfileKind::GoroutineLeak {
        for (i, sample) in profile.samples.iter().enumerate() {
            let value = profile.values(i)[0];
            result.value += value;
            result.matched.insert(sample.stack as usize);
            let key = stack_key_of(profile, keys, sample.stack);
            *result.anchors.entry(leaf(&key).to_string()).or_default() += value;
            *result.stacks.entry(key).or_default() += value;
        }
    }
    result
}

fn unit_of(metric: &str) -> &'static str {
    match metric {
        "inuse_space" => "bytes",
        "objects" => "objects",
        _ => "goroutines",
    }
}

/// The matched stacks, largest in the last snapshot first, with their value in every snapshot.
fn stack_series(matches: &[StackMatch], limit: usize) -> Vec<NamedSeries> {
    let last = matches.last().expect("a group has inputs");
    let mut keys: Vec<&String> = last.stacks.keys().collect();
    keys.sort_by(|a, b| last.stacks[*b].cmp(&last.stacks[*a]).then_with(|| a.cmp(b)));
    keys.into_iter()
        .take(limit)
        .map(|k| NamedSeries {
            name: k.clone(),
            values: matches
                .iter()
                .map(|m| m.stacks.get(k).copied().unwrap_or(0))
                .collect(),
        })
        .collect()
}

/// A stack key's innermost frame (keys are root first).
fn leaf(key: &str) -> &str {
    key.rsplit(';').next().unwrap_or(key)
}

/// A function name as it reads in every build: closures folded, vendoring and generic type
/// arguments dropped.
fn anchor_name(profile: &Profile, function: u32) -> String {
    crate::analysis::keys::normalize_function(
        &profile.functions[function as usize].name,
        &key_options(),
    )
}

/// The anchor frames behind at least a tenth of the last snapshot's metric: what the finding is
/// about, independent of whole stacks (which differ between builds, formats and inlining) and of
/// small ones that come and go.
fn stack_fingerprint(id: &str, last: &StackMatch) -> String {
    let total: i64 = last.anchors.values().copied().max().unwrap_or(0);
    let mut main: Vec<&String> = last
        .anchors
        .iter()
        .filter(|(_, &v)| v * 10 >= total)
        .map(|(k, _)| k)
        .collect();
    main.sort();
    let text: Vec<&str> = std::iter::once(id)
        .chain(main.iter().map(|s| s.as_str()))
        .collect();
    fingerprint(&text.join("\n"))
}

/// Who created the matched goroutines of a full dump, and how long they have waited.
fn creators(
    profile: &Profile,
    keys: &FrameKeys,
    matched: &FixedBitSet,
) -> (Vec<CreatorGroup>, Option<[u32; 2]>) {
    let Some(dump) = &profile.goroutines else {
        return (Vec::new(), None);
    };
    let tree = SpawnTree::build(dump);
    let mut counts: FxHashMap<(Option<u32>, u64), u64> = FxHashMap::default();
    let mut waits: Option<[u32; 2]> = None;
    for g in dump
        .goroutines
        .iter()
        .filter(|g| matched.contains(g.stack as usize))
    {
        let wait = g.wait_minutes.unwrap_or(0);
        waits = Some(match waits {
            None => [wait, wait],
            Some([lo, hi]) => [lo.min(wait), hi.max(wait)],
        });
        if g.created_by.is_some() {
            *counts
                .entry((g.created_by, g.creator_id.unwrap_or(0)))
                .or_default() += 1;
        }
    }
    let leaf_of = |id: u64| -> Option<String> {
        let stack = dump.goroutines[tree.live_index(id)?].stack;
        Some(leaf(&stack_key_of(profile, keys, stack)).to_string()).filter(|l| !l.is_empty())
    };
    (
        creator_groups(profile, counts, &key_options(), &leaf_of),
        waits,
    )
}

fn stack_findings(group: &InputSeries<'_>, entries: &[&Compiled], findings: &mut Vec<Finding>) {
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
    // Frames that fired entries explain, so generic growth does not report them again.
    let mut explained: Vec<FixedBitSet> = profiles
        .iter()
        .map(|p| FixedBitSet::with_capacity(p.stack_count()))
        .collect();
    for entry in entries {
        let s = &entry.signature;
        let matches: Vec<StackMatch> = profiles
            .iter()
            .zip(&keys)
            .map(|(p, k)| {
                if s.proof.is_some() {
                    leak_marks(p, k)
                } else {
                    measure(p, k, entry)
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
        let growth = status(&values, s.min_growth.unwrap_or(1.0));
        let proven = if s.proof.is_some() {
            (last.value > 0).then_some(Status::Present)
        } else {
            let enough = s.present_min_count.is_some_and(|n| last.value >= n);
            let spread = match (s.present_min_wait_spread_minutes, waits) {
                (None, _) => true,
                (Some(min), Some([lo, hi])) => hi - lo >= min,
                (Some(_), None) => false,
            };
            (enough && spread).then_some(Status::Present)
        };
        let Some(status) = (match (growth, proven) {
            (Some(Status::Growing), _) => Some(Status::Growing),
            (_, Some(p)) => Some(p),
            (g, None) => g,
        }) else {
            continue;
        };
        for (bits, m) in explained.iter_mut().zip(&matches) {
            bits.union_with(&m.matched);
            bits.union_with(&m.co_matched);
        }
        findings.push(Finding {
            signature: s.id.clone(),
            title: s.title.clone(),
            status,
            fingerprint: stack_fingerprint(&s.id, last),
            metric: s.metric.clone(),
            unit: unit_of(&s.metric).to_string(),
            growth_per_step: slope(&values),
            series: values,
            inputs: indexes.clone(),
            evidence: Evidence {
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
                ..Evidence::default()
            },
            explanation: s.explanation.trim().to_string(),
            fix: s.fix.trim().to_string(),
            references: s.references.clone(),
        });
    }
    generic_stack_growth(
        group.class,
        &profiles,
        &keys,
        &explained,
        &indexes,
        findings,
    );
}

/// Stacks (goroutines) or allocation sites (heap) that grow at every step, outside what an
/// entry already explained.
fn generic_stack_growth(
    class: ProfileClass,
    profiles: &[&Profile],
    keys: &[FrameKeys],
    explained: &[FixedBitSet],
    indexes: &[usize],
    findings: &mut Vec<Finding>,
) {
    if profiles.len() < 2 {
        return;
    }
    let n = profiles.len();
    let mut rows: FxHashMap<String, Vec<i64>> = FxHashMap::default();
    for (step, ((profile, keys), explained)) in profiles.iter().zip(keys).zip(explained).enumerate()
    {
        let index = value_index(profile);
        for (i, sample) in profile.samples.iter().enumerate() {
            if explained.contains(sample.stack as usize) {
                continue;
            }
            let stack = stack_key_of(profile, keys, sample.stack);
            let key = match class {
                ProfileClass::Goroutine => stack,
                // The allocation site: the first frame after the allocator's.
                _ => stack.rsplit(';').next().unwrap_or("").to_string(),
            };
            if key.is_empty() {
                continue;
            }
            rows.entry(key).or_insert_with(|| vec![0; n])[step] += profile.values(i)[index];
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
    let mut growing: Vec<(String, Vec<i64>)> = rows
        .into_iter()
        .filter(|(_, v)| {
            v.windows(2).all(|w| w[1] > w[0]) && (v[n - 1] - v[0]) as f64 >= min_growth
        })
        .collect();
    growing.sort_by(|a, b| {
        (b.1[n - 1] - b.1[0])
            .cmp(&(a.1[n - 1] - a.1[0]))
            .then_with(|| a.0.cmp(&b.0))
    });
    for (key, values) in growing.into_iter().take(5) {
        findings.push(generic_finding(id, metric, &key, values, indexes));
    }
}

fn generic_finding(
    id: &str,
    metric: &str,
    key: &str,
    values: Vec<i64>,
    indexes: &[usize],
) -> Finding {
    let short = crate::analysis::keys::short_function(leaf(key));
    let (title, explanation, fix) = match (id, metric) {
        ("go.goroutines.growth", _) => (
            format!("goroutines blocked in {short} grow at every step"),
            "No known signature explains these goroutines, but their number grew at every snapshot: \
             something starts them faster than they finish.",
            "Read the stack: find where these goroutines are started and what they wait for, and give \
             them a way to end (a cancelled context, a closed channel, a Close call).",
        ),
        (_, "objects") => (
            format!("{key} objects grow at every step"),
            "No known signature explains this growth, but the objects of this class grew at every \
             snapshot, by more than noise.",
            "Find who keeps these objects alive (`leakscope retainers SNAPSHOT --class NAME`), and \
             bound or release them.",
        ),
        _ => (
            format!("memory allocated in {short} grows at every step"),
            "No known signature explains this growth, but the live memory allocated here grew at \
             every snapshot, by more than noise.",
            "Find who keeps these allocations alive (the stacks of `leakscope top --by stack`), and \
             bound or release them.",
        ),
    };
    Finding {
        signature: id.to_string(),
        title,
        status: Status::Growing,
        fingerprint: fingerprint(&format!("{id}\n{key}")),
        metric: metric.to_string(),
        unit: unit_of(metric).to_string(),
        growth_per_step: slope(&values),
        evidence: Evidence {
            stacks: vec![NamedSeries {
                name: key.to_string(),
                values: values.clone(),
            }],
            ..Evidence::default()
        },
        series: values,
        inputs: indexes.to_vec(),
        explanation: explanation.to_string(),
        fix: fix.to_string(),
        references: Vec::new(),
    }
}

struct AnalysedSnapshot<'a> {
    graph: &'a HeapGraph,
    retention: Retention,
    retainers: RetainerTree,
    classes: Classes,
}

fn snapshot_findings(group: &InputSeries<'_>, entries: &[&Compiled], findings: &mut Vec<Finding>) {
    let graphs: Vec<&HeapGraph> = group.members.iter().filter_map(|(_, i)| i.heap()).collect();
    let indexes: Vec<usize> = group.members.iter().map(|(i, _)| *i).collect();
    let snapshots: Vec<AnalysedSnapshot> = std::thread::scope(|scope| {
        let handles: Vec<_> = graphs
            .iter()
            .map(|&graph| {
                scope.spawn(move || AnalysedSnapshot {
                    graph,
                    retention: Retention::compute(graph),
                    retainers: RetainerTree::compute(graph),
                    classes: Classes::constructors(graph),
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .collect()
    });
    let counts: Vec<FxHashMap<&str, i64>> = snapshots
        .iter()
        .map(|s| {
            let class = counted(&s.classes, &s.retention);
            let mut map: FxHashMap<&str, i64> = FxHashMap::default();
            for c in class.iter().filter(|&&c| c != u32::MAX) {
                *map.entry(s.classes.names[*c as usize].as_str())
                    .or_default() += 1;
            }
            map
        })
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
        let values: Vec<i64> = (0..snapshots.len())
            .map(|i| {
                s.classes
                    .iter()
                    .map(|c| counts[i].get(c.as_str()).copied().unwrap_or(0))
                    .sum()
            })
            .collect();
        let Some(status) = status(&values, s.min_growth.unwrap_or(1.0)) else {
            continue;
        };
        explaining_classes.extend(s.classes.iter().chain(&s.co_classes).cloned());
        fired.push(values.clone());
        let last = snapshots.last().expect("non-empty group");
        let paths = main_paths(last, |name| s.classes.iter().any(|c| c == name));
        let text: String = paths
            .iter()
            .flat_map(|p| {
                p.path
                    .iter()
                    .map(|step| format!("{} {} ", step.node, step.edge))
            })
            .collect();
        let hints = s
            .retainer_hints
            .iter()
            .filter(|h| text.contains(&h.pattern))
            .map(|h| format!("held by {} ({})", h.meaning, h.pattern))
            .collect();
        let main_path = paths
            .first()
            .map(|p| p.fingerprint.clone())
            .unwrap_or_default();
        findings.push(Finding {
            signature: s.id.clone(),
            title: s.title.clone(),
            status,
            fingerprint: fingerprint(&format!("{}\n{}\n{main_path}", s.id, s.classes.join(","))),
            metric: s.metric.clone(),
            unit: unit_of(&s.metric).to_string(),
            growth_per_step: slope(&values),
            series: values,
            inputs: indexes.clone(),
            evidence: Evidence {
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
            },
            explanation: s.explanation.trim().to_string(),
            fix: s.fix.trim().to_string(),
            references: s.references.clone(),
        });
    }
    generic_class_growth(&snapshots, &explaining_classes, &fired, &indexes, findings);
}

/// Constructors that grow at every step beyond noise, counting only objects the classes of
/// fired entries do not account for. Beside a fired entry (whose leak drags plain objects,
/// closures and native handles along) a class must also be named by code, not grow in lock-step
/// with the entry's metric, and grow at least half as much: a second leak, not collateral.
fn generic_class_growth(
    snapshots: &[AnalysedSnapshot<'_>],
    explaining: &[String],
    fired: &[Vec<i64>],
    indexes: &[usize],
    findings: &mut Vec<Finding>,
) {
    let n = snapshots.len();
    if n < 2 {
        return;
    }
    let mut rows: FxHashMap<String, Vec<i64>> = FxHashMap::default();
    for (step, s) in snapshots.iter().enumerate() {
        let class = counted(&s.classes, &s.retention);
        let covered = retained_by(s, explaining);
        for (node, &c) in class.iter().enumerate() {
            if c != u32::MAX && !covered.contains(node) {
                rows.entry(s.classes.names[c as usize].clone())
                    .or_insert_with(|| vec![0; n])[step] += 1;
            }
        }
    }
    let mut growing: Vec<(String, Vec<i64>)> = rows
        .into_iter()
        .filter(|(name, v)| {
            let delta = v[n - 1] - v[0];
            !engine_category(name)
                && v.windows(2).all(|w| w[1] > w[0])
                && delta >= crate::analysis::snapshot_diff::NOISE_MIN_OBJECTS
                && delta as f64 >= crate::analysis::snapshot_diff::NOISE_MIN_FRACTION * v[0] as f64
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

/// The three most common retainer path shapes of the objects whose class `wanted` accepts.
fn main_paths(snapshot: &AnalysedSnapshot<'_>, wanted: impl Fn(&str) -> bool) -> Vec<PathGroup> {
    let targets: Vec<u32> = (0..snapshot.graph.node_count() as u32)
        .filter(|&n| wanted(snapshot.classes.name(n)))
        .collect();
    let (mut paths, _) = path_groups(
        snapshot.graph,
        &snapshot.classes,
        &snapshot.retainers,
        &snapshot.retention,
        &targets,
    );
    paths.truncate(3);
    paths
}

/// Whether `values` grows by a steady multiple of `reference`'s growth at every step.
fn lock_step(values: &[i64], reference: &[i64]) -> bool {
    let ratios: Option<Vec<f64>> = values
        .windows(2)
        .zip(reference.windows(2))
        .map(|(v, r)| (r[1] > r[0]).then(|| (v[1] - v[0]) as f64 / (r[1] - r[0]) as f64))
        .collect();
    let Some(ratios) = ratios else {
        return false;
    };
    let mean = ratios.iter().sum::<f64>() / ratios.len() as f64;
    mean > 0.0 && ratios.iter().all(|r| (r / mean - 1.0).abs() <= 0.25)
}

/// Nodes an object of one of `classes` accounts for: the objects themselves, what they
/// dominate, and what their shortest retainer paths pass through them to reach.
fn retained_by(s: &AnalysedSnapshot<'_>, classes: &[String]) -> FixedBitSet {
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
    let tree = &s.retainers;
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
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(status(&[0, 150, 300, 600], 10.0), Some(Status::Growing));
        assert_eq!(status(&[0, 150, 300, 300], 10.0), Some(Status::Plateau));
        assert_eq!(status(&[0, 150, 300, 100], 10.0), Some(Status::Receding));
        assert_eq!(status(&[3, 3, 3, 3], 10.0), None);
        assert_eq!(
            status(&[3, 4, 5, 6], 10.0),
            None,
            "growth below the threshold"
        );
        assert_eq!(status(&[600], 10.0), None, "one snapshot shows no growth");
    }

    /// A goroutine dump of `n` stream watchers waiting `0..max_minutes` minutes, in the frames
    /// grpc-go 1.6x prints.
    fn watcher_dump(n: u32, max_minutes: u32) -> Input {
        let mut text =
            String::from("goroutine 1 [running]:\nmain.main()\n\t/src/main.go:10 +0x1\n\n");
        for i in 0..n {
            let minutes = if max_minutes == 0 {
                0
            } else {
                i % (max_minutes + 1)
            };
            let wait = if minutes > 0 {
                format!(", {minutes} minutes")
            } else {
                String::new()
            };
            text.push_str(&format!(
                "goroutine {} [select{wait}]:\ngoogle.golang.org/grpc.newClientStreamWithParams.func4()\n\
                 \t/src/grpc/stream.go:442 +0x8e\ncreated by google.golang.org/grpc.newClientStreamWithParams in goroutine 1\n\
                 \t/src/grpc/stream.go:441 +0xeb7\n\n",
                i + 10
            ));
        }
        Input {
            path: "dump.txt".into(),
            format: crate::model::Format::GoroutineTraceback,
            runtime: crate::model::Runtime::Go,
            gzipped: false,
            size: text.len() as u64,
            contents: crate::model::Contents::Stacks(
                crate::formats::goroutine_traceback::parse(text.as_bytes()).expect("a valid dump"),
            ),
        }
    }

    #[test]
    fn thousands_of_stream_watchers_waiting_for_hours_prove_abandoned_streams() {
        let catalogue = Catalogue::builtin();
        let found = scan(&[watcher_dump(1200, 180)], &catalogue);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].signature, "go.grpc.client-stream-abandoned");
        assert_eq!(found[0].status, Status::Present);
        assert_eq!(found[0].series, [1200]);
        assert_eq!(found[0].evidence.wait_minutes, Some([0, 180]));
        // As many watchers, all started within the last minute: a busy client, not a proof.
        assert!(scan(&[watcher_dump(1200, 0)], &catalogue).is_empty());
        // Ages spread over hours, but only a few watchers.
        assert!(scan(&[watcher_dump(200, 180)], &catalogue).is_empty());
    }

    #[test]
    fn lock_step_growth() {
        assert!(lock_step(&[10, 60, 160], &[10, 60, 160]));
        assert!(lock_step(&[62, 165, 369], &[10, 60, 160]), "two per unit");
        assert!(
            !lock_step(&[898, 987, 1057], &[10, 60, 160]),
            "89 then 70 against 50 then 100"
        );
        assert!(!lock_step(&[5, 5, 5], &[10, 10, 10]), "no reference growth");
    }
}
