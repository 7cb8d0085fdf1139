//! What `scan` finds: a leak's status, its series, the evidence behind it (matched stacks,
//! classes, creators, retainer paths) and what to do about it. Every output renders these.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Grew at the last step.
    Growing,
    /// Grew earlier, flat at the end: fixed, but the residue remains.
    Plateau,
    /// Went back down.
    Receding,
    /// One snapshot proves it.
    Present,
    /// One snapshot (or a series too short to show growth) has the leak's structure, as its
    /// catalogue entry describes it; growth is not measured.
    Suspect,
}

impl Status {
    /// `growing`, `plateau`, `receding`, `present` or `suspect`, as JSON spells it.
    pub fn name(self) -> &'static str {
        match self {
            Status::Growing => "growing",
            Status::Plateau => "plateau",
            Status::Receding => "receding",
            Status::Present => "present",
            Status::Suspect => "suspect",
        }
    }

    /// The name as tables show it: in capitals when the leak is active or suspected, so it
    /// stands out.
    pub fn label(self) -> String {
        if self.is_active() || self == Status::Suspect {
            self.name().to_ascii_uppercase()
        } else {
            self.name().to_string()
        }
    }

    /// Whether a CI gate or `scan`'s exit code treats it as a leak now.
    pub fn is_active(self) -> bool {
        matches!(self, Status::Growing | Status::Present)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct NamedSeries {
    pub name: String,
    pub values: Vec<i64>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Evidence {
    /// Matched stacks (root first), value in each snapshot, largest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stacks: Vec<NamedSeries>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub co_growing: Vec<NamedSeries>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<NamedSeries>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    /// Who created the matched goroutines (full dumps): one loop, or one per request.
    pub creators: Vec<CreatorGroup>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub retainers: Vec<PathGroup>,
    /// What the retainer paths show, in the catalogue's words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<String>,
    /// Shortest and longest wait of the matched goroutines in the last dump, in minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_minutes: Option<[u32; 2]>,
    /// Where in the program's own code to look, with file and line: who started the goroutines,
    /// the first frame of the program's own in their stacks, where the memory was allocated.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub code: Vec<CodeSite>,
}

/// What a code site is to a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SiteRole {
    /// The `go` statement that started the goroutines (`created by ... file:line`).
    CreatedBy,
    /// The first frame of the program's own code in the stacks (not the runtime, the standard
    /// library or a known library).
    OwnCode,
    /// The allocation site of heap memory: the first frame past the allocator.
    AllocatedAt,
}

impl SiteRole {
    /// As prose puts it before a function name.
    pub fn words(self) -> &'static str {
        match self {
            SiteRole::CreatedBy => "started in",
            SiteRole::OwnCode => "own code:",
            SiteRole::AllocatedAt => "allocated in",
        }
    }
}

/// A function, file and line in the last snapshot's matched stacks, and how much of the metric
/// runs through it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeSite {
    pub role: SiteRole,
    pub function: String,
    /// As the profile records it (a build path, or relative with `-trimpath`); empty when unknown.
    pub file: String,
    /// 0 when unknown.
    pub line: u32,
    /// The program's own code, not the runtime, a standard library or a known library: where
    /// annotations point.
    pub own: bool,
    /// Goroutines or bytes behind the site in the last snapshot.
    pub value: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub signature: String,
    pub title: String,
    pub status: Status,
    pub fingerprint: String,
    pub metric: String,
    pub unit: String,
    /// The metric in each snapshot, in the order of `inputs`.
    pub series: Vec<i64>,
    /// Indexes of the inputs the series is over.
    pub inputs: Vec<usize>,
    pub growth_per_step: f64,
    /// The trend of `series`, judged from the order of its values (two or more snapshots).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trend: Option<Trend>,
    /// When ids showed goroutines or objects in flight, `series` counts only those that stayed
    /// from one snapshot to the next, and this holds every one counted, as the files show them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_counts: Option<Vec<i64>>,
    pub evidence: Evidence,
    pub explanation: String,
    pub fix: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
}

/// Whether a short series trends up, and how sure that is (Mann–Kendall, Theil–Sen).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Trend {
    /// Median of the slopes between every pair of snapshots, per step (Theil–Sen).
    pub slope: f64,
    /// Kendall's tau: pairs in increasing order minus pairs in decreasing order, over all
    /// pairs; 1 when every snapshot is above every earlier one.
    pub tau: f64,
    /// One-sided p-value of Mann–Kendall's S: the chance that values in random order (load
    /// that goes up and down, no trend) order themselves at least this well.
    pub p_value: f64,
}

/// Goroutines of a row created by one function, and by how many distinct goroutines: one
/// creator making hundreds is a loop; hundreds of creators making a few each is per-request.
#[derive(Debug, Clone, Serialize)]
pub struct CreatorGroup {
    pub function: String,
    pub goroutines: u64,
    /// Distinct creator goroutine ids (0 when the dump predates `in goroutine N`).
    pub distinct_creators: u64,
    /// The busiest creators (at most 3), with where each is now if it is still alive.
    pub top_creators: Vec<Creator>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Creator {
    pub id: u64,
    pub created: u64,
    /// The creator's current leaf function; absent when it has exited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub now_in: Option<String>,
}

/// A retainer path step: a node and the edge it holds the next node by.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub node: String,
    /// The example object at this hop: its id (`@id`), shallow and retained size as DevTools
    /// shows them (memlab's leak trace gives the same three).
    pub id: u32,
    pub self_size: u64,
    pub retained: u64,
    pub edge: String,
    /// The same step repeated this many times in a row (a linked list such as a timer list),
    /// shown once; absent when 1.
    #[serde(skip_serializing_if = "is_one")]
    pub repeat: u32,
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

/// The paths of many objects with the same shape, shown once.
#[derive(Debug, Clone, Serialize)]
pub struct PathGroup {
    /// Stable hash of the path's classes and edge names (no ids, no element indices).
    pub fingerprint: String,
    pub objects: u64,
    /// Retained size of those objects together.
    pub retained: u64,
    /// From a child of the root (a GC root or the global object) to the object itself, whose
    /// step has an empty `edge`.
    pub path: Vec<Step>,
    /// An example object's id (`@id` in DevTools).
    pub example_id: u32,
}
