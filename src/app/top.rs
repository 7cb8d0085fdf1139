//! `top`: the largest entries of one profile, or DevTools' Summary of one heap snapshot.

use super::{emit, heap_grouping, io, is_json, stack_grouping};
use crate::analysis::{self, aggregate::resolve_sample_index, AnalysedSnapshot, Measure};
use crate::cli::TopArgs;
use crate::error::{Error, Result};

use crate::model::{Contents, HeapGraph, Input, Profile};
use crate::output::schema::{HeapTopReport, InputInfo, TopReport};
use crate::output::tables;

pub fn run(args: &TopArgs) -> Result<String> {
    let input = io::read_one(&args.file, &args.input)?;
    match &input.contents {
        Contents::Stacks(profile) => stack_top(args, &input, profile),
        Contents::Heap(graph) => heap_top(args, &input, graph),
    }
}

fn stack_top(args: &TopArgs, input: &Input, profile: &Profile) -> Result<String> {
    let by = stack_grouping(args.by)?;
    let index = resolve_sample_index(profile, args.sample.sample_index.as_deref())
        .map_err(|m| Error::Usage(format!("{}: {m}", args.file.display())))?;
    let mut aggregate = analysis::aggregate(profile, index, by, &args.keys.options());
    if args.sort == Measure::Cum {
        aggregate.rows.sort_by(|a, b| {
            b.cum
                .cmp(&a.cum)
                .then(b.flat.cmp(&a.flat))
                .then_with(|| a.key.cmp(&b.key))
        });
    }
    let mut report = TopReport::new(InputInfo::of(input), by, aggregate);
    tables::limit(&mut report.rows, args.output.rows, is_json(&args.output));
    Ok(emit(&report, &args.output, tables::top))
}

fn heap_top(args: &TopArgs, input: &Input, graph: &HeapGraph) -> Result<String> {
    let (by, key) = heap_grouping(args.by)?;
    let snapshot = AnalysedSnapshot::new(graph, key);
    let mut report = HeapTopReport::new(InputInfo::of(input), &snapshot, by);
    tables::limit(&mut report.rows, args.output.rows, is_json(&args.output));
    Ok(emit(&report, &args.output, tables::heap_top))
}
