//! The one in-memory shape every stack-sampled input is read into: sample types, interned
//! functions, frames and stacks, and samples with values and labels.

use rustc_hash::FxHashMap;

use super::goroutines::GoroutineDump;

/// A sample type or period type, as in profile.proto: `inuse_space`/`bytes`, `goroutine`/`count`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueType {
    pub name: String,
    pub unit: String,
}

impl ValueType {
    pub fn new(name: &str, unit: &str) -> Self {
        ValueType {
            name: name.to_string(),
            unit: unit.to_string(),
        }
    }
}

/// What a profile measures; decides defaults (sample index, frame trimming) and wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileKind {
    /// Live and allocated heap (`/debug/pprof/heap`).
    Heap,
    /// The same data with `alloc_space` as default (`/debug/pprof/allocs`).
    Allocs,
    /// Goroutines by stack (`/debug/pprof/goroutine`).
    Goroutine,
    /// Goroutines the Go runtime proved leaked (`/debug/pprof/goroutineleak`).
    GoroutineLeak,
    /// Any other pprof profile (CPU, mutex, block, ...).
    Other,
}

impl ProfileKind {
    pub fn name(self) -> &'static str {
        match self {
            ProfileKind::Heap => "heap",
            ProfileKind::Allocs => "allocs",
            ProfileKind::Goroutine => "goroutine",
            ProfileKind::GoroutineLeak => "goroutineleak",
            ProfileKind::Other => "other",
        }
    }

    pub fn counts_goroutines(self) -> bool {
        matches!(self, ProfileKind::Goroutine | ProfileKind::GoroutineLeak)
    }
}

/// A function: its name as the runtime prints it, without arguments, and its source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub name: String,
    pub file: String,
    /// The line the function starts on, 0 when the format does not say (pprof records it).
    pub start_line: u32,
}

/// One frame of a stack: a function and a line in it (0 when unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Frame {
    pub function: u32,
    pub line: u32,
}

/// One aggregated sample: a stack, a label set and (in `Profile::values`) one value per sample type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub stack: u32,
    pub labels: u32,
}

/// A label set: `key=value` pairs, sorted by key. Numeric pprof labels carry their unit in the value.
pub type Labels = Vec<(String, String)>;

/// A profile of any runtime, read from any format.
#[derive(Debug, Clone)]
pub struct Profile {
    pub kind: ProfileKind,
    pub sample_types: Vec<ValueType>,
    pub default_sample_index: usize,
    /// Sampling period, when the format records one.
    pub period: Option<(ValueType, i64)>,
    /// Capture time in nanoseconds since the Unix epoch, when the format records it.
    pub time_nanos: Option<i64>,
    /// The process that wrote it, as far as the file tells (main binary, build id, load
    /// address): inputs of different processes never join one series.
    pub process: Option<String>,
    pub functions: Vec<Function>,
    pub frames: Vec<Frame>,
    stack_offsets: Vec<u32>,
    stack_frames: Vec<u32>,
    pub samples: Vec<Sample>,
    values: Vec<i64>,
    /// Index 0 is always the empty set.
    pub label_sets: Vec<Labels>,
    /// Per-goroutine detail, for full goroutine dumps (debug=2, panics, SIGQUIT).
    pub goroutines: Option<GoroutineDump>,
    /// The total the input declares in its header (`goroutine profile: total N`), if any.
    pub declared_total: Option<u64>,
    /// Things the reader noticed that the user should know (truncation, skipped records).
    pub warnings: Vec<String>,
    /// Per sample type, the totals before the command line's filters dropped samples (set
    /// only when filters applied): pprof's percentages are of these.
    pub unfiltered_totals: Option<Vec<i64>>,
}

impl Profile {
    /// Frames of a stack, leaf first.
    pub fn stack(&self, stack: u32) -> &[u32] {
        let start = self.stack_offsets[stack as usize] as usize;
        let end = self.stack_offsets[stack as usize + 1] as usize;
        &self.stack_frames[start..end]
    }

    pub fn stack_count(&self) -> usize {
        self.stack_offsets.len() - 1
    }

    /// The values of sample `index`, one per sample type.
    pub fn values(&self, index: usize) -> &[i64] {
        let width = self.sample_types.len();
        &self.values[index * width..(index + 1) * width]
    }

    pub fn function_of_frame(&self, frame: u32) -> &Function {
        &self.functions[self.frames[frame as usize].function as usize]
    }

    /// Index of the sample type called `name`.
    pub fn sample_index(&self, name: &str) -> Option<usize> {
        self.sample_types.iter().position(|t| t.name == name)
    }

    /// What percentages of the value at `index` are of: the total before the command line's
    /// filters, as pprof counts.
    pub fn percent_base(&self, index: usize) -> i64 {
        self.unfiltered_totals
            .as_ref()
            .map_or_else(|| self.total(index), |t| t[index])
    }

    /// Sum over all samples of the value at `index`.
    pub fn total(&self, index: usize) -> i64 {
        let width = self.sample_types.len();
        self.values
            .iter()
            .skip(index)
            .step_by(width)
            .fold(0i64, |a, &v| a.saturating_add(v))
    }
}

impl Profile {
    /// Keeps the samples and goroutines `keep(stack, labels)` accepts, recording the totals
    /// from before.
    pub fn retain_samples(mut self, keep: impl Fn(u32, u32) -> bool) -> Profile {
        self.remember_unfiltered_totals();
        let width = self.sample_types.len();
        let mut values = Vec::with_capacity(self.values.len());
        let mut samples = Vec::with_capacity(self.samples.len());
        for (index, sample) in self.samples.iter().enumerate() {
            if keep(sample.stack, sample.labels) {
                samples.push(*sample);
                values.extend_from_slice(&self.values[index * width..(index + 1) * width]);
            }
        }
        self.samples = samples;
        self.values = values;
        if let Some(dump) = &mut self.goroutines {
            dump.goroutines.retain(|g| keep(g.stack, g.labels));
        }
        self.declared_total = None;
        self
    }

    /// The profile with new stacks, given as `frames` (leaf first, concatenated) and
    /// `offsets` (stack `s` is `frames[offsets[s]..offsets[s + 1]]`, one stack per old one),
    /// keeping the samples and goroutines `keep(stack, labels)` accepts. Stack ids stay:
    /// stacks that become equal are not merged, since every view sums samples by their frames
    /// anyway, and hashing 300k stacks again would cost more than the filter.
    pub fn restacked(
        mut self,
        offsets: Vec<u32>,
        frames: Vec<u32>,
        keep: impl Fn(u32, u32) -> bool,
    ) -> Profile {
        assert_eq!(
            offsets.len(),
            self.stack_offsets.len(),
            "one new stack per stack"
        );
        self.remember_unfiltered_totals();
        self.stack_offsets = offsets;
        self.stack_frames = frames;
        self.retain_samples(keep)
    }

    fn remember_unfiltered_totals(&mut self) {
        if self.unfiltered_totals.is_none() {
            self.unfiltered_totals = Some(
                (0..self.sample_types.len())
                    .map(|i| self.total(i))
                    .collect(),
            );
        }
    }
}

/// The hash a stack is interned by.
fn frames_hash(frames: &[u32]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    frames.hash(&mut hasher);
    hasher.finish()
}

/// Builds a `Profile` while interning functions, frames, stacks and label sets, and merging
/// samples that share stack and labels (the Go runtime emits such duplicates).
pub struct ProfileBuilder {
    profile: Profile,
    function_ids: FxHashMap<Box<[u8]>, u32>,
    frame_ids: FxHashMap<Frame, u32>,
    /// Stack ids by the hash of their frames, compared with the frames the profile holds: a
    /// key of its own per stack would be an allocation per stack, and as many frees.
    stack_ids: hashbrown::HashTable<u32>,
    label_ids: FxHashMap<Labels, u32>,
    sample_ids: FxHashMap<(u32, u32), u32>,
}

impl ProfileBuilder {
    pub fn new(
        kind: ProfileKind,
        sample_types: Vec<ValueType>,
        default_sample_index: usize,
    ) -> Self {
        let mut label_ids = FxHashMap::default();
        label_ids.insert(Vec::new(), 0);
        ProfileBuilder {
            profile: Profile {
                kind,
                sample_types,
                default_sample_index,
                period: None,
                time_nanos: None,
                process: None,
                functions: Vec::new(),
                frames: Vec::new(),
                stack_offsets: vec![0],
                stack_frames: Vec::new(),
                samples: Vec::new(),
                values: Vec::new(),
                label_sets: vec![Vec::new()],
                goroutines: None,
                declared_total: None,
                warnings: Vec::new(),
                unfiltered_totals: None,
            },
            function_ids: FxHashMap::default(),
            frame_ids: FxHashMap::default(),
            stack_ids: hashbrown::HashTable::new(),
            label_ids,
            sample_ids: FxHashMap::default(),
        }
    }

    /// Makes room for what a format knows it will add, so the maps do not grow step by step.
    pub fn reserve(&mut self, samples: usize, functions: usize, frames: usize) {
        self.sample_ids.reserve(samples);
        let profile = &self.profile;
        self.stack_ids
            .reserve(samples, |&id| frames_hash(profile.stack(id)));
        self.profile.samples.reserve(samples);
        self.profile
            .values
            .reserve(samples * self.profile.sample_types.len());
        self.function_ids.reserve(functions);
        self.frame_ids.reserve(frames);
    }

    pub fn profile_mut(&mut self) -> &mut Profile {
        &mut self.profile
    }

    /// Interns a function by name; the first file seen for a name is kept (a Go or Rust
    /// function name is unique within a binary, so a second file is the same function).
    pub fn intern_function(&mut self, name: &str, file: &str) -> u32 {
        self.intern_function_bytes(name.as_bytes(), file.as_bytes())
    }

    /// As `intern_function`, for text formats: names are decoded (lossily, so invalid UTF-8
    /// in a damaged dump survives as U+FFFD) only the first time they are seen.
    pub fn intern_function_bytes(&mut self, name: &[u8], file: &[u8]) -> u32 {
        if let Some(&id) = self.function_ids.get(name) {
            return id;
        }
        let id = self.profile.functions.len() as u32;
        self.profile.functions.push(Function {
            name: String::from_utf8_lossy(name).into_owned(),
            file: String::from_utf8_lossy(file).into_owned(),
            start_line: 0,
        });
        self.function_ids.insert(name.into(), id);
        id
    }

    pub fn set_function_start_line(&mut self, function: u32, line: u32) {
        self.profile.functions[function as usize].start_line = line;
    }

    /// Records a function's source file when it was first seen without one (a `created by`
    /// line names the function before its file).
    pub fn set_function_file(&mut self, function: u32, file: &[u8]) {
        let f = &mut self.profile.functions[function as usize];
        if f.file.is_empty() && !file.is_empty() {
            f.file = String::from_utf8_lossy(file).into_owned();
        }
    }

    pub fn intern_frame(&mut self, function: u32, line: u32) -> u32 {
        let frame = Frame { function, line };
        if let Some(&id) = self.frame_ids.get(&frame) {
            return id;
        }
        let id = self.profile.frames.len() as u32;
        self.profile.frames.push(frame);
        self.frame_ids.insert(frame, id);
        id
    }

    /// Interns a stack given leaf first.
    pub fn intern_stack(&mut self, frames: &[u32]) -> u32 {
        let hash = frames_hash(frames);
        let profile = &self.profile;
        if let Some(&id) = self.stack_ids.find(hash, |&id| profile.stack(id) == frames) {
            return id;
        }
        let id = (self.profile.stack_offsets.len() - 1) as u32;
        self.profile.stack_frames.extend_from_slice(frames);
        self.profile
            .stack_offsets
            .push(self.profile.stack_frames.len() as u32);
        let profile = &self.profile;
        self.stack_ids
            .insert_unique(hash, id, |&id| frames_hash(profile.stack(id)));
        id
    }

    pub fn intern_labels(&mut self, mut labels: Labels) -> u32 {
        if labels.is_empty() {
            return 0;
        }
        labels.sort();
        if let Some(&id) = self.label_ids.get(&labels) {
            return id;
        }
        let id = self.profile.label_sets.len() as u32;
        self.profile.label_sets.push(labels.clone());
        self.label_ids.insert(labels, id);
        id
    }

    /// Adds `values` (one per sample type) to the sample with this stack and label set.
    pub fn add_sample(&mut self, stack: u32, labels: u32, values: &[i64]) {
        let width = self.profile.sample_types.len();
        debug_assert_eq!(values.len(), width);
        match self.sample_ids.get(&(stack, labels)) {
            Some(&index) => {
                let start = index as usize * width;
                for (slot, v) in self.profile.values[start..start + width]
                    .iter_mut()
                    .zip(values)
                {
                    *slot = slot.saturating_add(*v);
                }
            }
            None => {
                let index = self.profile.samples.len() as u32;
                self.profile.samples.push(Sample { stack, labels });
                self.profile.values.extend_from_slice(values);
                self.sample_ids.insert((stack, labels), index);
            }
        }
    }

    pub fn finish(self) -> Profile {
        self.profile
    }
}
