//! Inputs grouped into series: one per runtime, kind (goroutine profiles, heap profiles, heap
//! snapshots) and process where the files name it, each in time order by the best clock the
//! files carry (capture times, goroutine ids, object ids, dump sequence numbers), and saying so.

use serde::{Deserialize, Serialize};

use rustc_hash::FxHashMap;

use super::{HeapGraph, Input, ProfileKind, Runtime};

/// Growth that no catalogue entry names needs this many snapshots where ids tell what stayed
/// (full goroutine dumps, heap snapshots): fewer cannot tell a leak from a worker pool or a
/// burst of load that keeps its goroutines or objects for a while (three full dumps of a
/// healthy service under load showed such stacks in two windows of ten, docs/accuracy.md).
pub const GENERIC_MIN_SNAPSHOTS: usize = 4;

/// Without ids (aggregated goroutine profiles, heap profiles) only the order of the values
/// speaks: four in increasing order happen by chance one time in 24, and a healthy service
/// with a few hundred stacks shows some; five in order happen once in 120.
pub const GENERIC_MIN_SNAPSHOTS_WITHOUT_IDS: usize = 5;

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

/// What a series' time order was taken from, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrderBasis {
    /// Every input records its capture time (pprof protobuf).
    CaptureTime,
    /// The highest goroutine id of each full dump: ids only grow within a process.
    GoroutineIds,
    /// The highest object id of each heap snapshot: V8 gives heap objects odd ids that only
    /// grow within a process.
    ObjectIds,
    /// jemalloc dump sequence numbers in jeprof-style names (`jeprof.PID.SEQ.i3.heap`).
    DumpSequence,
    /// Nothing in the files: the order given on the command line.
    CommandLine,
}

impl OrderBasis {
    /// As prose says it: "ordered by ...".
    pub fn words(self) -> &'static str {
        match self {
            OrderBasis::CaptureTime => "their capture times",
            OrderBasis::GoroutineIds => "their highest goroutine ids",
            OrderBasis::ObjectIds => "their highest object ids",
            OrderBasis::DumpSequence => "the dump sequence numbers in their names",
            OrderBasis::CommandLine => "the command line: the files record no clock",
        }
    }

    /// The clock an input carries under this basis, if it carries one.
    fn clock(self, input: &Input) -> Option<i64> {
        match self {
            OrderBasis::CaptureTime => input.profile()?.time_nanos,
            OrderBasis::GoroutineIds => {
                let dump = input.profile()?.goroutines.as_ref()?;
                dump.goroutines.iter().map(|g| g.id as i64).max()
            }
            // V8 gives heap objects odd ids, in allocation order; native (embedder) objects get
            // even ids that do not grow with time.
            OrderBasis::ObjectIds => input
                .heap()?
                .node_id
                .iter()
                .filter(|&&id| id % 2 == 1)
                .max()
                .map(|&id| id as i64),
            OrderBasis::DumpSequence => dump_sequence(&input.path).map(|(_, seq)| seq as i64),
            OrderBasis::CommandLine => None,
        }
    }
}

/// `(pid, sequence)` from a jeprof-style dump name: `jeprof.1234.7.i7.heap`, `prof.1234.0.f.heap`.
pub fn dump_sequence(path: &std::path::Path) -> Option<(u64, u64)> {
    let name = path.file_name()?.to_str()?;
    let mut parts = name.split('.');
    if !parts.next()?.ends_with("prof") {
        return None;
    }
    let pid = parts.next()?.parse().ok()?;
    let seq = parts.next()?.parse().ok()?;
    Some((pid, seq))
}

/// Inputs of one kind from one process, in time order.
pub struct InputSeries<'a> {
    pub class: ProfileClass,
    pub runtime: Runtime,
    /// The process the files name (main binary, build id, load address), when they do.
    pub process: Option<String>,
    /// (index into the inputs, the input), in time order.
    pub members: Vec<(usize, &'a Input)>,
    pub order: OrderBasis,
    /// The command line gave the members in another order than their clock.
    pub reordered: bool,
}

impl InputSeries<'_> {
    /// Indexes into the inputs, in time order.
    pub fn indexes(&self) -> Vec<usize> {
        self.members.iter().map(|(i, _)| *i).collect()
    }

    /// What a reader of any output should know about how the series was formed.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let n = self.members.len();
        if n == 1 {
            notes.push(format!(
                "1 {}: growth cannot be measured; a finding from it is a proof or a suspect",
                self.class.noun()
            ));
            return notes;
        }
        if self.reordered {
            notes.push(format!(
                "the command line gave these {} in another order; leakscope follows the clock in the files",
                self.class.plural()
            ));
        } else if self.order == OrderBasis::CommandLine {
            notes.push(format!(
                "these {} are taken in the order of {}",
                self.class.plural(),
                self.order.words()
            ));
        }
        let needed = self.generic_min_snapshots();
        if n < needed {
            notes.push(format!(
                "{n} {}: too few to tell growth from load for {} no signature names (that takes {needed})",
                self.class.plural(),
                match self.class {
                    ProfileClass::Goroutine => "stacks",
                    ProfileClass::Heap => "allocation sites",
                    ProfileClass::Snapshot => "classes",
                },
            ));
        }
        notes
    }

    /// Snapshots generic growth needs: fewer where ids tell what stayed.
    pub fn generic_min_snapshots(&self) -> usize {
        let ids = self.members.iter().all(|(_, input)| {
            input.heap().is_some() || input.profile().is_some_and(|p| p.goroutines.is_some())
        });
        if ids {
            GENERIC_MIN_SNAPSHOTS
        } else {
            GENERIC_MIN_SNAPSHOTS_WITHOUT_IDS
        }
    }
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

/// The process an input names: its profile's main binary, or a jeprof-style name's pid.
fn process_of(input: &Input) -> Option<String> {
    match input.profile().and_then(|p| p.process.clone()) {
        Some(process) => Some(process),
        None => dump_sequence(&input.path).map(|(pid, _)| format!("pid {pid}")),
    }
}

/// The inputs grouped into series: one per runtime, kind and process. An input whose file names
/// no process joins the one series of its runtime and kind that does, if there is exactly one.
pub fn group_inputs(inputs: &[Input]) -> Vec<InputSeries<'_>> {
    let mut out: Vec<InputSeries> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let Some(class) = input_class(input) else {
            continue;
        };
        let process = process_of(input);
        match out
            .iter_mut()
            .find(|g| g.class == class && g.runtime == input.runtime && g.process == process)
        {
            Some(g) => g.members.push((i, input)),
            None => out.push(InputSeries {
                class,
                runtime: input.runtime,
                process,
                members: vec![(i, input)],
                order: OrderBasis::CommandLine,
                reordered: false,
            }),
        }
    }
    // Files that name no process join the one named process of their kind.
    let mut k = 0;
    while k < out.len() {
        let g = &out[k];
        let named: Vec<usize> = (0..out.len())
            .filter(|&j| {
                out[j].process.is_some() && out[j].class == g.class && out[j].runtime == g.runtime
            })
            .collect();
        if g.process.is_none() && named.len() == 1 {
            let members = out.remove(k).members;
            let target = named[0] - usize::from(named[0] > k);
            out[target].members.extend(members);
            out[target].members.sort_by_key(|(i, _)| *i);
        } else {
            k += 1;
        }
    }
    let mut out: Vec<InputSeries> = out
        .into_iter()
        .flat_map(split_snapshots_by_process)
        .collect();
    for g in &mut out {
        order_by_clock(g);
        if g.process.as_deref() == Some("") {
            g.process = Some(format!("the process of {}", g.members[0].1.path.display()));
        }
    }
    out
}

/// Objects of one V8 process keep their id for life, and ids are never reused: two snapshots of
/// one process share most ids with the same type and name (99% on the fixtures), snapshots of
/// two processes hardly any (7%, even of one program). Below this share they are two processes.
const SAME_PROCESS_SHARE: f64 = 0.25;

/// How many objects of the smaller snapshot are looked up in the other.
const PROCESS_SAMPLE: usize = 20_000;

/// Heap snapshots record no process; a series of them is split where object ids say the
/// snapshots came from different processes. Each part is named by its earliest file.
fn split_snapshots_by_process(g: InputSeries<'_>) -> Vec<InputSeries<'_>> {
    if g.class != ProfileClass::Snapshot || g.members.len() < 2 {
        return vec![g];
    }
    let mut parts: Vec<InputSeries> = Vec::new();
    for member in g.members {
        let graph = member.1.heap().expect("snapshots hold a heap graph");
        match parts.iter_mut().find(|p| {
            let first = p.members[0].1.heap().expect("snapshots hold a heap graph");
            shared_objects(first, graph) >= SAME_PROCESS_SHARE
        }) {
            Some(part) => part.members.push(member),
            None => parts.push(InputSeries {
                members: vec![member],
                process: None,
                ..g
            }),
        }
    }
    if parts.len() > 1 {
        for part in &mut parts {
            // Named once in time order, by its earliest file.
            part.process = Some(String::new());
        }
    }
    parts
}

/// The share of a sample of the smaller snapshot's objects that the other holds under the same
/// id, type and name.
fn shared_objects(a: &HeapGraph, b: &HeapGraph) -> f64 {
    let (small, large) = if a.node_count() <= b.node_count() {
        (a, b)
    } else {
        (b, a)
    };
    let n = small.node_count();
    if n == 0 {
        return 0.0;
    }
    let step = n.div_ceil(PROCESS_SAMPLE);
    let sample: FxHashMap<u32, (u8, &str)> = (0..n)
        .step_by(step)
        .map(|k| (small.node_id[k], (small.node_type[k], small.name(k as u32))))
        .collect();
    let same = (0..large.node_count())
        .filter(|&k| {
            sample.get(&large.node_id[k]).is_some_and(|&(kind, name)| {
                large.node_type_names.get(large.node_type[k] as usize)
                    == small.node_type_names.get(kind as usize)
                    && large.name(k as u32) == name
            })
        })
        .count();
    same as f64 / sample.len() as f64
}

/// Puts a series in time order by the best clock every member carries.
fn order_by_clock(g: &mut InputSeries<'_>) {
    if g.members.len() < 2 {
        return;
    }
    for basis in [
        OrderBasis::CaptureTime,
        OrderBasis::GoroutineIds,
        OrderBasis::ObjectIds,
        OrderBasis::DumpSequence,
    ] {
        let clocks: Option<Vec<i64>> = g.members.iter().map(|(_, i)| basis.clock(i)).collect();
        if let Some(clocks) = clocks {
            let mut order: Vec<usize> = (0..g.members.len()).collect();
            order.sort_by_key(|&k| clocks[k]);
            g.reordered = order.iter().enumerate().any(|(at, &k)| at != k);
            g.members = order.into_iter().map(|k| g.members[k]).collect();
            g.order = basis;
            return;
        }
    }
}

/// Inputs the command line gives right after one that their clock says is newer: (the newer,
/// the older, the clock). Commands that keep the order given, such as `diff`, say so.
pub fn against_the_clock(inputs: &[Input]) -> Vec<(usize, usize, OrderBasis)> {
    let mut out = Vec::new();
    for g in group_inputs(inputs) {
        if g.order == OrderBasis::CommandLine {
            continue;
        }
        let mut given: Vec<(usize, &Input)> = g.members.clone();
        given.sort_by_key(|(i, _)| *i);
        for pair in given.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if g.order.clock(b.1) < g.order.clock(a.1) {
                out.push((a.0, b.0, g.order));
            }
        }
    }
    out
}

/// Inputs that join no series, each with the reason.
pub fn unjoined(inputs: &[Input]) -> Vec<(usize, String)> {
    inputs
        .iter()
        .enumerate()
        .filter(|(_, input)| input_class(input).is_none())
        .map(|(i, input)| {
            let kind = match input.kind_name() {
                "other" => "CPU, mutex, block and other",
                kind => kind,
            };
            (i, format!("no leak signature reads {kind} profiles"))
        })
        .collect()
}

/// The inputs of each kind, in the time order the findings use: (kind, indexes into `inputs`).
pub fn series_order(inputs: &[Input]) -> Vec<(ProfileClass, Vec<usize>)> {
    group_inputs(inputs)
        .into_iter()
        .map(|g| (g.class, g.indexes()))
        .collect()
}
