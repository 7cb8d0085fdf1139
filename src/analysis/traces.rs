//! pprof's `-traces`: every sample with its labels and whole stack, leaf first. Samples with
//! the same stack and labels are one here (the readers merge them); pprof prints a profile's
//! duplicates apart.

use serde::Serialize;

use super::keys::{FrameKeys, KeyOptions};
use crate::model::{Profile, ValueType};

#[derive(Debug, Clone, Serialize)]
pub struct Traces {
    pub sample_type: String,
    pub unit: String,
    /// What percentages are of: the total before any filter, as in `top`.
    pub total: i64,
    /// Largest first, then by stack.
    pub traces: Vec<Trace>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Trace {
    pub value: i64,
    /// `key=value`, sorted.
    pub labels: Vec<String>,
    /// Leaf first, as Go and pprof print stacks.
    pub frames: Vec<String>,
}

pub fn traces(profile: &Profile, sample_index: usize, options: &KeyOptions) -> Traces {
    let keys = FrameKeys::new(profile, options);
    let mut traces: Vec<Trace> = profile
        .samples
        .iter()
        .enumerate()
        .map(|(index, sample)| Trace {
            value: profile.values(index)[sample_index],
            labels: profile.label_sets[sample.labels as usize]
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect(),
            frames: keys
                .of_stack(profile, sample.stack)
                .map(|k| keys.keys[k as usize].clone())
                .collect(),
        })
        // A stack with no frame left says nothing, as pprof leaves it out.
        .filter(|t| !t.frames.is_empty())
        .collect();
    traces.sort_by(|a, b| {
        b.value
            .cmp(&a.value)
            .then_with(|| a.frames.cmp(&b.frames))
            .then_with(|| a.labels.cmp(&b.labels))
    });
    let ValueType { name, unit } = profile.sample_types[sample_index].clone();
    Traces {
        sample_type: name,
        unit,
        total: profile.percent_base(sample_index),
        traces,
    }
}
