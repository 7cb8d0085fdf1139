//! The postmortem report: what `scan` found, with the evidence a team reads after an incident
//! (growth charts, stacks, retainer paths, flame graphs, the top tables of the last snapshot,
//! the inputs and the commands that reproduce it), as one self-contained HTML page or as
//! GitHub-flavoured Markdown.

mod chart;
pub mod flame;
pub mod html;
pub mod markdown;

use std::path::PathBuf;

use crate::analysis::{self, AnalysedSnapshot, GroupBy, KeyOptions};
use crate::detect::value_index;
use crate::model::Input;
use crate::model::ProfileClass;
use crate::model::{group_inputs, series_order, Finding, InputSeries, Status};
use crate::output::prose::{grouping_lines, trend_line, wait_span};
use crate::output::schema::{Grouping, HeapSeriesReport, HeapTopReport, InputInfo, TopReport};
use crate::output::table::shorten_middle;
use crate::output::values::{format_delta, format_time, format_value, format_window};
use crate::output::{tables, Style, TextTable};

pub use flame::{FlameGraph, StackChange};

/// Rows of the top tables, stacks per finding, changed stacks under a flame graph.
const TOP_ROWS: usize = 20;
const CHANGED_STACKS: usize = 15;
/// Functions in a series' call graph: few enough to read at the page's width.
const GRAPH_NODES: usize = 30;
pub const STACKS_PER_FINDING: usize = 8;
pub const PATHS_PER_FINDING: usize = 5;
pub const CREATORS_PER_FINDING: usize = 5;

/// Everything the report shows, computed once for both renderers.
pub struct Postmortem {
    pub inputs: Vec<InputInfo>,
    /// Bytes on disk of each input (compressed when the file is).
    pub file_sizes: Vec<Option<u64>>,
    pub signatures_checked: usize,
    pub findings: Vec<Finding>,
    pub series: Vec<SeriesSection>,
    /// Which inputs formed which series, in what order, with what a reader should know.
    pub grouping: Vec<String>,
    /// Shell commands that reproduce the report and look further.
    pub reproduce: Vec<String>,
    /// Who wrote the inputs and when, one row per series: the report's header.
    pub processes: Vec<ProcessRow>,
}

/// One series in the header: the process that wrote it, its runtime's version when the files
/// record one, how many inputs, and the time they span.
pub struct ProcessRow {
    pub runtime: &'static str,
    pub series: &'static str,
    pub process: Option<String>,
    pub version: Option<String>,
    pub inputs: usize,
    /// First and last capture time, when every member records one.
    pub window: Option<(i64, i64)>,
}

impl ProcessRow {
    fn of(series: &InputSeries<'_>) -> ProcessRow {
        let version = match series.members.last() {
            Some((_, last)) => last
                .heap()
                .and_then(analysis::runtime_version::node_version),
            None => None,
        };
        let times: Option<Vec<i64>> = series
            .members
            .iter()
            .map(|(_, input)| input.profile().and_then(|p| p.time_nanos))
            .collect();
        ProcessRow {
            runtime: series.runtime.name(),
            series: series.class.plural(),
            process: series.process.clone(),
            version,
            inputs: series.members.len(),
            window: times
                .filter(|t| !t.is_empty())
                .map(|t| (t[0], t[t.len() - 1])),
        }
    }

    /// `node v20.20.2`, or the runtime alone when no file records its version.
    pub fn runtime_text(&self) -> String {
        match &self.version {
            Some(v) => format!("{} {v}", self.runtime),
            None => format!("{} (version not recorded)", self.runtime),
        }
    }

    pub fn window_text(&self) -> String {
        match self.window {
            Some((first, last)) if first == last => format_time(first),
            Some((first, last)) => format_window(first, last),
            None => "capture times not recorded".into(),
        }
    }
}

/// The inputs of one kind (goroutine profiles, heap profiles, heap snapshots) in time order.
pub struct SeriesSection {
    pub class: ProfileClass,
    pub inputs: Vec<usize>,
    /// First against last (or the only snapshot), for stack profiles.
    pub flame: Option<FlameGraph>,
    /// Stack profile series: the call graph of the growth, first against last.
    pub graph: Option<crate::output::graph::Laid>,
    /// Heap snapshot series: constructors ranked by growth, the program's own first.
    pub growth: Option<TextTable>,
    /// The top table of the last snapshot.
    pub top: TextTable,
}

impl SeriesSection {
    /// `Goroutine profiles`, `Heap profiles` or `Heap snapshots`.
    pub fn title(&self) -> String {
        let plural = self.class.plural();
        plural[..1].to_ascii_uppercase() + &plural[1..]
    }
}

/// What the command line said besides the files, to repeat in the reproduce commands.
pub struct Invocation<'a> {
    pub files: &'a [PathBuf],
    pub outputs: &'a [PathBuf],
    pub extra_args: Vec<String>,
}

impl Postmortem {
    pub fn build(
        inputs: &[Input],
        snapshots: &[Option<AnalysedSnapshot<'_>>],
        findings: Vec<Finding>,
        signatures_checked: usize,
        invocation: &Invocation<'_>,
    ) -> Postmortem {
        let order = series_order(inputs);
        let series = crate::parallel::map_in_order(&order, |(class, members)| {
            section(inputs, snapshots, *class, members)
        });
        let infos: Vec<InputInfo> = inputs.iter().map(InputInfo::of).collect();
        let reproduce = reproduce(invocation, &infos, &series, &findings);
        Postmortem {
            processes: group_inputs(inputs).iter().map(ProcessRow::of).collect(),
            grouping: grouping_lines(&Grouping::of(inputs), &infos),
            file_sizes: inputs
                .iter()
                .map(|i| std::fs::metadata(&i.path).ok().map(|m| m.len()))
                .collect(),
            inputs: infos,
            signatures_checked,
            findings,
            series,
            reproduce,
        }
    }

    pub fn has_active_leak(&self) -> bool {
        self.findings.iter().any(|f| f.status.is_active())
    }

    /// `#3`: inputs are numbered in the order given.
    pub fn label(&self, input: usize) -> String {
        format!("#{}", input + 1)
    }

    /// Where inputs sit on a chart's time axis: their capture times of day (UTC) when every
    /// file records one, else what tells their file names apart (`iter0050` of
    /// `conn-leak-iter0050-goroutine-debug2.txt`), else their numbers.
    pub fn axis_labels(&self, inputs: &[usize]) -> Vec<String> {
        let times: Option<Vec<i64>> = inputs.iter().map(|&i| self.inputs[i].time_nanos).collect();
        if let Some(times) = times {
            return times
                .iter()
                .map(|&t| {
                    let text = format_time(t);
                    text.rsplit(' ').nth(1).unwrap_or_default().to_string()
                })
                .collect();
        }
        let names: Vec<&str> = inputs
            .iter()
            .map(|&i| {
                let path = self.inputs[i].path.as_str();
                path.rsplit('/').next().unwrap_or(path)
            })
            .collect();
        let apart = distinct_parts(&names);
        inputs
            .iter()
            .zip(apart)
            .map(|(&i, part)| match part {
                Some(part) => shorten_middle(part, 14),
                None => self.label(i),
            })
            .collect()
    }

    /// The verdict in one line.
    pub fn headline(&self) -> String {
        let active = self
            .findings
            .iter()
            .filter(|f| f.status.is_active())
            .count();
        if active > 0 {
            format!(
                "Leak found: {active} {} growing or proven",
                if active == 1 { "finding" } else { "findings" }
            )
        } else if let Some(n) = Some(self.suspects()).filter(|&n| n > 0) {
            format!(
                "Leak suspected: {n} {} the structure of a known leak; growth is not measured",
                if n == 1 {
                    "finding has"
                } else {
                    "findings have"
                }
            )
        } else if !self.findings.is_empty() {
            "No active leak: what grew earlier has stopped or gone back down".into()
        } else {
            format!(
                "No leak found: {} checked, and nothing grew steadily",
                self.scope()
            )
        }
    }

    /// Findings with a leak's structure but no measured growth.
    pub fn suspects(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.status == Status::Suspect)
            .count()
    }

    /// `3 inputs, 11 signatures`: what was read and checked.
    pub fn scope(&self) -> String {
        let n = self.inputs.len();
        format!(
            "{n} {}, {} signatures",
            if n == 1 { "input" } else { "inputs" },
            self.signatures_checked
        )
    }

    /// One sentence per finding: what, its status and how fast it grows.
    pub fn sentence(&self, f: &Finding) -> String {
        let first = f.series.first().copied().unwrap_or(0);
        let last = f.series.last().copied().unwrap_or(0);
        let what = format!("{} ({})", f.title, f.signature);
        match f.status {
            Status::Present => format!(
                "{what}: proven by one snapshot, {} {}.",
                format_value(last, &f.unit),
                f.metric
            ),
            Status::Suspect => format!(
                "{what}: suspect, {} {} in the {}snapshot, the structure of this leak; \
                 growth is not measured.",
                format_value(last, &f.unit),
                f.metric,
                if f.series.len() > 1 { "last " } else { "" }
            ),
            status => {
                let mut s = format!(
                    "{what}: {}, {} {} → {} over {} snapshots ({} per snapshot",
                    status.name(),
                    f.metric,
                    format_value(first, &f.unit),
                    format_value(last, &f.unit),
                    f.series.len(),
                    format_delta(f.growth_per_step.round() as i64, &f.unit),
                );
                if let Some(rate) = self.hourly_rate(f) {
                    s.push_str(&format!(", {} per hour", format_delta(rate, &f.unit)));
                }
                s.push_str(").");
                s
            }
        }
    }

    /// What else the evidence says, a sentence each: how sure the trend is, how long the
    /// goroutines waited, and what the retainer paths pass through.
    pub fn notes(f: &Finding) -> Vec<String> {
        let e = &f.evidence;
        trend_line(f)
            .into_iter()
            .chain(e.wait_minutes.map(|waits| {
                format!(
                    "The matched goroutines had been waiting for {} in the last dump.",
                    wait_span(waits)
                )
            }))
            .chain(e.hints.iter().cloned())
            .collect()
    }

    /// What the readers noticed, per input: warnings, and goroutines the runtime marked leaked.
    pub fn input_notes(&self) -> Vec<(&str, String)> {
        let mut notes = Vec::new();
        for input in &self.inputs {
            let path = input.path.as_str();
            notes.extend(
                input
                    .warnings
                    .iter()
                    .map(|w| (path, format!("warning: {w}"))),
            );
            if let Some(n) = input.leaked_goroutines {
                notes.push((
                    path,
                    format!("{n} goroutines marked (leaked) by the Go runtime"),
                ));
            }
        }
        notes
    }

    /// Growth per hour between the first and last snapshot, when both record a capture time.
    fn hourly_rate(&self, f: &Finding) -> Option<i64> {
        let time = |i: &usize| self.inputs.get(*i).and_then(|x| x.time_nanos);
        let (start, end) = (time(f.inputs.first()?)?, time(f.inputs.last()?)?);
        let hours = (end - start) as f64 / 3.6e12;
        let change = (f.series.last()? - f.series.first()?) as f64;
        (hours > 0.0).then(|| (change / hours).round() as i64)
    }
}

/// The flame graph and top table of one series. A snapshot's analysis is the one `scan` used.
fn section(
    inputs: &[Input],
    snapshots: &[Option<AnalysedSnapshot<'_>>],
    class: ProfileClass,
    members: &[usize],
) -> SeriesSection {
    let last_index = *members.last().expect("a series has members");
    let last = &inputs[last_index];
    let style = Style {
        format: crate::output::Format::Md,
        wide: true,
        full_names: false,
    };
    let mut flame = None;
    let mut graph = None;
    let mut growth = None;
    let mut top = match (last.profile(), last.heap()) {
        (Some(profile), _) => {
            let index = value_index(profile);
            let aggregate =
                analysis::aggregate(profile, index, GroupBy::Function, &KeyOptions::default());
            let mut report = TopReport::new(InputInfo::of(last), GroupBy::Function, aggregate);
            tables::limit(&mut report.rows, Some(TOP_ROWS), false);
            let sample_type = &profile.sample_types[index];
            // A goroutine profile counts goroutines; a heap profile's `count` is objects.
            let unit = match (sample_type.name.as_str(), sample_type.unit.as_str()) {
                ("goroutine" | "goroutines", _) => "goroutines".to_string(),
                (_, "count") => "objects".to_string(),
                (_, unit) => unit.to_string(),
            };
            let first = inputs[members[0]].profile().filter(|_| members.len() > 1);
            let (before, after, growth_graph) = std::thread::scope(|scope| {
                let before = scope.spawn(|| first.map(|p| flame::folded(p, value_index(p))));
                let growth_graph =
                    scope.spawn(|| first.map(|p| growth_graph(p, profile, index, members)));
                let after = flame::folded(profile, index);
                (
                    before.join().expect("no panic"),
                    after,
                    growth_graph.join().expect("no panic"),
                )
            });
            graph = growth_graph;
            let title = if before.is_some() {
                format!(
                    "#{} → #{}: red grew, blue shrank",
                    members[0] + 1,
                    members.last().expect("non-empty") + 1
                )
            } else {
                format!("#{}", members[0] + 1)
            };
            flame = Some(flame::render(
                before.as_ref(),
                &after,
                &title,
                &unit,
                CHANGED_STACKS,
            ));
            tables::top(&report, &style)
        }
        (None, Some(_)) => {
            let snapshot = snapshots[last_index]
                .as_ref()
                .expect("every snapshot is analysed");
            let mut report =
                HeapTopReport::new(InputInfo::of(last), snapshot, GroupBy::Constructor);
            tables::limit(&mut report.rows, Some(TOP_ROWS), false);
            if members.len() > 1 {
                growth = Some(constructors_by_growth(inputs, snapshots, members, &style));
            }
            tables::heap_top(&report, &style)
        }
        (None, None) => TextTable::default(),
    };
    for note in &mut top.notes {
        *note = note.replace("(use -n 0 for all)", "(`leakscope top -n 0` lists all)");
    }
    for note in growth.iter_mut().flat_map(|g| g.notes.iter_mut()) {
        *note = note.replace("(use -n 0 for all)", "(`leakscope diff -n 0` lists all)");
    }
    SeriesSection {
        class,
        inputs: members.to_vec(),
        flame,
        graph,
        growth,
        top,
    }
}

/// The call graph of what changed from the first profile of a series to the last, laid out by
/// Graphviz when it is installed.
fn growth_graph(
    first: &crate::model::Profile,
    last: &crate::model::Profile,
    index: usize,
    members: &[usize],
) -> crate::output::graph::Laid {
    use crate::analysis::call_graph::{call_graph, Side};
    use crate::output::graph::{svg, Drawing, Layout};
    let graph = call_graph(
        Some(Side {
            profile: first,
            sample_index: value_index(first),
            sign: -1,
        }),
        Side {
            profile: last,
            sample_index: index,
            sign: 1,
        },
        &KeyOptions::default(),
        GRAPH_NODES,
    );
    let legend = vec![format!(
        "#{} → #{}: {} of {} functions, {}",
        members[0] + 1,
        members.last().expect("non-empty") + 1,
        graph.nodes.len(),
        graph.node_count,
        graph.sample_type
    )];
    let drawing = Drawing::new(&graph, legend);
    let prefix = format!("g{}-", members[0] + 1);
    svg(&drawing, Layout::Auto, &prefix).expect("the automatic layout falls back, never fails")
}

/// `leakscope diff` over a series of heap snapshots, as the report shows it: the program's
/// and libraries' constructors first, by how much more they retain.
fn constructors_by_growth(
    inputs: &[Input],
    snapshots: &[Option<AnalysedSnapshot<'_>>],
    members: &[usize],
    style: &Style,
) -> TextTable {
    let analysed: Vec<&AnalysedSnapshot> = members
        .iter()
        .map(|&i| snapshots[i].as_ref().expect("every snapshot is analysed"))
        .collect();
    let infos = members.iter().map(|&i| InputInfo::of(&inputs[i])).collect();
    let mut report = HeapSeriesReport::new(infos, GroupBy::Constructor, &analysed, false);
    tables::limit(&mut report.rows, Some(TOP_ROWS), false);
    let mut table = tables::heap_series(&report, style);
    // The report names its inputs once, at the top; the totals line stays.
    let inputs = table.heading.len().saturating_sub(1);
    table.heading.drain(..inputs);
    table
}

/// A word the shell reads back as itself.
pub fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:=@%+,".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

fn command(words: &[String]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| shell_quote(w)).collect();
    quoted.join(" ")
}

fn reproduce(
    invocation: &Invocation<'_>,
    inputs: &[InputInfo],
    series: &[SeriesSection],
    findings: &[Finding],
) -> Vec<String> {
    let file = |i: usize| inputs[i].path.clone();
    let files: Vec<String> = invocation
        .files
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let with = |mut words: Vec<String>| {
        words.extend(invocation.extra_args.iter().cloned());
        command(&words)
    };
    let mut out = Vec::new();
    let mut report = vec!["leakscope".to_string(), "report".into()];
    report.extend(files.iter().cloned());
    for o in invocation.outputs {
        report.extend(["-o".to_string(), o.display().to_string()]);
    }
    out.push(with(report));
    let mut scan = vec!["leakscope".to_string(), "scan".into()];
    scan.extend(files.iter().cloned());
    out.push(with(scan));
    for s in series {
        let last = *s.inputs.last().expect("non-empty");
        if s.inputs.len() > 1 {
            let mut diff = vec!["leakscope".to_string(), "diff".into()];
            match s.class {
                ProfileClass::Snapshot => diff.extend(s.inputs.iter().map(|&i| file(i))),
                _ => diff.extend([file(s.inputs[0]), file(last)]),
            }
            out.push(with(diff));
        }
        out.push(with(vec!["leakscope".into(), "top".into(), file(last)]));
        if s.class == ProfileClass::Snapshot {
            let mut classes: Vec<&str> = findings
                .iter()
                .filter(|f| f.inputs.contains(&last))
                .flat_map(|f| f.evidence.classes.iter().map(|c| c.name.as_str()))
                .collect();
            classes.dedup();
            for class in classes.into_iter().take(3) {
                out.push(with(vec![
                    "leakscope".into(),
                    "retainers".into(),
                    file(last),
                    "--class".into(),
                    class.to_string(),
                ]));
            }
        }
    }
    out
}

/// What tells names apart: each without the prefix and suffix they all share, cut at a `-`,
/// `_` or `.`. `None` for a name left with nothing (or when there is only one name).
fn distinct_parts<'a>(names: &[&'a str]) -> Vec<Option<&'a str>> {
    let common = |a: &[u8], b: &[u8], rev: bool| -> usize {
        let pairs: Box<dyn Iterator<Item = (&u8, &u8)>> = if rev {
            Box::new(a.iter().rev().zip(b.iter().rev()))
        } else {
            Box::new(a.iter().zip(b))
        };
        pairs.take_while(|(x, y)| x == y).count()
    };
    let Some(first) = names.first().map(|n| n.as_bytes()) else {
        return Vec::new();
    };
    if names.len() < 2 {
        return vec![None; names.len()];
    }
    let prefix = names
        .iter()
        .map(|n| common(first, n.as_bytes(), false))
        .min()
        .unwrap_or(0);
    let suffix = names
        .iter()
        .map(|n| common(first, n.as_bytes(), true))
        .min()
        .unwrap_or(0);
    let cut = |b: u8| matches!(b, b'-' | b'_' | b'.');
    // Back to the separator before the prefix ends and after the suffix starts.
    let prefix = first[..prefix]
        .iter()
        .rposition(|&b| cut(b))
        .map_or(0, |p| p + 1);
    let suffix = first[first.len() - suffix..]
        .iter()
        .position(|&b| cut(b))
        .map_or(0, |p| suffix - p);
    names
        .iter()
        .map(|n| {
            let end = n.len().saturating_sub(suffix);
            (prefix < end && n.is_char_boundary(prefix) && n.is_char_boundary(end))
                .then(|| &n[prefix..end])
        })
        .collect()
}

/// How many goroutines created the matched ones, and what that count means.
pub fn creators_reading(distinct_creators: u64) -> String {
    match distinct_creators {
        0 => "not recorded".to_string(),
        1 => "1 (one loop)".to_string(),
        n => format!("{n} (per request or per call)"),
    }
}

/// A reference that is a plain web address, safe to make a link of.
pub fn web_link(reference: &str) -> Option<&str> {
    let ok = (reference.starts_with("https://") || reference.starts_with("http://"))
        && reference
            .chars()
            .all(|c| c.is_ascii_graphic() && !"\"'<>`\\".contains(c));
    ok.then_some(reference)
}

/// Frames of a `;`-joined stack, leaf first (as Go and pprof print traces).
pub fn leaf_first(stack: &str) -> Vec<&str> {
    stack.split(';').rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_survive_quoting() {
        assert_eq!(shell_quote("fixtures/a-b.pb.gz"), "fixtures/a-b.pb.gz");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote("$(rm)"), "'$(rm)'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn axis_labels_keep_what_tells_file_names_apart() {
        let names = [
            "conn-leak-iter0000-goroutine-debug2.txt",
            "conn-leak-iter0050-goroutine-debug2.txt",
            "conn-leak-iter0200-goroutine-debug2.txt",
        ];
        assert_eq!(
            distinct_parts(&names),
            [Some("iter0000"), Some("iter0050"), Some("iter0200")]
        );
        assert_eq!(distinct_parts(&["a.heap", "a.heap"]), [None, None]);
        assert_eq!(distinct_parts(&["a.heap"]), [None]);
    }

    #[test]
    fn only_plain_web_addresses_become_links() {
        assert!(web_link("https://github.com/grpc/grpc-go/issues/6413").is_some());
        assert!(web_link("javascript:alert(1)").is_none());
        assert!(web_link("https://x\"onmouseover=\"a()").is_none());
        assert!(web_link("grpc-go source, clientconn.go").is_none());
    }
}
