//! `traces`: every sample's whole stack with its labels.

use super::{emit, is_json, one_stack_profile};
use crate::analysis::traces::traces;
use crate::cli::TracesArgs;
use crate::error::Result;
use crate::output::schema::{InputInfo, TracesReport};
use crate::output::tables;

pub fn run(args: &TracesArgs) -> Result<String> {
    let (input, index) = one_stack_profile(&args.file, &args.input, &args.sample, "traces")?;
    let profile = input.profile().expect("a stack profile");
    let mut report = TracesReport::new(
        InputInfo::of(&input),
        traces(profile, index, &args.keys.options()),
    );
    tables::limit(
        &mut report.traces.traces,
        args.output.rows,
        is_json(&args.output),
    );
    Ok(emit(&report, &args.output, tables::traces))
}
