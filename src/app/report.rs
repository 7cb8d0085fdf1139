//! `report`: the postmortem page of what `scan` found, as HTML or Markdown.

use std::path::Path;

use super::{analyse_snapshots, catalogue, io};
use crate::cli::{InputArgs, ReportArgs, RulesArgs};
use crate::detect;
use crate::error::{Error, Result};
use crate::formats::DEFAULT_MAX_INPUT_SIZE;
use crate::output;
use crate::output::report::{self, Invocation, Postmortem};
use crate::output::schema::Grouping;

/// The renderer an output path asks for by its extension.
fn report_renderer(path: &Path) -> Result<fn(&Postmortem) -> String> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("html" | "htm") => Ok(report::html::render),
        Some("md" | "markdown") => Ok(report::markdown::render),
        _ => Err(Error::Usage(format!(
            "{}: name the report .html or .md to choose its format",
            path.display()
        ))),
    }
}

pub fn run(args: &ReportArgs) -> Result<String> {
    let renderers = args
        .outputs
        .iter()
        .map(|path| report_renderer(path))
        .collect::<Result<Vec<_>>>()?;
    io::refuse_overwriting_inputs(&args.files, &args.outputs, "report")?;
    let catalogue = catalogue(&args.rules)?;
    let inputs = io::read_all(&args.files, &args.input)?;
    let snapshots = analyse_snapshots(&inputs);
    let findings = detect::scan(&inputs, &snapshots, &catalogue);
    let invocation = Invocation {
        files: &args.files,
        outputs: &args.outputs,
        extra_args: input_arguments(&args.rules, &args.input),
    };
    let postmortem = Postmortem::build(
        &inputs,
        &snapshots,
        findings,
        catalogue.ids_for(&Grouping::of(&inputs).runtimes()).len(),
        &invocation,
    );
    let mut text = format!("{}\n", postmortem.headline());
    for (path, render) in args.outputs.iter().zip(renderers) {
        let document = render(&postmortem);
        io::write_atomically(path, &document)?;
        text.push_str(&format!(
            "wrote {} ({})\n",
            path.display(),
            output::values::format_bytes(document.len() as i64)
        ));
    }
    Ok(text)
}

/// The options that change what is read, as they are spelled on the command line.
fn input_arguments(rules: &RulesArgs, input: &InputArgs) -> Vec<String> {
    let mut words = Vec::new();
    for path in &rules.rule_files {
        words.extend(["--rules".to_string(), path.display().to_string()]);
    }
    if let Some(binary) = &input.binary {
        words.extend(["--binary".to_string(), binary.display().to_string()]);
    }
    if let Some(dir) = &input.debug_dir {
        words.extend(["--debug-dir".to_string(), dir.display().to_string()]);
    }
    if input.max_input_size.0 != DEFAULT_MAX_INPUT_SIZE {
        words.extend([
            "--max-input-size".to_string(),
            input.max_input_size.to_string(),
        ]);
    }
    if let Some(limit) = input.memory_limit {
        words.extend(["--memory-limit".to_string(), limit.to_string()]);
    }
    words.extend(input.filters.words());
    words
}
