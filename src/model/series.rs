//! Inputs of one process grouped into series: goroutine profiles, heap profiles and heap
//! snapshots each form one, in time order (capture times when every input records one).

use serde::{Deserialize, Serialize};

use super::{Input, ProfileKind};

/// What kind of input an entry reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProfileClass {
    /// Go goroutine profiles, any encoding.
    Goroutine,
    /// Heap profiles with allocation stacks (Go heap, jemalloc, pprof).
    Heap,
    /// Heap snapshots with an object graph (V8).
    Snapshot,
}

impl ProfileClass {
    /// `goroutine`, `heap` or `snapshot`, as the catalogue's TOML spells it.
    pub fn name(self) -> &'static str {
        match self {
            ProfileClass::Goroutine => "goroutine",
            ProfileClass::Heap => "heap",
            ProfileClass::Snapshot => "snapshot",
        }
    }

    /// `goroutine profile`, `heap profile` or `heap snapshot`, as prose says one.
    pub fn noun(self) -> &'static str {
        match self {
            ProfileClass::Goroutine => "goroutine profile",
            ProfileClass::Heap => "heap profile",
            ProfileClass::Snapshot => "heap snapshot",
        }
    }

    /// `goroutine profiles`, `heap profiles` or `heap snapshots`, as prose says several.
    pub fn plural(self) -> &'static str {
        match self {
            ProfileClass::Goroutine => "goroutine profiles",
            ProfileClass::Heap => "heap profiles",
            ProfileClass::Snapshot => "heap snapshots",
        }
    }
}

/// Inputs of one kind, in time order (capture times when every input has one).
pub struct InputSeries<'a> {
    pub class: ProfileClass,
    /// (index into the inputs, the input), in time order.
    pub members: Vec<(usize, &'a Input)>,
}

/// Which kind of series an input belongs to; `None` for profiles no signature reads (CPU, ...).
pub fn input_class(input: &Input) -> Option<ProfileClass> {
    match (input.profile(), input.heap()) {
        (Some(p), _) if p.kind.counts_goroutines() => Some(ProfileClass::Goroutine),
        (Some(p), _) if matches!(p.kind, ProfileKind::Heap | ProfileKind::Allocs) => {
            Some(ProfileClass::Heap)
        }
        (None, Some(_)) => Some(ProfileClass::Snapshot),
        _ => None,
    }
}

pub fn group_inputs(inputs: &[Input]) -> Vec<InputSeries<'_>> {
    let mut out: Vec<InputSeries> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let Some(class) = input_class(input) else {
            continue;
        };
        match out.iter_mut().find(|g| g.class == class) {
            Some(g) => g.members.push((i, input)),
            None => out.push(InputSeries {
                class,
                members: vec![(i, input)],
            }),
        }
    }
    for g in &mut out {
        let times: Option<Vec<i64>> = g
            .members
            .iter()
            .map(|(_, i)| i.profile().and_then(|p| p.time_nanos))
            .collect();
        if let Some(times) = times {
            let mut order: Vec<usize> = (0..g.members.len()).collect();
            order.sort_by_key(|&k| times[k]);
            g.members = order.into_iter().map(|k| g.members[k]).collect();
        }
    }
    out
}

/// The inputs of each kind, in the time order the findings use: (kind, indexes into `inputs`).
pub fn series_order(inputs: &[Input]) -> Vec<(ProfileClass, Vec<usize>)> {
    group_inputs(inputs)
        .into_iter()
        .map(|g| (g.class, g.members.iter().map(|(i, _)| *i).collect()))
        .collect()
}
