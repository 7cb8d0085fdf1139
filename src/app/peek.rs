//! `peek`: callers and callees of the functions matching a regular expression.

use regex::Regex;

use super::{emit, io};
use crate::analysis::aggregate::resolve_sample_index;
use crate::analysis::peek::peek;
use crate::cli::PeekArgs;
use crate::error::{Error, Result};
use crate::model::Contents;
use crate::output::schema::{InputInfo, PeekReport};
use crate::output::tables;

pub fn run(args: &PeekArgs) -> Result<String> {
    let pattern = Regex::new(&args.regex)
        .map_err(|_| Error::Usage(format!("{:?}: not a regular expression", args.regex)))?;
    let input = io::read_one(&args.file, &args.input)?;
    let Contents::Stacks(profile) = &input.contents else {
        return Err(Error::Usage(format!(
            "{}: is a heap snapshot; peek reads stack profiles (retainers shows who holds an \
             object)",
            args.file.display()
        )));
    };
    let index = resolve_sample_index(profile, args.sample.sample_index.as_deref())
        .map_err(|m| Error::Usage(format!("{}: {m}", args.file.display())))?;
    let peek = peek(profile, index, &pattern, &args.keys.options());
    if peek.entries.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no function matches {:?}",
            args.file.display(),
            args.regex
        )));
    }
    let report = PeekReport::new(InputInfo::of(&input), peek);
    Ok(emit(&report, &args.output, tables::peek))
}
