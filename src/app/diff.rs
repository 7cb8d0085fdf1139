//! `diff`: two profiles side by side, or a series in time order; on heap snapshots DevTools'
//! Comparison, the growth of each class, and memlab's leaks-since rule.

use std::path::{Path, PathBuf};

use super::{comparable_profiles, emit, heap_grouping, io, is_json, stack_grouping};
use crate::analysis::heap_classes::{is_specific_class, specific_first};
use crate::analysis::retainer_paths::path_groups;
use crate::analysis::snapshot_diff::{compare, leak_rows, leaked_since};
use crate::analysis::{self, AnalysedSnapshot, Measure};
use crate::cli::DiffArgs;
use crate::error::{Error, Result};
use crate::model::{against_the_clock, HeapGraph, Input};
use crate::output::schema::{
    DiffReport, HeapDiffReport, HeapSeriesReport, HeapTotals, InputInfo, LeaksSince, SeriesReport,
    SCHEMA,
};
use crate::output::tables;

pub fn run(args: &DiffArgs) -> Result<String> {
    let inputs = io::read_all(&args.files, &args.input)?;
    let heaps: Vec<&HeapGraph> = inputs.iter().filter_map(Input::heap).collect();
    if heaps.len() == inputs.len() {
        return heap_diff(args, &inputs, &heaps);
    }
    if !heaps.is_empty() {
        return Err(Error::Usage(
            "cannot compare heap snapshots with stack profiles: give files of one kind".into(),
        ));
    }
    if args.leaks_since.is_some() {
        return Err(Error::Usage(
            "--leaks-since applies to heap snapshots".into(),
        ));
    }
    stack_diff(args, &inputs)
}

/// What each input is, with a warning on those the command line gives after a newer one: `diff`
/// compares in the order given, and a reversed pair reads as a shrinking leak.
fn input_infos(inputs: &[Input]) -> Vec<InputInfo> {
    let mut infos: Vec<InputInfo> = inputs.iter().map(InputInfo::of).collect();
    for (newer, older, clock) in against_the_clock(inputs) {
        infos[older].warnings.push(format!(
            "older than {}, which comes before it, by {}; diff compares in the order given",
            inputs[newer].path.display(),
            clock.words()
        ));
    }
    infos
}

fn stack_diff(args: &DiffArgs, inputs: &[Input]) -> Result<String> {
    let by = stack_grouping(args.by)?;
    let profiles = comparable_profiles(inputs, args.sample.sample_index.as_deref())?;
    let measure = args
        .measure
        .unwrap_or(Measure::default_for(profiles[0].0.kind));
    let options = args.keys.options();
    let aggregates: Vec<analysis::Aggregate> = profiles
        .iter()
        .map(|&(p, i)| analysis::aggregate(p, i, by, &options))
        .collect();
    let infos = input_infos(inputs);
    let json = is_json(&args.output);
    if aggregates.len() == 2 {
        let mut report = DiffReport::new(
            infos,
            by,
            analysis::diff(&aggregates[0], &aggregates[1], measure),
        );
        tables::limit(&mut report.rows, args.output.rows, json);
        Ok(emit(&report, &args.output, tables::diff))
    } else {
        let mut report = SeriesReport::new(infos, by, analysis::series(&aggregates, measure));
        tables::limit(&mut report.rows, args.output.rows, json);
        Ok(emit(&report, &args.output, tables::series))
    }
}

fn heap_diff(args: &DiffArgs, inputs: &[Input], heaps: &[&HeapGraph]) -> Result<String> {
    let (by, key) = heap_grouping(args.by)?;
    if args.sample.sample_index.is_some() {
        return Err(Error::Usage(
            "--sample-index applies to stack profiles".into(),
        ));
    }
    let analysed = AnalysedSnapshot::all(heaps, key);
    let infos = input_infos(inputs);
    let json = is_json(&args.output);
    if heaps.len() == 2 {
        if args.leaks_since.is_some() {
            return Err(Error::Usage(
                "--leaks-since needs three snapshots: baseline, target and last".into(),
            ));
        }
        let (mut rows, new_objects) = compare(&analysed[0], &analysed[1], args.new_objects);
        let specific_rows =
            (!args.all_classes).then(|| specific_first(&mut rows, |r| r.key.as_str()));
        let mut report = HeapDiffReport {
            schema: SCHEMA,
            inputs: infos,
            by: by.name(),
            base_totals: HeapTotals::of(heaps[0], &analysed[0].retention),
            target_totals: HeapTotals::of(heaps[1], &analysed[1].retention),
            row_count: rows.len(),
            rows,
            specific_rows,
            new_objects,
        };
        tables::limit(&mut report.rows, args.output.rows, json);
        return Ok(emit(&report, &args.output, tables::heap_diff));
    }
    let leaks = match &args.leaks_since {
        Some(baseline) => Some(leaks_since(baseline, &args.files, &analysed)?),
        None => None,
    };
    let snapshots: Vec<&AnalysedSnapshot> = analysed.iter().collect();
    let mut report = HeapSeriesReport::new(infos, by, &snapshots, args.all_classes);
    report.leaks_since = leaks;
    tables::limit(&mut report.rows, args.output.rows, json);
    Ok(emit(&report, &args.output, tables::heap_series))
}

/// How many leak classes get retainer paths, and how many path shapes are kept.
const LEAK_PATH_CLASSES: usize = 3;
const LEAK_PATHS: usize = 5;

fn leaks_since(
    baseline: &Path,
    files: &[PathBuf],
    snapshots: &[AnalysedSnapshot<'_>],
) -> Result<LeaksSince> {
    let i = files
        .iter()
        .position(|f| io::same_file(f, baseline))
        .ok_or_else(|| {
            Error::Usage(format!(
                "--leaks-since {} is not one of the snapshots given",
                baseline.display()
            ))
        })?;
    let last = snapshots.len() - 1;
    if i + 1 >= last {
        return Err(Error::Usage(
            "--leaks-since needs a target snapshot after the baseline and a last one after that"
                .into(),
        ));
    }
    let final_snapshot = &snapshots[last];
    let leaked = leaked_since(
        snapshots[i].graph,
        snapshots[i + 1].graph,
        final_snapshot.graph,
    );
    let rows = leak_rows(final_snapshot, &leaked);
    // Paths are shown for the leaking classes with a name of their own: `(closure)`, `Object`
    // or `(compiled code)` say little about what leaks.
    let top: Vec<&str> = rows
        .iter()
        .map(|r| r.key.as_str())
        .filter(|k| is_specific_class(k))
        .take(LEAK_PATH_CLASSES)
        .collect();
    let targets: Vec<u32> = leaked
        .iter()
        .copied()
        .filter(|&n| top.contains(&final_snapshot.classes.name(n)))
        .collect();
    let (mut paths, _) = path_groups(
        final_snapshot.graph,
        &final_snapshot.classes,
        final_snapshot.retainers(),
        &final_snapshot.retention,
        &targets,
    );
    paths.truncate(LEAK_PATHS);
    Ok(LeaksSince {
        baseline: files[i].display().to_string(),
        target: files[i + 1].display().to_string(),
        last: files[last].display().to_string(),
        objects: leaked.len(),
        rows,
        paths,
    })
}
