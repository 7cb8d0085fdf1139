//! What a catalogue entry or a runtime proof matches in one stack profile, and the evidence
//! drawn from it: matched stacks per snapshot, the anchor frames behind the fingerprint, and
//! who created the matched goroutines.

use fixedbitset::FixedBitSet;
use rustc_hash::FxHashMap;

use crate::analysis::aggregate::creator_groups;
use crate::analysis::keys::{
    is_allocator_frame, is_runtime_internal, stack_key_of, FrameKeys, KeyOptions,
};
use crate::analysis::retainer_paths::fingerprint;
use crate::analysis::user_code::is_library;
use crate::model::{CodeSite, CreatorGroup, NamedSeries, Profile, SiteRole, SpawnTree};

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
pub struct StackMatch {
    pub value: i64,
    pub stacks: FxHashMap<String, i64>,
    pub co: Vec<i64>,
    pub matched: FixedBitSet,
    /// Stacks of the co-growing frames: explained by the finding too.
    pub co_matched: FixedBitSet,
    /// The frames that made stacks match (marker and required functions; for runtime proofs the
    /// blocked function), with the value behind each: what the fingerprint is made of.
    pub anchors: FxHashMap<String, i64>,
}

impl StackMatch {
    pub fn empty(profile: &Profile, co_frames: usize) -> Self {
        StackMatch {
            value: 0,
            stacks: FxHashMap::default(),
            co: vec![0; co_frames],
            matched: FixedBitSet::with_capacity(profile.stack_count()),
            co_matched: FixedBitSet::with_capacity(profile.stack_count()),
            anchors: FxHashMap::default(),
        }
    }
}

pub fn key_options() -> KeyOptions {
    KeyOptions {
        fold_closures: true,
        strip_vendor: true,
        ..KeyOptions::default()
    }
}

/// The matched stacks, largest in the last snapshot first, with their value in every snapshot.
pub fn stack_series(matches: &[StackMatch], limit: usize) -> Vec<NamedSeries> {
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
pub fn leaf(key: &str) -> &str {
    key.rsplit(';').next().unwrap_or(key)
}

/// A function name as it reads in every build: closures folded, vendoring and generic type
/// arguments dropped.
pub fn anchor_name(profile: &Profile, function: u32) -> String {
    crate::analysis::keys::normalize_function(
        &profile.functions[function as usize].name,
        &key_options(),
    )
}

/// The anchor frames behind at least a tenth of the last snapshot's metric: what the finding is
/// about, independent of whole stacks (which differ between builds, formats and inlining) and of
/// small ones that come and go.
pub fn stack_fingerprint(id: &str, last: &StackMatch) -> String {
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
pub fn creators(
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
    // Where a live creator is now: its first frame of the program's own code (the loop), else
    // its innermost frame.
    let leaf_of = |id: u64| -> Option<String> {
        let stack = dump.goroutines[tree.live_index(id)?].stack;
        let own = profile.stack(stack).iter().find_map(|&frame| {
            let function = profile.frames[frame as usize].function;
            (!is_library(&profile.functions[function as usize]))
                .then(|| anchor_name(profile, function))
        });
        own.or_else(|| Some(leaf(&stack_key_of(profile, keys, stack)).to_string()))
            .filter(|l| !l.is_empty())
    };
    (
        creator_groups(profile, counts, &key_options(), &leaf_of),
        waits,
    )
}

/// How many sites of each role a finding shows.
const SITES_PER_ROLE: usize = 2;

/// Where the matched stacks of one profile meet the program's own code: the `go` statements
/// that started the goroutines (full dumps), the first own frame of each stack, and for heap
/// profiles the allocation site; each with the goroutines or bytes behind it, largest first.
pub fn code_sites(profile: &Profile, matched: &FixedBitSet) -> Vec<CodeSite> {
    let index = value_index(profile);
    let heap = !profile.kind.counts_goroutines();
    // (role, function, line) -> value
    let mut sites: FxHashMap<(SiteRole, u32, u32), i64> = FxHashMap::default();
    for (i, sample) in profile.samples.iter().enumerate() {
        if !matched.contains(sample.stack as usize) {
            continue;
        }
        let value = profile.values(i)[index];
        let frames = profile.stack(sample.stack);
        let name = |frame: u32| {
            profile.functions[profile.frames[frame as usize].function as usize]
                .name
                .as_str()
        };
        if heap {
            if let Some(&site) = frames
                .iter()
                .find(|&&f| !is_allocator_frame(name(f)) && !is_runtime_internal(name(f)))
            {
                let frame = profile.frames[site as usize];
                *sites
                    .entry((SiteRole::AllocatedAt, frame.function, frame.line))
                    .or_default() += value;
            }
        }
        if let Some(&own) = frames.iter().find(|&&f| {
            !is_library(&profile.functions[profile.frames[f as usize].function as usize])
        }) {
            let frame = profile.frames[own as usize];
            *sites
                .entry((SiteRole::OwnCode, frame.function, frame.line))
                .or_default() += value;
        }
    }
    if let Some(dump) = &profile.goroutines {
        for g in dump
            .goroutines
            .iter()
            .filter(|g| matched.contains(g.stack as usize))
        {
            if let Some(function) = g.created_by {
                *sites
                    .entry((SiteRole::CreatedBy, function, g.creator_line))
                    .or_default() += 1;
            }
        }
    }
    let mut sites: Vec<CodeSite> = sites
        .into_iter()
        .map(|((role, function, line), value)| {
            let f = &profile.functions[function as usize];
            CodeSite {
                role,
                function: f.name.clone(),
                file: f.file.clone(),
                line,
                own: !is_library(f),
                value,
            }
        })
        .collect();
    sites.sort_by(|a, b| {
        (a.role as u8)
            .cmp(&(b.role as u8))
            .then(b.value.cmp(&a.value))
            .then_with(|| (&a.function, &a.file, a.line).cmp(&(&b.function, &b.file, b.line)))
    });
    // An allocation site in the program's own code is its own first frame too: say it once.
    let allocated: Vec<(String, u32)> = sites
        .iter()
        .filter(|s| s.role == SiteRole::AllocatedAt)
        .map(|s| (s.function.clone(), s.line))
        .collect();
    sites.retain(|s| {
        s.role != SiteRole::OwnCode || !allocated.contains(&(s.function.clone(), s.line))
    });
    let mut shown = [0usize; 3];
    sites.retain(|s| {
        shown[s.role as usize] += 1;
        shown[s.role as usize] <= SITES_PER_ROLE
    });
    sites
}

/// Ids of the goroutines of a full dump; `None` for aggregated profiles, which have none.
pub fn goroutine_ids(profile: &Profile) -> Option<rustc_hash::FxHashSet<u64>> {
    let dump = profile.goroutines.as_ref()?;
    Some(dump.goroutines.iter().map(|g| g.id).collect())
}

/// Matched goroutines of a full dump that were already alive, by id, in an earlier dump of the
/// process: left behind rather than in flight, since in-flight work comes and goes between
/// snapshots. `None` for aggregated profiles.
pub fn left_behind(
    profile: &Profile,
    matched: &FixedBitSet,
    earlier: &rustc_hash::FxHashSet<u64>,
) -> Option<i64> {
    let dump = profile.goroutines.as_ref()?;
    Some(
        dump.goroutines
            .iter()
            .filter(|g| matched.contains(g.stack as usize) && earlier.contains(&g.id))
            .count() as i64,
    )
}
