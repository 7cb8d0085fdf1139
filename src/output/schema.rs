//! What each command reports, in the shape its JSON takes (`"schema": "leakscope/1"`). Fields
//! are only ever added, never renamed. Renderers turn these into tables and Markdown.

use serde::Serialize;

use crate::analysis::class_summary::{class_summary, ClassRow};
use crate::analysis::dominators::Retention;
use crate::analysis::snapshot_diff::{ClassSeriesRow, ComparisonRow, LeakRow, ObjectRow};
use crate::analysis::AnalysedSnapshot;
use crate::analysis::{aggregate::Row, diff::DiffRow, series::SeriesRow, GroupBy, Measure};
use crate::model::PathGroup;
use crate::model::{group_inputs, unjoined, Input, OrderBasis, ProfileClass};

pub const SCHEMA: &str = "leakscope/1";

#[derive(Debug, Clone, Serialize)]
pub struct InputInfo {
    pub path: String,
    pub format: &'static str,
    pub runtime: &'static str,
    pub kind: &'static str,
    pub gzipped: bool,
    /// Bytes after decompression.
    pub size: u64,
    /// Capture time (nanoseconds since the Unix epoch) when the format records it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_nanos: Option<i64>,
    /// Goroutines the Go runtime marked `(leaked)` (full goroutine dumps only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaked_goroutines: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl InputInfo {
    pub fn of(input: &Input) -> Self {
        InputInfo {
            path: input.path.display().to_string(),
            format: input.format.name(),
            runtime: input.runtime.name(),
            kind: input.kind_name(),
            gzipped: input.gzipped,
            size: input.size,
            time_nanos: input.profile().and_then(|p| p.time_nanos),
            leaked_goroutines: input
                .profile()
                .and_then(|p| p.goroutines.as_ref())
                .map(|d| d.goroutines.iter().filter(|g| g.leaked).count() as u64)
                .filter(|&n| n > 0),
            warnings: input.warnings().to_vec(),
        }
    }
}

fn group_name(by: GroupBy) -> &'static str {
    by.name()
}

/// `peek` and `tree`: functions with their callers and callees.
#[derive(Debug, Clone, Serialize)]
pub struct PeekReport {
    pub schema: &'static str,
    pub input: InputInfo,
    /// `peek`'s regular expression; absent for `tree`, which shows every function.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    /// Functions before `-n`.
    pub entry_count: usize,
    #[serde(flatten)]
    pub peek: crate::analysis::peek::Peek,
}

/// `list`: matching functions line by line.
#[derive(Debug, Clone, Serialize)]
pub struct ListReport {
    pub schema: &'static str,
    pub input: InputInfo,
    /// Matching functions before `-n`.
    pub routine_count: usize,
    #[serde(flatten)]
    pub listing: crate::analysis::list::Listing,
}

/// `traces`: every sample's stack and labels.
#[derive(Debug, Clone, Serialize)]
pub struct TracesReport {
    pub schema: &'static str,
    pub input: InputInfo,
    /// Traces there were before `-n`.
    pub trace_count: usize,
    #[serde(flatten)]
    pub traces: crate::analysis::traces::Traces,
}

impl TracesReport {
    pub fn new(input: InputInfo, traces: crate::analysis::traces::Traces) -> Self {
        TracesReport {
            schema: SCHEMA,
            input,
            trace_count: traces.traces.len(),
            traces,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TopReport {
    pub schema: &'static str,
    pub input: InputInfo,
    pub by: &'static str,
    pub sample_type: String,
    pub unit: String,
    /// What the percentages are of: the profile's total before any filter (as pprof).
    pub total: i64,
    /// What the filters (`--focus`, ...) kept of it, when filters applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept: Option<i64>,
    /// Rows in the report (after `-n`).
    pub rows: Vec<Row>,
    /// Rows there were before `-n`.
    pub row_count: usize,
}

impl TopReport {
    pub fn new(input: InputInfo, by: GroupBy, aggregate: crate::analysis::Aggregate) -> Self {
        TopReport {
            schema: SCHEMA,
            input,
            by: group_name(by),
            sample_type: aggregate.sample_type,
            unit: aggregate.unit,
            total: aggregate.total,
            kept: aggregate.kept,
            row_count: aggregate.rows.len(),
            rows: aggregate.rows,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    pub schema: &'static str,
    pub inputs: Vec<InputInfo>,
    pub by: &'static str,
    pub measure: Measure,
    pub sample_type: String,
    pub unit: String,
    pub base_total: i64,
    pub target_total: i64,
    pub rows: Vec<DiffRow>,
    pub row_count: usize,
}

impl DiffReport {
    pub fn new(inputs: Vec<InputInfo>, by: GroupBy, diff: crate::analysis::Diff) -> Self {
        DiffReport {
            schema: SCHEMA,
            inputs,
            by: group_name(by),
            measure: diff.measure,
            sample_type: diff.sample_type,
            unit: diff.unit,
            base_total: diff.base_total,
            target_total: diff.target_total,
            row_count: diff.rows.len(),
            rows: diff.rows,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SeriesReport {
    pub schema: &'static str,
    pub inputs: Vec<InputInfo>,
    pub by: &'static str,
    pub measure: Measure,
    pub sample_type: String,
    pub unit: String,
    pub totals: Vec<i64>,
    pub rows: Vec<SeriesRow>,
    pub row_count: usize,
}

impl SeriesReport {
    pub fn new(inputs: Vec<InputInfo>, by: GroupBy, series: crate::analysis::Series) -> Self {
        SeriesReport {
            schema: SCHEMA,
            inputs,
            by: group_name(by),
            measure: series.measure,
            sample_type: series.sample_type,
            unit: series.unit,
            totals: series.totals,
            row_count: series.rows.len(),
            rows: series.rows,
        }
    }
}

/// Size figures of one heap snapshot.
#[derive(Debug, Clone, Serialize)]
pub struct HeapTotals {
    pub node_count: usize,
    pub edge_count: usize,
    /// Sum of all objects' shallow sizes.
    pub total_size: u64,
    /// Retained size of the root (equals `total_size`: every object is hung somewhere).
    pub root_retained: u64,
    /// Objects not reachable from the root through retaining edges (hung off the root).
    pub unreachable: usize,
}

impl HeapTotals {
    pub fn of(graph: &crate::model::HeapGraph, retention: &Retention) -> Self {
        HeapTotals {
            node_count: graph.node_count(),
            edge_count: graph.edge_count(),
            total_size: graph.self_sizes().sum(),
            root_retained: retention.retained.get(0),
            unreachable: retention.unreachable,
        }
    }
}

/// `top` on a heap snapshot: DevTools' Summary view.
#[derive(Debug, Clone, Serialize)]
pub struct HeapTopReport {
    pub schema: &'static str,
    pub input: InputInfo,
    pub by: &'static str,
    pub totals: HeapTotals,
    /// Sorted by retained size.
    pub rows: Vec<ClassRow>,
    pub row_count: usize,
}

impl HeapTopReport {
    /// DevTools' Summary of one analysed snapshot.
    pub fn new(input: InputInfo, snapshot: &AnalysedSnapshot<'_>, by: GroupBy) -> Self {
        let rows = class_summary(&snapshot.classes, &snapshot.retention);
        HeapTopReport {
            schema: SCHEMA,
            input,
            by: by.name(),
            totals: HeapTotals::of(snapshot.graph, &snapshot.retention),
            row_count: rows.len(),
            rows,
        }
    }
}

/// `diff A B` on heap snapshots: DevTools' Comparison view, by object id.
#[derive(Debug, Clone, Serialize)]
pub struct HeapDiffReport {
    pub schema: &'static str,
    pub inputs: Vec<InputInfo>,
    pub by: &'static str,
    pub base_totals: HeapTotals,
    pub target_totals: HeapTotals,
    pub rows: Vec<ComparisonRow>,
    pub row_count: usize,
    /// Rows of specific classes, ranked before V8's categories and plain containers; absent
    /// with `--all-classes`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub specific_rows: Option<usize>,
    /// The target's objects that the base does not have, largest retained size first.
    pub new_objects: Vec<ObjectRow>,
}

/// Objects allocated after a baseline and still alive at the end (memlab's rule).
#[derive(Debug, Clone, Serialize)]
pub struct LeaksSince {
    pub baseline: String,
    pub target: String,
    pub last: String,
    pub objects: usize,
    pub rows: Vec<LeakRow>,
    /// Retainer paths of the leaked objects of the top classes.
    pub paths: Vec<PathGroup>,
}

/// `diff F1 F2 F3 ...` on heap snapshots.
#[derive(Debug, Clone, Serialize)]
pub struct HeapSeriesReport {
    pub schema: &'static str,
    pub inputs: Vec<InputInfo>,
    pub by: &'static str,
    pub totals: Vec<HeapTotals>,
    pub rows: Vec<ClassSeriesRow>,
    pub row_count: usize,
    /// Rows of specific classes, ranked before V8's categories and plain containers; absent
    /// with `--all-classes` (every row by growth).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub specific_rows: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaks_since: Option<LeaksSince>,
}

impl HeapSeriesReport {
    /// Every constructor followed over the snapshots; the program's own first, by retained
    /// growth, unless `all_classes`.
    pub fn new(
        inputs: Vec<InputInfo>,
        by: GroupBy,
        snapshots: &[&AnalysedSnapshot<'_>],
        all_classes: bool,
    ) -> Self {
        use crate::analysis::snapshot_diff::{class_series, specific_first_by_retained_growth};
        let mut rows = class_series(snapshots);
        let specific_rows = (!all_classes).then(|| specific_first_by_retained_growth(&mut rows));
        HeapSeriesReport {
            schema: SCHEMA,
            inputs,
            by: by.name(),
            totals: snapshots
                .iter()
                .map(|a| HeapTotals::of(a.graph, &a.retention))
                .collect(),
            row_count: rows.len(),
            rows,
            specific_rows,
            leaks_since: None,
        }
    }
}

/// `retainers`: why objects are alive.
#[derive(Debug, Clone, Serialize)]
pub struct RetainersReport {
    pub schema: &'static str,
    pub input: InputInfo,
    /// `class NAME` or `id N`.
    pub target: String,
    pub objects: usize,
    /// Objects that only weak edges reach (no strong path from a root).
    pub weakly_reachable: u64,
    pub retained: u64,
    pub paths: Vec<PathGroup>,
    /// Distinct path shapes before `--paths` cut.
    pub path_count: usize,
}

/// `graph -o FILE.json`: the call graph as drawn.
#[derive(Debug, Clone, Serialize)]
pub struct GraphReport {
    pub schema: &'static str,
    pub inputs: Vec<InputInfo>,
    #[serde(flatten)]
    pub graph: crate::analysis::call_graph::CallGraph,
}

/// `dominators` and `containment`: a tree of a heap snapshot's objects, in display order.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectTreeReport {
    pub schema: &'static str,
    pub input: InputInfo,
    /// `dominators` or `containment`.
    pub view: &'static str,
    /// `root`, `id N` or `class NAME`.
    pub start: String,
    /// Objects of the class, when starting at a class (its largest are shown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class_objects: Option<usize>,
    /// The root's retained size: the heap's total, for percentages.
    pub total: u64,
    pub depth: u32,
    pub children: usize,
    pub rows: Vec<crate::analysis::object_tree::ObjectRow>,
}

/// One series the findings were judged on: which inputs formed it, in which order and why.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesInfo {
    /// `goroutine`, `heap` or `snapshot`.
    pub kind: ProfileClass,
    pub runtime: &'static str,
    /// The process the files name (main binary, build id, load address), when they do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<String>,
    /// Indexes into `inputs`, in time order.
    pub inputs: Vec<usize>,
    /// What the order was taken from: `capture-time`, `goroutine-ids`, `object-ids`,
    /// `dump-sequence` or `command-line`.
    pub ordered_by: OrderBasis,
    /// What a reader should know: one snapshot, an order that differs from the command line.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// An input that joins no series, and why.
#[derive(Debug, Clone, Serialize)]
pub struct UnjoinedInput {
    pub input: usize,
    pub path: String,
    pub reason: String,
}

/// How a run's inputs formed series: what `scan`, `check` and `report` say before any finding.
#[derive(Debug, Clone, Serialize)]
pub struct Grouping {
    pub series: Vec<SeriesInfo>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unjoined: Vec<UnjoinedInput>,
}

impl Grouping {
    /// The runtimes of the series, each once: whose signatures a run checks.
    pub fn runtimes(&self) -> Vec<&'static str> {
        let mut runtimes: Vec<&'static str> = Vec::new();
        for s in &self.series {
            if !runtimes.contains(&s.runtime) {
                runtimes.push(s.runtime);
            }
        }
        runtimes
    }

    pub fn of(inputs: &[Input]) -> Self {
        Grouping {
            series: group_inputs(inputs)
                .iter()
                .map(|g| SeriesInfo {
                    kind: g.class,
                    runtime: g.runtime.name(),
                    process: g.process.clone(),
                    inputs: g.indexes(),
                    ordered_by: g.order,
                    notes: g.notes(),
                })
                .collect(),
            unjoined: unjoined(inputs)
                .into_iter()
                .map(|(input, reason)| UnjoinedInput {
                    input,
                    path: inputs[input].path.display().to_string(),
                    reason,
                })
                .collect(),
        }
    }

    /// Whether some series rests on a single snapshot.
    pub fn has_single_snapshot(&self) -> bool {
        self.series.iter().any(|s| s.inputs.len() == 1)
    }
}

/// `scan`: the inputs as given and what the catalogue and generic growth found in them.
#[derive(Debug, Clone, Serialize)]
pub struct ScanReport {
    pub schema: &'static str,
    pub inputs: Vec<InputInfo>,
    /// Which inputs formed which series, and in what order.
    #[serde(flatten)]
    pub grouping: Grouping,
    /// Ids of the signatures that were checked (built-in and `--rules`).
    pub signatures_checked: Vec<String>,
    pub findings: Vec<crate::model::Finding>,
}

impl ScanReport {
    /// A leak now: any finding growing at the last step or proven by one snapshot.
    pub fn has_active_leak(&self) -> bool {
        self.findings.iter().any(|f| f.status.is_active())
    }
}

/// A finding as `check` judged it.
#[derive(Debug, Clone, Serialize)]
pub struct JudgedFinding {
    #[serde(flatten)]
    pub finding: crate::model::Finding,
    pub verdict: crate::gate::Verdict,
    /// Why: the threshold, the allow-list entry, the baseline or the policy's action.
    pub reason: String,
    /// The baseline findings hold this fingerprint.
    pub known: bool,
}

/// `check`: the verdict, then what `scan` found, each finding judged by the policy.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub schema: &'static str,
    /// `pass` or `fail`.
    pub verdict: &'static str,
    pub regressions: usize,
    pub warnings: usize,
    /// The policy file, or `default`.
    pub policy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    pub inputs: Vec<InputInfo>,
    #[serde(flatten)]
    pub grouping: Grouping,
    pub signatures_checked: Vec<String>,
    pub findings: Vec<JudgedFinding>,
}
