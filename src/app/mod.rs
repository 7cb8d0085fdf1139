//! One file per command, each a short function: read the inputs, call the layers, hand the
//! result to output. `io` holds what every command shares: parallel reads and atomic writes.

#[cfg(feature = "capture")]
mod capture;
mod check;
mod containment;
mod diff;
mod dominators;
mod graph;
#[cfg(feature = "capture")]
mod inspector;
pub mod io;
mod list;
mod peek;
mod progress_display;
#[cfg(feature = "capture")]
mod remote;
mod report;
mod retainers;
mod scan;
mod signatures;
mod top;
mod traces;
mod tree;
#[cfg(feature = "capture")]
mod watch;

use crate::analysis::class_summary::ClassKey;
use crate::analysis::{AnalysedSnapshot, GroupBy};
use crate::cli::{Command, OutputArgs, RulesArgs};
use crate::detect::Catalogue;
use crate::error::{Error, Result};
use crate::model::Input;
use crate::output::{self, Format, Style};

/// What a command prints and the exit code it asks for.
#[derive(Debug)]
pub struct Outcome {
    pub text: String,
    /// `scan` found a leak that is growing or proven: exit code 1.
    pub leak_found: bool,
}

/// Shows the progress of long work on stderr when it is a terminal, unless `quiet`.
pub fn show_progress(quiet: bool) {
    progress_display::enable(quiet);
}

pub fn run(command: &Command) -> Result<Outcome> {
    let text = match command {
        Command::Top(args) => top::run(args)?,
        Command::Diff(args) => diff::run(args)?,
        Command::Peek(args) => peek::run(args)?,
        Command::Tree(args) => tree::run(args)?,
        Command::Traces(args) => traces::run(args)?,
        Command::List(args) => list::run(args)?,
        Command::Graph(args) => graph::run(args)?,
        Command::Retainers(args) => retainers::run(args)?,
        Command::Dominators(args) => dominators::run(args)?,
        Command::Containment(args) => containment::run(args)?,
        #[cfg(feature = "capture")]
        Command::Capture(args) => capture::run(args)?,
        #[cfg(feature = "capture")]
        Command::Watch(args) => return watch::run(args),
        // The fuzzing build leaves the network code out.
        #[cfg(not(feature = "capture"))]
        Command::Capture(_) | Command::Watch(_) => {
            return Err(Error::Usage(
                "this leakscope was built without its capture feature".into(),
            ))
        }
        Command::Scan(args) => return scan::run(args),
        Command::Check(args) => return check::run(args),
        Command::Report(args) => report::run(args)?,
        Command::Signatures(args) => signatures::run(args)?,
    };
    Ok(Outcome {
        text,
        leak_found: false,
    })
}

pub(crate) fn style(output: &OutputArgs) -> Style {
    Style {
        format: output.format,
        wide: output.wide,
        full_names: output.full_names,
    }
}

/// JSON, or the view's table in the chosen text format.
pub(crate) fn emit<R: serde::Serialize>(
    report: &R,
    output: &OutputArgs,
    view: impl Fn(&R, &Style) -> output::TextTable,
) -> String {
    let style = style(output);
    if output.format == Format::Json {
        output::json(report)
    } else {
        output::render(&view(report, &style), &style)
    }
}

pub(crate) fn is_json(output: &OutputArgs) -> bool {
    output.format == Format::Json
}

/// One stack profile and the index of the sample type asked for, for the views that read
/// nothing else (`peek`, `traces`); a heap snapshot is a usage error naming the file.
pub(crate) fn one_stack_profile(
    file: &std::path::Path,
    input: &crate::cli::InputArgs,
    sample: &crate::cli::SampleArgs,
    command: &str,
) -> Result<(Input, usize)> {
    let read = io::read_one(file, input)?;
    let Some(profile) = read.profile() else {
        return Err(Error::Usage(format!(
            "{}: is a heap snapshot; {command} reads stack profiles (retainers shows who holds \
             an object)",
            file.display()
        )));
    };
    let index =
        crate::analysis::aggregate::resolve_sample_index(profile, sample.sample_index.as_deref())
            .map_err(|m| Error::Usage(format!("{}: {m}", file.display())))?;
    Ok((read, index))
}

/// One heap snapshot, for the views that read nothing else; a stack profile is a usage error
/// naming the file.
pub(crate) fn one_heap_snapshot(
    file: &std::path::Path,
    input: &crate::cli::InputArgs,
    command: &str,
) -> Result<Input> {
    let read = io::read_one(file, input)?;
    if read.heap().is_none() {
        return Err(Error::Usage(format!(
            "{}: {command} needs a heap snapshot; this is a {} profile",
            file.display(),
            read.kind_name()
        )));
    }
    Ok(read)
}

/// The node of the object with DevTools' `@id`, or a usage error naming the file.
pub(crate) fn object_by_id(
    graph: &crate::model::HeapGraph,
    id: u32,
    file: &std::path::Path,
) -> Result<u32> {
    graph
        .node_id
        .iter()
        .position(|&x| x == id)
        .map(|n| n as u32)
        .ok_or_else(|| Error::Usage(format!("{}: no object with id {id}", file.display())))
}

/// How far `dominators` and `containment` unfold; `-n 0` shows every child.
pub(crate) fn tree_extent(
    args: &crate::cli::TreeExtentArgs,
) -> crate::analysis::object_tree::Extent {
    crate::analysis::object_tree::Extent {
        depth: args.depth,
        breadth: match args.children {
            0 => usize::MAX,
            n => n,
        },
    }
}

/// Stack profiles of one program and kind, each with the index of the same sample type (by
/// name, so a debug=2 dump and a pprof goroutine profile compare as `goroutine`): what `diff`
/// and `graph` compare.
pub(crate) fn comparable_profiles<'a>(
    inputs: &'a [Input],
    sample_index: Option<&str>,
) -> Result<Vec<(&'a crate::model::Profile, usize)>> {
    let profiles: Vec<&crate::model::Profile> = inputs.iter().filter_map(Input::profile).collect();
    if profiles.len() != inputs.len() {
        return Err(Error::Usage(
            "cannot compare heap snapshots with stack profiles: give files of one kind".into(),
        ));
    }
    let first_kind = profiles[0].kind;
    for (input, profile) in inputs.iter().zip(&profiles).skip(1) {
        if input.runtime != inputs[0].runtime {
            return Err(Error::Usage(format!(
                "cannot compare {} (a {} profile) with {} (a {} profile): their functions \
                 have nothing in common; give files of one program",
                inputs[0].path.display(),
                inputs[0].runtime.name(),
                input.path.display(),
                input.runtime.name()
            )));
        }
        if profile.kind.counts_goroutines() != first_kind.counts_goroutines() {
            return Err(Error::Usage(format!(
                "cannot compare {} ({} profile) with {} ({} profile)",
                inputs[0].path.display(),
                first_kind.name(),
                input.path.display(),
                profile.kind.name()
            )));
        }
    }
    let index = crate::analysis::aggregate::resolve_sample_index(profiles[0], sample_index)
        .map_err(|m| Error::Usage(format!("{}: {m}", inputs[0].path.display())))?;
    let name = profiles[0].sample_types[index].name.clone();
    inputs
        .iter()
        .zip(profiles)
        .map(|(input, p)| {
            let i = if p.kind.counts_goroutines() {
                // goroutine and goroutineleak profiles have one sample type each.
                0
            } else {
                p.sample_index(&name).ok_or_else(|| {
                    Error::Usage(format!(
                        "{} has no sample type `{name}` to compare",
                        input.path.display()
                    ))
                })?
            };
            Ok((p, i))
        })
        .collect()
}

/// The grouping for stack profiles: `function` unless asked otherwise.
pub(crate) fn stack_grouping(by: Option<GroupBy>) -> Result<GroupBy> {
    match by {
        Some(b) if b.for_heap_snapshots() => Err(Error::Usage(format!(
            "--by {} applies to heap snapshots; profiles group by function, stack or labels",
            b.name()
        ))),
        other => Ok(other.unwrap_or(GroupBy::Function)),
    }
}

/// The grouping for heap snapshots: `constructor` unless asked otherwise.
pub(crate) fn heap_grouping(by: Option<GroupBy>) -> Result<(GroupBy, ClassKey)> {
    match by.unwrap_or(GroupBy::Constructor) {
        GroupBy::Constructor => Ok((GroupBy::Constructor, ClassKey::Constructor)),
        GroupBy::Type => Ok((GroupBy::Type, ClassKey::Type)),
        other => Err(Error::Usage(format!(
            "--by {} applies to stack profiles; heap snapshots group by constructor or type",
            other.name()
        ))),
    }
}

/// The built-in catalogue plus the user's rules files.
pub(crate) fn catalogue(rules: &RulesArgs) -> Result<Catalogue> {
    let mut catalogue = Catalogue::builtin();
    for path in &rules.rule_files {
        catalogue.add_file(path)?;
    }
    Ok(catalogue)
}

/// Every heap snapshot among the inputs analysed once, in parallel, by constructor: what the
/// detectors and the report share. `None` for inputs that are not snapshots.
pub(crate) fn analyse_snapshots(inputs: &[Input]) -> Vec<Option<AnalysedSnapshot<'_>>> {
    let graphs: Vec<_> = inputs.iter().filter_map(Input::heap).collect();
    let mut analysed = AnalysedSnapshot::all(&graphs, ClassKey::Constructor).into_iter();
    inputs
        .iter()
        .map(|input| input.heap().and_then(|_| analysed.next()))
        .collect()
}
