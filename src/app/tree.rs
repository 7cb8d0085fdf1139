//! `tree`: every function between its callers and callees, pprof's `-tree`.

use regex::Regex;

use super::{emit, is_json, one_stack_profile};
use crate::analysis::peek::peek;
use crate::cli::TracesArgs;
use crate::error::Result;
use crate::output::schema::{InputInfo, PeekReport, SCHEMA};
use crate::output::tables;

pub fn run(args: &TracesArgs) -> Result<String> {
    let (input, index) = one_stack_profile(&args.file, &args.input, &args.sample, "tree")?;
    let profile = input.profile().expect("a stack profile");
    let every = Regex::new("").expect("the empty pattern");
    let mut tree = peek(profile, index, &every, &args.keys.options());
    let entry_count = tree.entries.len();
    tables::limit(&mut tree.entries, args.output.rows, is_json(&args.output));
    let report = PeekReport {
        schema: SCHEMA,
        input: InputInfo::of(&input),
        regex: None,
        entry_count,
        peek: tree,
    };
    Ok(emit(&report, &args.output, tables::peek))
}
