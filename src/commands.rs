//! Runs each subcommand: read the inputs, analyse, render. Returns the text to print.

use crate::analysis::{self, aggregate::resolve_sample_index, GroupBy, KeyOptions, Measure};
use crate::cli::{Command, DiffArgs, OutputArgs, OutputFormat, TopArgs};
use crate::error::{Error, Result};
use crate::formats::{self, Input, ReadOptions};
use crate::render::{self, views, Style};
use crate::report::{DiffReport, InputInfo, SeriesReport, TopReport};

pub fn run(command: &Command) -> Result<String> {
    match command {
        Command::Top(args) => top(args),
        Command::Diff(args) => diff(args),
    }
}

fn style(output: &OutputArgs) -> Style {
    Style {
        format: output.format,
        wide: output.wide,
        full_names: output.full_names,
    }
}

/// Reads inputs in parallel (two cores make a diff of two large heaps twice as fast).
pub fn read_all(paths: &[std::path::PathBuf], options: &ReadOptions) -> Result<Vec<Input>> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = paths
            .iter()
            .map(|path| scope.spawn(move || formats::read(path, options)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("reader threads do not panic"))
            .collect()
    })
}

fn top(args: &TopArgs) -> Result<String> {
    let input = formats::read(&args.file, &args.input.options())?;
    let index = resolve_sample_index(&input.profile, args.sample.sample_index.as_deref())
        .map_err(|m| Error::Usage(format!("{}: {m}", args.file.display())))?;
    let mut aggregate = analysis::aggregate(&input.profile, index, args.by, &args.keys.options());
    if args.sort == Measure::Cum {
        aggregate.rows.sort_by(|a, b| {
            b.cum
                .cmp(&a.cum)
                .then(b.flat.cmp(&a.flat))
                .then_with(|| a.key.cmp(&b.key))
        });
    }
    let mut report = TopReport::new(InputInfo::of(&input), args.by, aggregate);
    let json = args.output.format == OutputFormat::Json;
    views::limit(&mut report.rows, args.output.rows, json);
    Ok(if json {
        render::json(&report)
    } else {
        render::render(
            &views::top(&report, &style(&args.output)),
            &style(&args.output),
        )
    })
}

fn diff(args: &DiffArgs) -> Result<String> {
    let inputs = read_all(&args.files, &args.input.options())?;
    let first_kind = inputs[0].profile.kind;
    for input in &inputs[1..] {
        if input.profile.kind.counts_goroutines() != first_kind.counts_goroutines() {
            return Err(Error::Usage(format!(
                "cannot compare {} ({} profile) with {} ({} profile)",
                inputs[0].path.display(),
                first_kind.name(),
                input.path.display(),
                input.profile.kind.name()
            )));
        }
    }
    let measure = args.measure.unwrap_or(Measure::default_for(first_kind));
    let aggregates = aggregates(
        &inputs,
        args.sample.sample_index.as_deref(),
        args.by,
        &args.keys.options(),
    )?;
    let infos: Vec<InputInfo> = inputs.iter().map(InputInfo::of).collect();
    let json = args.output.format == OutputFormat::Json;
    let style = style(&args.output);
    if aggregates.len() == 2 {
        let mut report = DiffReport::new(
            infos,
            args.by,
            analysis::diff(&aggregates[0], &aggregates[1], measure),
        );
        views::limit(&mut report.rows, args.output.rows, json);
        Ok(if json {
            render::json(&report)
        } else {
            render::render(&views::diff(&report, &style), &style)
        })
    } else {
        let mut report = SeriesReport::new(infos, args.by, analysis::series(&aggregates, measure));
        views::limit(&mut report.rows, args.output.rows, json);
        Ok(if json {
            render::json(&report)
        } else {
            render::render(&views::series(&report, &style), &style)
        })
    }
}

/// Groups every input on the same sample type (by name, so a debug=2 dump and a pprof
/// goroutine profile compare as `goroutine`).
fn aggregates(
    inputs: &[Input],
    sample_index: Option<&str>,
    by: GroupBy,
    options: &KeyOptions,
) -> Result<Vec<analysis::Aggregate>> {
    let first = &inputs[0].profile;
    let index = resolve_sample_index(first, sample_index)
        .map_err(|m| Error::Usage(format!("{}: {m}", inputs[0].path.display())))?;
    let name = first.sample_types[index].name.clone();
    inputs
        .iter()
        .map(|input| {
            let p = &input.profile;
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
            Ok(analysis::aggregate(p, i, by, options))
        })
        .collect()
}
