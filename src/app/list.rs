//! `list`: a function's values line by line, beside its source when the file is found.

use std::path::{Path, PathBuf};

use regex::Regex;

use super::{is_json, one_stack_profile, style};
use crate::analysis::list::list;
use crate::cli::ListArgs;
use crate::error::{Error, Result};
use crate::output::schema::{InputInfo, ListReport, SCHEMA};
use crate::output::{self, tables};

/// Source files larger than this are not read: no source file is, and a profile may name any
/// path.
const MAX_SOURCE_BYTES: u64 = 16 << 20;

pub fn run(args: &ListArgs) -> Result<String> {
    let pattern = Regex::new(&args.regex)
        .map_err(|_| Error::Usage(format!("{:?}: not a regular expression", args.regex)))?;
    let (input, index) = one_stack_profile(&args.file, &args.input, &args.sample, "list")?;
    let profile = input.profile().expect("a stack profile");
    let mut listing = list(profile, index, &pattern);
    if listing.routines.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no function with a value matches {:?}",
            args.file.display(),
            args.regex
        )));
    }
    let routine_count = listing.routines.len();
    tables::limit(
        &mut listing.routines,
        args.output.rows,
        is_json(&args.output),
    );
    for routine in &mut listing.routines {
        match find_source(&routine.file, &args.source_dir) {
            Some((path, text)) => routine.attach_source(&text, &path.display().to_string()),
            None if routine.file.is_empty() => {
                routine.source_note = "the profile names no source file".to_string()
            }
            None => {
                routine.source_note = format!(
                    "{} not found{}",
                    routine.file,
                    if args.source_dir.is_empty() {
                        "; give --source-dir DIR".to_string()
                    } else {
                        format!(
                            " under {}",
                            args.source_dir
                                .iter()
                                .map(|d| d.display().to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                )
            }
        }
    }
    let report = ListReport {
        schema: SCHEMA,
        input: InputInfo::of(&input),
        routine_count,
        listing,
    };
    if is_json(&args.output) {
        return Ok(output::json(&report));
    }
    let style = style(&args.output);
    Ok(tables::list(&report, &style)
        .iter()
        .map(|t| output::render(t, &style))
        .collect::<Vec<_>>()
        .join("\n"))
}

/// The source file a profile names: under each of `dirs` by ever shorter tails of its path,
/// else (no dirs given) at the path itself. Read only when it is a plain file of sane size.
fn find_source(file: &str, dirs: &[PathBuf]) -> Option<(PathBuf, String)> {
    if file.is_empty() {
        return None;
    }
    let named = Path::new(file);
    let parts: Vec<_> = named
        .components()
        .filter(|c| matches!(c, std::path::Component::Normal(_)))
        .collect();
    let parts = &parts;
    let candidates: Vec<PathBuf> = if dirs.is_empty() {
        vec![named.to_path_buf()]
    } else {
        dirs.iter()
            .flat_map(|dir| {
                (0..parts.len()).map(move |skip| {
                    parts[skip..]
                        .iter()
                        .fold(dir.clone(), |path, part| path.join(part))
                })
            })
            .collect()
    };
    candidates.into_iter().find_map(|path| {
        let meta = std::fs::metadata(&path).ok()?;
        if !meta.is_file() || meta.len() > MAX_SOURCE_BYTES {
            return None;
        }
        let text = std::fs::read(&path).ok()?;
        Some((path, String::from_utf8_lossy(&text).into_owned()))
    })
}
