//! `peek`: callers and callees of the functions matching a regular expression.

use regex::Regex;

use super::{emit, one_stack_profile};
use crate::analysis::peek::peek;
use crate::cli::PeekArgs;
use crate::error::{Error, Result};
use crate::output::schema::{InputInfo, PeekReport, SCHEMA};
use crate::output::tables;

pub fn run(args: &PeekArgs) -> Result<String> {
    let pattern = Regex::new(&args.regex)
        .map_err(|_| Error::Usage(format!("{:?}: not a regular expression", args.regex)))?;
    let (input, index) = one_stack_profile(&args.file, &args.input, &args.sample, "peek")?;
    let profile = input.profile().expect("a stack profile");
    let peek = peek(profile, index, &pattern, &args.keys.options());
    if peek.entries.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no function matches {:?}",
            args.file.display(),
            args.regex
        )));
    }
    let report = PeekReport {
        schema: SCHEMA,
        input: InputInfo::of(&input),
        regex: Some(args.regex.clone()),
        entry_count: peek.entries.len(),
        peek,
    };
    Ok(emit(&report, &args.output, tables::peek))
}
